import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { phoneKind } from '../../src/store/roster-columns.js';
import { importRoster } from '../../src/store/roster-import.js';

const NOW = Date.UTC(2026, 10, 23, 2);
const TZ = 'Asia/Shanghai';
const file = (name: string) => readFileSync(new URL(`../fixtures/roster/${name}`, import.meta.url));
const open = () => openLedger({ path: ':memory:', clock: { now: () => NOW, synced: () => true }, gateId: 'g', siteId: 's', timeZone: TZ });
const opts = { timeZone: TZ, now: NOW };

describe('roster import: the same roster in every encoding and format', () => {
  it.each([
    ['roster-utf8.csv', 'utf-8'],
    ['roster-utf8-bom.csv', 'utf-8-bom'],
    ['roster-gbk.csv', 'gb18030'],
    ['roster-utf16.txt', 'utf-16le'],
    ['roster.xlsx', 'xlsx'],
  ])('%s (%s)', async (name, encoding) => {
    const ledger = open();
    const r = await importRoster(ledger, file(name), name, opts);
    expect(r).toMatchObject({ encoding, rows: 6, goodRows: 6, problems: [], imported: true, households: 4, persons: 6, cards: 4, vehiclePermits: 1 });
    const people = ledger.persons();
    const wang = people.find((p) => p.name === '王建国');
    expect(wang).toMatchObject({ householdId: 'A-001', idNumberMasked: '3301**********0018', phoneMasked: '138****0001', categories: ['elderly-alone', 'chronic'], health: { colour: 'green' }, vaccinated: true });
    expect(wang?.lastTestAt).toBe(Date.UTC(2026, 10, 19, 16)); // 2026-11-20 00:00 in Shanghai
    const li = people.find((p) => p.name === '李强');
    // Quarantine until 2026-11-30 means through that day: ends at 12-01 00:00 local.
    expect(li).toMatchObject({ categories: ['tenant'], quarantine: { kind: 'home', until: Date.UTC(2026, 10, 30, 16) }, health: { colour: 'yellow' }, vaccinated: false });
    expect(people.find((p) => p.name === '陈志明')?.quarantine).toEqual({ kind: 'central', until: Date.UTC(2026, 11, 5, 16) });
    expect(people.find((p) => p.name === '张丽')?.categories).toEqual(['pregnant', 'tenant']);
    expect(ledger.households({ grid: '第一网格' }).map((h) => h.address)).toEqual(['东村1组12号', '东村1组15号']);
    expect(ledger.rosterView().card('card-0001')?.householdId).toBe('A-001');
    expect(ledger.vehiclePermits()[0]).toMatchObject({ plate: '浙A12345', householdId: 'A-001' });
    expect(ledger.auditLog({ action: 'roster-import' })).toHaveLength(1);
  });

  it('importing the same file twice updates, not duplicates', async () => {
    const ledger = open();
    await importRoster(ledger, file('roster-utf8.csv'), 'a.csv', opts);
    const again = await importRoster(ledger, file('roster.xlsx'), 'a.xlsx', opts);
    expect(again.problems).toEqual([]);
    expect(ledger.rosterStats().persons).toBe(6);
  });
});

