// The operator commands as an operator runs them: the built `gate` tool (node bin/gate.js, after
// `npm run build`) against a ledger file — roster import, export, daily report.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/gate.js');
const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
const db = join(dir, 'var/gate.db');
const config = join(dir, 'gate.yaml');
const fixture = (name: string) => join(ROOT, 'test/fixtures/roster', name);
/** 2026-11-23 10:00 in Shanghai. */
const T0 = Date.UTC(2026, 10, 23, 2);

function gate(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args, '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`gate ${args.join(' ')} did not finish within ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const open = () => openLedger({ path: db, clock: { now: () => T0, synced: () => true }, gateId: 'east-gate', siteId: 'test-village', timeZone: 'Asia/Shanghai' });

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/commands/export.js'))) throw new Error('The CLI is not built: run `npm run build` (npm test does) before this test');
  writeFileSync(config, `site: { id: test-village, name: 测试村, timezone: Asia/Shanghai }\ngate: { id: east-gate, name: 东门 }\nstorage: { path: ${db} }\n`);
  // What the daemon would have written: a day of passages, a visitor, an admin.
  const ledger = open();
  for (let i = 1; i <= 30; i++) ledger.recordPassage(passage(i, T0 + i * 60_000));
  ledger.registerVisitor({ name: '访客甲', idNumber: '330102195603120018', phone: '13912345678', travel: ['杭州'], reason: '探亲' });
  ledger.createOperator({ id: 'admin', name: '管理员', role: 'admin', pin: '246810' }, 'setup');
  ledger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gate roster import', () => {
  it('reports every bad row by row, column and reason and imports nothing', async () => {
    const r = await gate(['roster', 'import', fixture('roster-bad.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/roster-bad\.csv: 17 row\(s\) read \(utf-8-bom\), 2 good, 15 problem\(s\)/);
    expect(r.stdout).toContain('row 5, column 身份证号: ID number check digit is wrong');
    expect(r.stdout).toContain('nothing imported');
    // The ID number in a problem line is masked.
    expect(r.stdout).not.toMatch(/\d{17}[\dX]/);
    const stats = await gate(['roster', 'stats']);
    expect(JSON.parse(stats.stdout)).toMatchObject({ persons: 0, households: 0 });
  });

  it('--partial imports the good rows; a GBK file imports whole', async () => {
    const partial = await gate(['roster', 'import', fixture('roster-bad.csv'), '--partial']);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toMatch(/imported \d+ household\(s\), 2 person\(s\)/);
    const gbk = await gate(['roster', 'import', fixture('roster-gbk.csv'), '--json']);
    expect(gbk.code).toBe(0);
    expect(JSON.parse(gbk.stdout)).toMatchObject({ encoding: 'gb18030', rows: 6, goodRows: 6, imported: true, persons: 6 });
    const stats = JSON.parse((await gate(['roster', 'stats'])).stdout) as { persons: number };
    expect(stats.persons).toBe(8);
  });

  it('an unreadable file gets a clear error', async () => {
    const r = await gate(['roster', 'import', join(dir, 'nope.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot read .*nope\.csv: ENOENT/);
  });
});

describe('gate export', () => {
  it('writes a masked CSV with a BOM for the day', async () => {
    const out = join(dir, 'passages.csv');
    const r = await gate(['export', '--what', 'passages', '--from', '2026-11-23', '--to', '2026-11-23', '--format', 'csv', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('30 row(s)');
    const data = readFileSync(out);
    expect([...data.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = data.toString('utf8').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(31);
    expect(lines[0]).toContain('时间 Time');
    expect(data.toString('utf8')).not.toContain(passage(1, 0).subject?.name as string);
  });

  it('a full export needs an admin operator and is audited; XLSX reads back', async () => {
    const refused = await gate(['export', '--what', 'visitors', '--from', '2026-11-23', '--full', '--out', join(dir, 'v.csv')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs an active admin operator/);
    const out = join(dir, 'visitors.xlsx');
    const r = await gate(['export', '--what', 'visitors', '--from', '2026-11-23', '--format', 'xlsx', '--full', '--operator', 'admin', '--out', out]);
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('外来人员登记');
    expect(ws?.rowCount).toBe(2);
    expect(ws?.getRow(2).values).toContain('330102195603120018');
    const ledger = open();
    try {
      expect(ledger.auditLog({ action: 'export-full' }).map((e) => e.actor)).toEqual(['admin']);
    } finally {
      ledger.close();
    }
  });

  it('bad options get clear errors', async () => {
    const kind = await gate(['export', '--what', 'people']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/choose one of passages, visitors, refusals, alerts, duty/);
    const day = await gate(['export', '--what', 'passages', '--from', '2026-02-30']);
    expect(day.code).toBe(1);
    expect(day.stderr).toMatch(/Dates are written YYYY-MM-DD/);
  });
});

describe('gate report', () => {
  it('prints the daily report of a day, and --send queues it for the hub', async () => {
    const r = await gate(['report', '--day', '2026-11-23', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ day: '2026-11-23', gateId: 'east-gate', siteId: 'test-village', refusals: 1, zeroReport: false });
    expect((report.entries as number) + (report.exits as number)).toBe(29);
    const text = await gate(['report', 'daily', '--day', '2026-11-22']);
    expect(text.stdout).toContain('零报告 zero report');
    const sent = await gate(['report', '--day', '2026-11-23', '--send']);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/queued for the hub as seq \d+/);
    const ledger = open();
    try {
      expect(ledger.outboxBatch(1000).filter((o) => o.kind === 'report').map((o) => o.payload.day)).toEqual(['2026-11-23']);
    } finally {
      ledger.close();
    }
  });

  it('a bad day gets a clear error', async () => {
    const r = await gate(['report', '--day', '2026-13-40']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/A report day is written YYYY-MM-DD \(got "2026-13-40"\)/);
  });
});
