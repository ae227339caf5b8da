// The daily report across compounds on both engines: a row per gate from its latest report of the
// day, sums per compound and for all, a gate without a report marked missing; CSV in UTF-8 with a
// BOM and in GBK, each export audited.
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordMsg } from '../../src/hub/classify.js';
import { officeOn, signIn } from './office-support.js';
import { ENGINES, passage } from './support.js';

function report(gate: string, site: string, seq: number, o: Record<string, unknown>): RecordMsg {
  const data = { type: 'daily-report', day: '2026-12-06', gateId: gate, siteId: site, entries: 10, exits: 8, visitors: 2, refusals: 1, refusalsByReason: {}, feverAlerts: 0, peopleInside: 50, zeroReport: true, epidemicFreeDays: 12, zoneLevel: 'normal', generatedAt: 1, clockSynced: true, ...o };
  return { ...passage(seq, { site, gate }), table: 'daily_reports', data, dataJson: JSON.stringify(data) };
}

describe.each(ENGINES)('office daily report on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('sums the gates\' reports per compound and for all, marks a missing one, and exports CSV in UTF-8 and GBK', async () => {
    const off = await officeOn(engine);
    closers.push(off.close);
    await off.writer.write({ records: [report('g1', 'v1', 1, { entries: 5 }), report('g2', 'v1', 1, { feverAlerts: 1, zeroReport: false, epidemicFreeDays: 0 }), passage(1, { site: 'v2', gate: 'g1' })], states: [], rejects: [] });
    // g1 sent a corrected report later: the later one counts.
    await off.writer.write({ records: [report('g1', 'v1', 2, { entries: 30 })], states: [], rejects: [] });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    const r = (await viewer.get('/office/api/report?day=2026-12-06')).json();
    expect(r.rows).toEqual([
      expect.objectContaining({ site: 'v1', gate: 'g1', missing: false, entries: 30, zeroReport: true }),
      expect.objectContaining({ site: 'v1', gate: 'g2', missing: false, entries: 10, feverAlerts: 1, zeroReport: false }),
      expect.objectContaining({ site: 'v2', gate: 'g1', missing: true, entries: 0 }),
    ]);
    expect(r.sites[0]).toMatchObject({ site: 'v1', entries: 40, feverAlerts: 1, zeroReport: false, epidemicFreeDays: 0, freeDaysBy: 'gates', missing: false });
    expect(r.sites[1]).toMatchObject({ site: 'v2', missing: true });
    expect(r.total).toMatchObject({ entries: 40, exits: 16, missing: true });
    const utf8 = await viewer.get('/office/api/report.csv?day=2026-12-06');
    expect(utf8.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(utf8.body).toContain('缺报 missing');
    const gbk = await viewer.get('/office/api/report.csv?day=2026-12-06&encoding=gbk');
    expect(gbk.headers['content-type']).toContain('gbk');
    const text = iconv.decode(gbk.rawPayload, 'gbk');
    expect(text.split('\r\n')[0]).toBe('小区 Compound,卡口 Gate,进 Entries,出 Exits,劝返 Refusals,发热 Fevers,访客 Visitors,快递 Deliveries,隔离 In quarantine,健康监测 In monitoring,返乡报备 Returnees,告警 Alerts,在内人员 Inside,零报告 Zero report,无疫情天数 Epidemic-free days,防控等级 Zone,状态 Status');
    // Each compound's gates, then its subtotal; the total last.
    expect(text.split('\r\n').slice(1, 6).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['v1,g1,30', 'v1,g2,10', 'v1,小计 Subtotal,40', 'v2,g1,', 'v2,小计 Subtotal,0']);
    expect((await off.accounts.auditLog(5, 'report.export')).map((e) => e.detail.encoding)).toEqual(['gbk', 'utf8']);
    expect((await viewer.get('/office/api/report?day=6.12.2026')).statusCode).toBe(400);
  });

  it('carries the practice\'s columns, exports XLSX with typed cells, and keeps the office\'s epidemic-free days per compound (seed 004), audited', async () => {
    const off = await officeOn(engine);
    closers.push(off.close);
    await off.writer.write({
      records: [
        report('g1', 'v1', 1, { deliveries: 7, inQuarantine: 2, inMonitoring: 5, returnees: 1, notableAlerts: 3 }),
        report('g2', 'v1', 1, { deliveries: 1, inQuarantine: 1, inMonitoring: 0, returnees: 2, notableAlerts: 0 }),
        passage(1, { site: 'v2', gate: 'g1' }),
      ],
      states: [],
      rejects: [],
    });
    const duty = await signIn(off.app, 'duty1', await off.user('duty1', 'duty'));
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    let r = (await viewer.get('/office/api/report?day=2026-12-06')).json();
    expect(r.sites[0]).toMatchObject({ deliveries: 8, inQuarantine: 3, inMonitoring: 5, returnees: 3, alerts: 3, epidemicFreeDays: 12, freeDaysBy: 'gates' });
    expect(r.sites[1]).toMatchObject({ site: 'v2', epidemicFreeDays: null, freeDaysBy: null });

    // A viewer may not set it; the duty officer may: 30 days as of the report day.
    expect((await viewer.post('/office/api/free-days/v1', { days: 30, asOf: '2026-12-06' })).statusCode).toBe(403);
    expect((await duty.post('/office/api/free-days/nowhere', { days: 30 })).statusCode).toBe(404);
    expect((await duty.post('/office/api/free-days/v1', { days: -1 })).statusCode).toBe(400);
    expect((await duty.post('/office/api/free-days/v1', { days: 30, asOf: '2026-12-06' })).json()).toEqual({ site: 'v1', since: '2026-11-07' });
    r = (await viewer.get('/office/api/report?day=2026-12-06')).json();
    expect(r.sites[0]).toMatchObject({ epidemicFreeDays: 30, freeDaysBy: 'office' });
    expect((await viewer.get('/office/api/report?day=2026-12-10')).json().sites[0].epidemicFreeDays).toBe(34);

    // A close contact found on 12-03, taken to the quarantine site on 12-04: the count restarts on 12-05 (rule 4).
    const contact = (await duty.post('/office/api/free-days/v1/cases', { kind: 'close-contact', foundDay: '2026-12-03', leftDay: '2026-12-04', note: '流调编号 17' })).json().case;
    expect((await viewer.get('/office/api/report?day=2026-12-06')).json().sites[0]).toMatchObject({ epidemicFreeDays: 2, zeroReport: true });
    expect((await viewer.get('/office/api/report?day=2026-12-02')).json().sites[0].epidemicFreeDays).toBe(26);
    // A suspected case found today, still in the compound: 0, and no zero report (rule 2).
    const suspected = (await duty.post('/office/api/free-days/v1/cases', { kind: 'suspected', foundDay: '2026-12-06' })).json().case;
    expect((await viewer.get('/office/api/report?day=2026-12-06')).json().sites[0]).toMatchObject({ epidemicFreeDays: 0, zeroReport: false });
    // Taken away on 12-06: day 1 is 12-07.
    expect((await duty.post(`/office/api/free-days/cases/${suspected.id}/left`, { leftDay: '2026-12-05' })).statusCode).toBe(400);
    await duty.post(`/office/api/free-days/cases/${suspected.id}/left`, { leftDay: '2026-12-06' });
    expect((await viewer.get('/office/api/report?day=2026-12-07')).json().sites[0].epidemicFreeDays).toBe(1);
    // Recorded in error: voided, the count is back; the case stays in the audit log.
    await duty.post(`/office/api/free-days/cases/${suspected.id}/void`, { note: '复核为误报' });
    expect((await viewer.get('/office/api/report?day=2026-12-07')).json().sites[0].epidemicFreeDays).toBe(3);
    expect((await off.accounts.auditLog(10)).filter((e) => e.action.startsWith('free-days.')).map((e) => `${e.user} ${e.action} ${e.target}`)).toEqual(['duty1 free-days.void v1', 'duty1 free-days.left v1', 'duty1 free-days.case v1', 'duty1 free-days.case v1', 'duty1 free-days.set v1']);
    expect((await viewer.get('/office/api/report?day=2026-12-07')).json().freeDays[0].cases.map((c: { id: string }) => c.id)).toEqual([contact.id]);

    const x = await viewer.get('/office/api/report.xlsx?day=2026-12-06');
    expect(x.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('疫情防控日报 Daily report 2026-12-06');
    expect(ws.getRow(3).getCell(8).value).toBe('快递 Deliveries');
    const g1 = ws.getRow(4);
    expect([g1.getCell(1).value, g1.getCell(2).value, g1.getCell(3).value, g1.getCell(8).value, g1.getCell(9).value]).toEqual(['v1', 'g1', 10, 7, 2]);
    expect(typeof g1.getCell(3).value).toBe('number');
    const subtotal = ws.getRow(6);
    expect([subtotal.getCell(2).value, subtotal.getCell(15).value]).toEqual(['小计 Subtotal', 2]);
    const missing = ws.getRow(7);
    expect(missing.getCell(17).value).toBe('缺报 missing');
    expect((missing.getCell(1).fill as { fgColor?: { argb?: string } }).fgColor?.argb).toBe('FFFDECEA');
    expect((await off.accounts.auditLog(1, 'report.export'))[0]).toMatchObject({ user: 'viewer1', detail: { format: 'xlsx' } });
  });
});
