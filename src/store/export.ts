// Ledger exports (台账导出) as CSV (UTF-8 with a BOM so Excel shows Chinese) or XLSX.
// `gate export` and the kiosk call exportLedger().

import type { ExportKind, ExportTable, Ledger } from './api.js';
import { loadExcel } from './excel.js';
import { addDays, isDay, localTime } from './time.js';

export type ExportFormat = 'csv' | 'xlsx';
export const EXPORT_KINDS: ExportKind[] = ['passages', 'visitors', 'refusals', 'alerts', 'duty'];

export interface ExportOptions {
  what: ExportKind;
  /** Local days 'YYYY-MM-DD', both inclusive. */
  from: string;
  to: string;
  format: ExportFormat;
  timeZone: string;
  full?: boolean;
  operatorId?: string;
}

export interface ExportResult {
  data: Buffer;
  filename: string;
  contentType: string;
  rows: number;
}

const SHEET: Record<ExportKind, string> = { passages: '出入登记', visitors: '外来人员登记', refusals: '劝返登记', alerts: '告警', duty: '值班表' };

/** A cell Excel would run as a formula is prefixed with ' (CSV injection). */
function safe(v: string | number): string | number {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function toCsv(t: ExportTable): Buffer {
  const cell = (v: string | number) => {
    const s = String(safe(v));
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [t.columns, ...t.rows].map((r) => r.map(cell).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toXlsx(t: ExportTable, sheet: string): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  const ws = wb.addWorksheet(sheet);
  ws.addRow(t.columns).font = { bold: true };
  for (const r of t.rows) ws.addRow(r.map(safe));
  ws.columns.forEach((c, i) => {
    c.width = Math.min(40, Math.max(10, (t.columns[i]?.length ?? 8) + 4));
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function exportLedger(ledger: Ledger, o: ExportOptions): Promise<ExportResult> {
  if (!EXPORT_KINDS.includes(o.what)) throw new Error(`Unknown ledger "${o.what}": choose ${EXPORT_KINDS.join(', ')}`);
  if (!isDay(o.from) || !isDay(o.to)) throw new Error('Dates are written YYYY-MM-DD, e.g. --from 2026-11-01 --to 2026-11-23');
  if (o.to < o.from) throw new Error(`The range ends (${o.to}) before it starts (${o.from})`);
  if (o.format !== 'csv' && o.format !== 'xlsx') throw new Error('The format is csv or xlsx');
  const table = ledger.exportRows(o.what, {
    from: localTime(o.from, o.timeZone),
    to: localTime(addDays(o.to, 1), o.timeZone),
    full: o.full === true,
    format: o.format,
    ...(o.operatorId ? { operatorId: o.operatorId } : {}),
  });
  const base = `${ledger.siteId}-${ledger.gateId}-${o.what}-${o.from}_${o.to}${o.full ? '-full' : ''}`;
  return o.format === 'csv'
    ? { data: toCsv(table), filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', rows: table.rows.length }
    : { data: await toXlsx(table, SHEET[o.what]), filename: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', rows: table.rows.length };
}