describe('roster import: bad rows of every kind', () => {
  const expected = [
    [3, '户号', 'missing'],
    [4, '姓名', 'missing'],
    [5, '身份证号', 'id-check-digit'],
    [6, '身份证号', 'id-format'],
    [7, '身份证号', 'id-birth-date'],
    [8, '身份证号', 'duplicate-id-number'],
    [9, '类别', 'unknown-category'],
    [10, '核酸日期', 'bad-date'],
    [11, '是否租户', 'bad-yes-no'],
    [12, '联系电话', 'bad-phone'],
    [13, '健康码', 'bad-colour'],
    [14, '隔离状态', 'bad-quarantine'],
    [15, '隔离截止', 'quarantine-without-date'],
    [16, '姓名', 'duplicate-person'],
    [17, '住址/门牌', 'conflicting-address'],
  ];

  it.each(['roster-bad.csv', 'roster-bad-gbk.csv', 'roster-bad.xlsx'])('%s: reports each by row, column and reason and imports nothing', async (name) => {
    const ledger = open();
    const r = await importRoster(ledger, file(name), name, opts);
    expect(r.problems.map((p) => [p.row, p.column, p.reason])).toEqual(expected);
    expect(r.goodRows).toBe(2);
    expect(r.imported).toBe(false);
    expect(ledger.rosterStats().persons).toBe(0);
    expect(ledger.rosterVersion()).toBe(0);
    // Problem values never show an ID number in full.
    expect(JSON.stringify(r.problems)).not.toMatch(/\d{17}[\dX]/);
    expect(r.problems.find((p) => p.reason === 'id-format')?.message).toMatch(/format the column as text/);
    // zh-CN first: every problem says it in Chinese too.
    expect(r.problems.find((p) => p.reason === 'id-format')?.zh).toMatch(/设为“文本”格式/);
    expect(r.problems.every((p) => /[\u4e00-\u9fff]/.test(p.zh))).toBe(true);
  });

  it('--partial imports the good rows only', async () => {
    const ledger = open();
    const r = await importRoster(ledger, file('roster-bad.csv'), 'bad.csv', { ...opts, partial: true });
    expect(r.imported).toBe(true);
    expect(ledger.persons().map((p) => p.name).sort()).toEqual(['杨九', '赵六']);
  });

  it('--dry-run imports nothing even when the file is good', async () => {
    const ledger = open();
    const r = await importRoster(ledger, file('roster-utf8.csv'), 'a.csv', { ...opts, dryRun: true });
    expect(r).toMatchObject({ goodRows: 6, imported: false, dryRun: true });
    expect(ledger.rosterStats().persons).toBe(0);
  });

  it('an ID number held by another person on the roster is a problem', async () => {
    const ledger = open();
    ledger.applyRoster({ households: [{ id: 'Z', address: 'z' }], persons: [{ id: 'someone', householdId: 'Z', name: '别人', idNumber: '330102195603120018' }] });
    const r = await importRoster(ledger, file('roster-utf8.csv'), 'a.csv', opts);
    expect(r.problems.map((p) => [p.row, p.reason])).toEqual([[2, 'id-number-on-roster']]);
    expect(r.imported).toBe(false);
  });

  it('a file without the required columns, an empty file and an .xls get a clear error', async () => {
    const ledger = open();
    await expect(importRoster(ledger, Buffer.from('地址,电话\n东村,1\n'), 'x.csv', opts)).rejects.toThrow(/户号.*姓名/);
    await expect(importRoster(ledger, Buffer.from(''), 'x.csv', opts)).rejects.toThrow(/empty/);
    await expect(importRoster(ledger, Buffer.from('abc'), 'x.xls', opts)).rejects.toThrow(/\.xlsx or CSV/);
    await expect(importRoster(ledger, Buffer.from('PK\u0003\u0004garbage'), 'x.xlsx', opts)).rejects.toThrow(/XLSX/);
  });

  it('English headers work and unknown columns are reported as warnings', async () => {
    const ledger = open();
    const csv = 'household,name,idNumber,notes\nH1,Li Lei,,friendly\n';
    const r = await importRoster(ledger, Buffer.from(csv), 'en.csv', opts);
    expect(r.imported).toBe(true);
    expect(r.warnings.map((w) => w.en)).toEqual(['Column "notes" is not used (see docs/roster-import.md for the column names)', expect.stringMatching(/^No address column/)]);
  });
});

