// The daily report across compounds on both engines: a row per gate from its latest report of the
// day, sums per compound and for all, a gate without a report marked missing; CSV in UTF-8 with a
// BOM and in GBK, each export audited.
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
    expect(r.sites[0]).toMatchObject({ site: 'v1', entries: 40, feverAlerts: 1, zeroReport: false, epidemicFreeDays: 0, missing: false });
    expect(r.sites[1]).toMatchObject({ site: 'v2', missing: true });
    expect(r.total).toMatchObject({ entries: 40, exits: 16, missing: true });
    const utf8 = await viewer.get('/office/api/report.csv?day=2026-12-06');
    expect(utf8.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(utf8.body).toContain('缺报 missing');
    const gbk = await viewer.get('/office/api/report.csv?day=2026-12-06&encoding=gbk');
    expect(gbk.headers['content-type']).toContain('gbk');
    const text = iconv.decode(gbk.rawPayload, 'gbk');
    expect(text.split('\r\n')[0]).toBe('小区 Compound,卡口 Gate,进 Entries,出 Exits,访客 Visitors,拒绝 Refusals,发热 Fevers,在内人员 Inside,零报告 Zero report,无疫情天数 Epidemic-free days,防控等级 Zone,状态 Status');
    expect(text).toContain('v1,小计 Subtotal,40,16');
    expect((await off.accounts.auditLog(5, 'report.export')).map((e) => e.detail.encoding)).toEqual(['gbk', 'utf8']);
    expect((await viewer.get('/office/api/report?day=6.12.2026')).statusCode).toBe(400);
  });
});
