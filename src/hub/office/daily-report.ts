// The daily report (日报) across compounds: one row per gate from the daily report the gate sent for
// the day (the latest one, if it sent several), a sum per compound and one for all (the township).
// A gate the hub knows that sent no report for the day is a missing report (marked red on screen).
// Epidemic-free days are the compound's, as the office set and reset them (./free-days.ts); a compound
// the office never set shows its gates' own count, marked so. Exported as CSV (UTF-8 with a BOM, GBK)
// and XLSX with typed cells; the print view (src/hub/public/print.js) fits one A4 page.

import iconv from 'iconv-lite';
import type { Kysely } from 'kysely';
import { loadExcel } from '../../store/excel.js';
import { toCsv } from '../../store/export.js';
import type { HubTables } from '../storage/tables.js';
import { type CompoundFreeDays, FreeDays } from './free-days.js';

export const REPORT_NUMS = ['entries', 'exits', 'refusals', 'feverAlerts', 'visitors', 'deliveries', 'inQuarantine', 'inMonitoring', 'returnees', 'alerts', 'peopleInside'] as const;
type Num = (typeof REPORT_NUMS)[number];

export interface ReportRow extends Record<Num, number> {
  site: string;
  gate: string | null;
  missing: boolean;
  zeroReport: boolean | null;
  epidemicFreeDays: number | null;
  /** Who the epidemic-free days come from: the office's count, or (never set) the gates' own. */
  freeDaysBy: 'office' | 'gates' | null;
  zoneLevel: string | null;
}