describe('roster import: a real village roster (门牌地址, same names, phones as clerks write them)', () => {
  it('imports two people of one household with the same name and different ID numbers, with a warning naming the row', async () => {
    const ledger = open();
    const r = await importRoster(ledger, file('roster-village.csv'), 'village.csv', opts);
    expect(r.problems).toEqual([]);
    expect(r.imported).toBe(true);
    expect(ledger.persons({ householdId: 'D-001' }).map((p) => p.name)).toEqual(['王秀英', '王秀英']);
    expect(r.rowWarnings.map((w) => [w.row, w.column, w.reason])).toEqual([
      [3, '姓名', 'same-name'],
      [4, '联系电话', 'unusual-phone'],
    ]);
    expect(r.rowWarnings[0]?.zh).toContain('第 2 行');
    expect(r.rowWarnings[1]?.value).toBe('138****1000');
  });

  it('reads 门牌地址 as the address, and names the nearest known header of an unknown one', async () => {
    const ledger = open();
    const r = await importRoster(ledger, file('roster-village.csv'), 'village.csv', opts);
    expect(ledger.households({}).map((h) => h.address)).toEqual(['北村3组7号', '北村3组9号']);
    expect(r.warnings.map((w) => [w.column, w.nearest])).toEqual([
      ['健康吗', '健康码'],
      ['备注', undefined],
    ]);
    expect(r.warnings[0]?.zh).toBe('列“健康吗”未使用：最接近的已知列名是“健康码”（列名见 docs/roster-import.md）');
  });

  it.each(['门牌号', '门牌地址', '住址', '家庭住址', '地址', '家庭地址', '居住地址', '现住址', '详细地址'])('accepts %s as the address column', async (h) => {
    const ledger = open();
    const r = await importRoster(ledger, Buffer.from(`户号,姓名,${h}\nH1,张三,东村5号\n`), 'a.csv', opts);
    expect(r.warnings).toEqual([]);
    expect(ledger.households({})[0]?.address).toBe('东村5号');
  });

  it('says when there is no address column at all', async () => {
    const r = await importRoster(open(), Buffer.from('户号,姓名\nH1,张三\n'), 'a.csv', opts);
    expect(r.warnings.map((w) => w.en)).toEqual([expect.stringMatching(/No address column/)]);
  });

  it('still refuses the same name twice in a household when the ID numbers cannot tell them apart', async () => {
    const r = await importRoster(open(), Buffer.from(`户号,姓名,身份证号\nH1,张三,330102195603120018\nH1,张三,\n`), 'a.csv', opts);
    expect(r.problems.map((p) => [p.row, p.reason])).toEqual([[3, 'duplicate-person']]);
  });
});

describe('phones as clerks write them', () => {
  it.each([
    ['13805710001', 'mobile'],
    ['138 0571 0001', 'mobile'],
    ['+86 139 0571 0004', 'mobile'],
    ['8613905710004', 'mobile'],
    ['0571-88886666', 'landline'],
    ['010-6512 3456', 'landline'],
    ['0571-8888666', 'landline'],
    ['1380571000', 'unusual'],
    ['12805710001', 'unusual'],
    ['88886666', 'unusual'],
    ['电话未知', 'bad'],
  ])('%s is %s', (v, kind) => {
    expect(phoneKind(v)).toBe(kind);
  });
});

describe('roster import: the three health tiers (seed 000, 篇4)', () => {
  it('reads 居家隔离医学观察, 居家健康监测 and 日常健康监测 as three tiers, each with its end day', async () => {
    const ledger = open();
    const csv = '户号,姓名,隔离状态,隔离截止\nH1,甲,居家隔离医学观察,2026-11-30\nH1,乙,居家健康监测,2026-11-30\nH2,丙,日常健康监测,2026-11-30\nH3,丁,居家健康监测,\n';
    const r = await importRoster(ledger, Buffer.from(csv), 'tiers.csv', opts);
    expect(r.problems.map((p) => [p.row, p.reason])).toEqual([[5, 'quarantine-without-date']]);
    await importRoster(ledger, Buffer.from(csv), 'tiers.csv', { ...opts, partial: true });
    expect(Object.fromEntries(ledger.persons().map((p) => [p.name, p.quarantine?.kind]))).toEqual({ 甲: 'home', 乙: 'monitoring', 丙: 'daily', 丁: undefined });
    expect(ledger.rosterStats()).toMatchObject({ inQuarantine: 1, byTier: { home: 1, monitoring: 1, daily: 1 } });
  });
});
