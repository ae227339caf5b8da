// The daily report (日报) across compounds: one row per gate from the daily report the gate sent for
// the day (the latest one, if it sent several), a sum per compound and one for all (the township).
// A gate the hub knows that sent no report for the day is a missing report (marked red on screen).

import iconv from 'iconv-lite';
import { type Kysely, sql } from 'kysely';
import { toCsv } from '../../store/export.js';
import type { HubTables } from '../storage/tables.js';

export interface ReportRow {
  site: string;
  gate: string | null;
  missing: boolean;
  entries: number;
  exits: number;
  visitors: number;
  refusals: number;
  feverAlerts: number;
  peopleInside: number;
  zeroReport: boolean | null;
  epidemicFreeDays: number | null;
  zoneLevel: string | null;
}

const NUMS = ['entries', 'exits', 'visitors', 'refusals', 'feverAlerts', 'peopleInside'] as const;
const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export async function dailyReport(db: Kysely<HubTables>, day: string): Promise<{ day: string; rows: ReportRow[]; sites: ReportRow[]; total: ReportRow }> {
  const gates = await db.selectFrom('histories').select(['site', 'gate']).distinct().orderBy('site').orderBy('gate').execute();
  // The day's reports oldest first, the latest per gate kept (a correlated max() per row took 0.5 s
  // on PostgreSQL at a year of reports: bench/office.ts).
  const latest = await db.selectFrom('daily_reports').select(['site', 'gate', 'data']).where('day', '=', day).orderBy('received_at').execute();
  const byGate = new Map(latest.map((r) => [`${r.site}/${r.gate}`, JSON.parse(r.data) as Record<string, unknown>]));
  const rows: ReportRow[] = gates.map(({ site, gate }) => {
    const d = byGate.get(`${site}/${gate}`);
    if (!d) return { site, gate, missing: true, entries: 0, exits: 0, visitors: 0, refusals: 0, feverAlerts: 0, peopleInside: 0, zeroReport: null, epidemicFreeDays: null, zoneLevel: null };
    return {
      site,
      gate,
      missing: false,
      ...Object.fromEntries(NUMS.map((k) => [k, n(d[k])])),
      zeroReport: typeof d.zeroReport === 'boolean' ? d.zeroReport : null,
      epidemicFreeDays: typeof d.epidemicFreeDays === 'number' ? d.epidemicFreeDays : null,
      zoneLevel: typeof d.zoneLevel === 'string' ? d.zoneLevel : null,
    } as ReportRow;
  });
  const sum = (site: string, rs: ReportRow[]): ReportRow => ({
    site,
    gate: null,
    missing: rs.some((r) => r.missing),
    ...(Object.fromEntries(NUMS.map((k) => [k, rs.reduce((a, r) => a + r[k], 0)])) as Record<(typeof NUMS)[number], number>),
    zeroReport: rs.every((r) => r.zeroReport === true),
    // A compound is as many days free as its least free gate says.
    epidemicFreeDays: rs.some((r) => r.epidemicFreeDays === null) ? null : Math.min(...rs.map((r) => r.epidemicFreeDays as number)),
    zoneLevel: null,
  });
  const sites = [...new Set(rows.map((r) => r.site))].map((s) => sum(s, rows.filter((r) => r.site === s)));
  return { day, rows, sites, total: sum('', rows) };
}

const COLUMNS = ['小区 Compound', '卡口 Gate', '进 Entries', '出 Exits', '访客 Visitors', '拒绝 Refusals', '发热 Fevers', '在内人员 Inside', '零报告 Zero report', '无疫情天数 Epidemic-free days', '防控等级 Zone', '状态 Status'];

export function reportCsv(r: Awaited<ReturnType<typeof dailyReport>>, encoding: 'utf8' | 'gbk'): Buffer {
  const line = (x: ReportRow, label?: string): Array<string | number> => [
    x.site || '合计 Total',
    label ?? x.gate ?? '',
    x.entries,
    x.exits,
    x.visitors,
    x.refusals,
    x.feverAlerts,
    x.peopleInside,
    x.zeroReport === null ? '' : x.zeroReport ? '是' : '否',
    x.epidemicFreeDays ?? '',
    x.zoneLevel ?? '',
    x.missing ? '缺报 missing' : '',
  ];
  const table = { columns: COLUMNS, rows: [...r.rows.map((x) => line(x)), ...r.sites.map((x) => line(x, '小计 Subtotal')), line(r.total, '')] };
  const utf8 = toCsv(table);
  // GBK for the township's older Excel: the same text without the BOM.
  return encoding === 'gbk' ? iconv.encode(utf8.subarray(3).toString('utf8'), 'gbk') : utf8;
}