export interface DailyReportView {
  day: string;
  rows: ReportRow[];
  sites: ReportRow[];
  total: ReportRow;
  freeDays: CompoundFreeDays[];
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
// The gate's report names its alerts of note `notableAlerts`.
const FROM_GATE: Record<Num, string> = { entries: 'entries', exits: 'exits', refusals: 'refusals', feverAlerts: 'feverAlerts', visitors: 'visitors', deliveries: 'deliveries', inQuarantine: 'inQuarantine', inMonitoring: 'inMonitoring', returnees: 'returnees', alerts: 'notableAlerts', peopleInside: 'peopleInside' };
const zeros = () => Object.fromEntries(REPORT_NUMS.map((k) => [k, 0])) as Record<Num, number>;

export async function dailyReport(db: Kysely<HubTables>, day: string): Promise<DailyReportView> {
  const gates = await db.selectFrom('histories').select(['site', 'gate']).distinct().orderBy('site').orderBy('gate').execute();
  // The day's reports by the (day, site, gate, received_at) index, oldest first: the latest per gate is
  // kept (one query; a correlated max() per row was slow on PostgreSQL at a year of reports).
  const latest = await db.selectFrom('daily_reports').select(['site', 'gate', 'data']).where('day', '=', day).orderBy('received_at').execute();
  const byGate = new Map(
    latest.map((r) => {
      let d: Record<string, unknown> = {};
      try {
        d = JSON.parse(r.data) as Record<string, unknown>;
      } catch {}
      return [`${r.site}/${r.gate}`, d];
    }),
  );
  const rows: ReportRow[] = gates.map(({ site, gate }) => {
    const d = byGate.get(`${site}/${gate}`);
    if (!d) return { site, gate, missing: true, ...zeros(), zeroReport: null, epidemicFreeDays: null, freeDaysBy: null, zoneLevel: null };
    return {
      site,
      gate,
      missing: false,
      ...(Object.fromEntries(REPORT_NUMS.map((k) => [k, n(d[FROM_GATE[k]])])) as Record<Num, number>),
      zeroReport: typeof d.zeroReport === 'boolean' ? d.zeroReport : null,
      epidemicFreeDays: typeof d.epidemicFreeDays === 'number' ? d.epidemicFreeDays : null,
      freeDaysBy: typeof d.epidemicFreeDays === 'number' ? 'gates' : null,
      zoneLevel: typeof d.zoneLevel === 'string' ? d.zoneLevel : null,
    };
  });
  const siteNames = [...new Set(rows.map((r) => r.site))];
  const free = await new FreeDays(db).on(siteNames, day);
  const add = (rs: ReportRow[]) => Object.fromEntries(REPORT_NUMS.map((k) => [k, rs.reduce((a, r) => a + r[k], 0)])) as Record<Num, number>;
  const sites = siteNames.map((site): ReportRow => {
    const rs = rows.filter((r) => r.site === site);
    const f = free.get(site);
    const office = f?.days ?? null;
    // A compound the office never set: as free as its least free gate says (of those that reported).
    const told = rs.filter((r) => r.epidemicFreeDays !== null).map((r) => r.epidemicFreeDays as number);
    const gateDays = told.length ? Math.min(...told) : null;
    return {
      site,
      gate: null,
      missing: rs.some((r) => r.missing),
      ...add(rs),
      // 无病例零报告: every gate says so and the office recorded no case found that day; unknown while a gate's report is missing.
      zeroReport: f?.casesFoundThatDay || rs.some((r) => r.zeroReport === false) ? false : rs.every((r) => r.zeroReport === true) ? true : null,
      epidemicFreeDays: office ?? gateDays,
      freeDaysBy: office !== null ? 'office' : gateDays !== null ? 'gates' : null,
      zoneLevel: rs.find((r) => r.zoneLevel)?.zoneLevel ?? null,
    };
  });
  const total: ReportRow = {
    site: '',
    gate: null,
    missing: rows.some((r) => r.missing),
    ...add(rows),
    zeroReport: sites.some((s) => s.zeroReport === false) ? false : sites.length && sites.every((s) => s.zeroReport === true) ? true : null,
    epidemicFreeDays: sites.length && sites.every((s) => s.epidemicFreeDays !== null) ? Math.min(...sites.map((s) => s.epidemicFreeDays as number)) : null,
    freeDaysBy: null,
    zoneLevel: null,
  };
  return { day, rows, sites, total, freeDays: siteNames.map((s) => free.get(s) as CompoundFreeDays) };
}

const ZONE: Record<string, string> = { normal: '常态', precaution: '防范', controlled: '管控', sealed: '封控' };

export const REPORT_COLUMNS = [
  '小区 Compound',
  '卡口 Gate',
  '进 Entries',
  '出 Exits',
  '劝返 Refusals',
  '发热 Fevers',
  '访客 Visitors',
  '快递 Deliveries',
  '隔离 In quarantine',
  '健康监测 In monitoring',
  '返乡报备 Returnees',
  '告警 Alerts',
  '在内人员 Inside',
  '零报告 Zero report',
  '无疫情天数 Epidemic-free days',
  '防控等级 Zone',
  '状态 Status',
];

type Cell = string | number | null;

/** The table as exported: each compound's gates, then its subtotal; the total last. Numbers stay numbers. */
export function reportTable(r: DailyReportView): { columns: string[]; rows: Cell[][]; kinds: Array<'gate' | 'site' | 'total'>; missing: boolean[] } {
  const line = (x: ReportRow, kind: 'gate' | 'site' | 'total'): Cell[] => [
    kind === 'total' ? '合计 Total' : x.site,
    kind === 'gate' ? x.gate : kind === 'site' ? '小计 Subtotal' : '',
    ...REPORT_NUMS.map((k) => (kind === 'gate' && x.missing ? null : x[k])),
    x.zeroReport === null ? null : x.zeroReport ? '是' : '否',
    kind === 'gate' ? null : x.epidemicFreeDays,
    x.zoneLevel ? (ZONE[x.zoneLevel] ?? x.zoneLevel) : null,
    x.missing ? (kind === 'gate' ? '缺报 missing' : '有缺报 some missing') : '已报 reported',
  ];
  const rows: Cell[][] = [];
  const kinds: Array<'gate' | 'site' | 'total'> = [];
  const missing: boolean[] = [];
  for (const s of r.sites) {
    for (const g of r.rows.filter((x) => x.site === s.site)) {
      rows.push(line(g, 'gate'));
      kinds.push('gate');
      missing.push(g.missing);
    }
    rows.push(line(s, 'site'));
    kinds.push('site');
    missing.push(s.missing);
  }
  rows.push(line(r.total, 'total'));
  kinds.push('total');
  missing.push(r.total.missing);
  return { columns: REPORT_COLUMNS, rows, kinds, missing };
}

export function reportCsv(r: DailyReportView, encoding: 'utf8' | 'gbk'): Buffer {
  const t = reportTable(r);
  const utf8 = toCsv({ columns: t.columns, rows: t.rows.map((row) => row.map((c) => c ?? '')) });
  // GBK for the township's older Excel: the same text without the BOM.
  return encoding === 'gbk' ? iconv.encode(utf8.subarray(3).toString('utf8'), 'gbk') : utf8;
}

/** XLSX: numbers as numbers, the title and the day on top, missing reports in red, sums in bold. */
export async function reportXlsx(r: DailyReportView, generatedAt: string): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'checkpoint-gate hub';
  const ws = wb.addWorksheet(`日报 ${r.day}`, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 1 } });
  const t = reportTable(r);
  ws.addRow([`疫情防控日报 Daily report ${r.day}`]).font = { bold: true, size: 14 };
  ws.addRow([`生成 Generated ${generatedAt}`]);
  const head = ws.addRow(t.columns);
  head.font = { bold: true };
  head.alignment = { wrapText: true, vertical: 'middle' };
  t.rows.forEach((cells, i) => {
    const row = ws.addRow(cells);
    if (t.kinds[i] !== 'gate') row.font = { bold: true };
    if (t.missing[i] && t.kinds[i] === 'gate') {
      row.eachCell({ includeEmpty: true }, (c) => {
        c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDECEA' } };
        c.font = { bold: true, color: { argb: 'FFC62828' } };
      });
    }
  });
  ws.columns.forEach((c, i) => {
    c.width = i < 2 ? 16 : i >= 13 ? 14 : 10;
  });
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
