import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exportLedger } from '../../src/store/export.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const T0 = Date.UTC(2026, 10, 23, 2);
const TZ = 'Asia/Shanghai';

function seeded() {
  const ledger = openLedger({ path: ':memory:', clock: { now: () => T0, synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: TZ });
  for (let i = 1; i <= 40; i++) ledger.recordPassage(passage(i, T0 + i * 60_000));
  ledger.recordPassage(passage(41, T0 - 86_400_000)); // yesterday
  ledger.registerVisitor({ name: '访客甲', idNumber: '330102195603120018', phone: '13912345678', travel: ['杭州', '宁波'], reason: '=HYPERLINK("x")' });
  ledger.createOperator({ id: 'admin', name: '管理员', role: 'admin', pin: '246810' }, 'setup');
  ledger.createOperator({ id: 'vol', name: '志愿者', role: 'volunteer', pin: '135791' }, 'admin');
  ledger.dutySignIn('vol');
  return ledger;
}
const base = { from: '2026-11-23', to: '2026-11-23', timeZone: TZ };

describe('ledger exports', () => {
  it('CSV is UTF-8 with a BOM, in the date range, masked', async () => {
    const ledger = seeded();
    const r = await exportLedger(ledger, { ...base, what: 'passages', format: 'csv' });
    expect([...r.data.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = r.data.toString('utf8');
    expect(r.rows).toBe(40);
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(41);
    expect(text).toContain('时间 Time');
    expect(text).toContain('2026-11-23 10:01:00');
    expect(text).not.toContain(passage(1, 0).subject?.name as string);
    expect(r.filename).toBe('s1-g1-passages-2026-11-23_2026-11-23.csv');
    const refusals = await exportLedger(ledger, { ...base, what: 'refusals', format: 'csv' });
    expect(refusals.rows).toBe(2); // 17 and 34
  });

  it('visitors are masked unless an admin asks for a full export, which is audited', async () => {
    const ledger = seeded();
    const masked = (await exportLedger(ledger, { ...base, what: 'visitors', format: 'csv' })).data.toString('utf8');
    expect(masked).toContain('3301**********0018');
    expect(masked).toContain('139****5678');
    expect(masked).toContain('访*甲');
    expect(masked).toContain("'=HYPERLINK"); // no formula injection
    await expect(exportLedger(ledger, { ...base, what: 'visitors', format: 'csv', full: true })).rejects.toThrow(/admin/);
    await expect(exportLedger(ledger, { ...base, what: 'visitors', format: 'csv', full: true, operatorId: 'vol' })).rejects.toThrow(/admin/);
    const full = (await exportLedger(ledger, { ...base, what: 'visitors', format: 'csv', full: true, operatorId: 'admin' })).data.toString('utf8');
    expect(full).toContain('330102195603120018');
    expect(full).toContain('13912345678');
    const audit = ledger.auditLog();
    expect(audit.filter((a) => a.action === 'export-full')).toHaveLength(1);
    expect(audit.find((a) => a.action === 'export-full')).toMatchObject({ actor: 'admin', detail: { what: 'visitors', rows: 1 } });
    expect(audit.filter((a) => a.action === 'export').length).toBe(1);
  });

  it('XLSX reads back with the same rows', async () => {
    const ledger = seeded();
    const r = await exportLedger(ledger, { ...base, what: 'passages', format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.data as never);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('出入登记');
    expect(ws?.rowCount).toBe(41);
    expect(ws?.getRow(1).getCell(1).value).toBe('时间 Time');
    expect(ws?.getRow(2).getCell(1).value).toBe('2026-11-23 10:01:00');
    const duty = await exportLedger(ledger, { ...base, what: 'duty', format: 'xlsx' });
    expect(duty.rows).toBe(1);
    const alerts = await exportLedger(ledger, { ...base, what: 'alerts', format: 'csv' });
    expect(alerts.rows).toBe(0);
  });

  it('the alerts ledger lists fever alerts with who acknowledged them, names masked', async () => {
    const ledger = seeded();
    const fever = passage(97, T0 + 3_600_000);
    ledger.recordPassage({ ...fever, alerts: fever.alerts.map((a) => ({ ...a, subject: fever.subject ?? undefined })) });
    ledger.acknowledgeAlert(`a-${fever.id}`, 'vol');
    const r = await exportLedger(ledger, { ...base, what: 'alerts', format: 'csv' });
    expect(r.rows).toBe(1);
    const [header, row] = r.data.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(header?.split(',')).toEqual(['时间 Time', '类型 Kind', '级别 Severity', '通道 Lane', '内容 Text', '对象 Subject', '姓名 Name', '通行记录 Passage', '确认时间 Acknowledged', '确认人 By']);
    const name = fever.subject?.name as string;
    expect(row).toContain(`fever,critical,lane-1,发热 / Fever,${fever.subject?.id},${[...name][0]}*`);
    expect(row).not.toContain(name);
    expect(row?.endsWith(',vol')).toBe(true);
  });

  it('bad ranges get clear errors', async () => {
    const ledger = seeded();
    await expect(exportLedger(ledger, { ...base, what: 'passages', format: 'csv', from: '2026-11-31' })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(exportLedger(ledger, { ...base, what: 'passages', format: 'csv', from: '2026-11-24' })).rejects.toThrow(/before it starts/);
    await expect(exportLedger(ledger, { ...base, what: 'nothing' as never, format: 'csv' })).rejects.toThrow(/Unknown ledger/);
  });
});
