// Reading a spreadsheet into rows of text: CSV in UTF-8 (with or without BOM), UTF-16 (Excel's
// "Unicode text"), GBK/GB18030 (what Excel in China saves as "CSV"), and XLSX.
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { loadExcel } from './excel.js';

export interface SheetRows {
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'gb18030' | 'xlsx';
  /** Row number as the spreadsheet shows it (header = 1) and the cells as text. */
  rows: Array<{ row: number; cells: string[] }>;
}

export function decodeText(buf: Buffer): { text: string; encoding: SheetRows['encoding'] } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le'), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' };
  } catch {
    // Not valid UTF-8: Excel on a Chinese Windows writes CSV in the ANSI code page (GBK; GB18030 is its superset).
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  }
}

function readCsv(buf: Buffer): SheetRows {
  const { text, encoding } = decodeText(buf);
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (first.match(/\t/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? '\t' : first.includes(',') || !first.includes('；') ? ',' : '；';
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as never;
  } catch (err) {
    throw new Error(`The CSV file cannot be read: ${(err as Error).message}`);
  }
  return { encoding, rows: records.map((r) => ({ row: r.info.lines, cells: r.record.map((c) => c.trim()) })) };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v == null) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid date' : v.toISOString().slice(0, 10);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return '';
  }
  return String(v);
}

async function readXlsx(buf: Buffer): Promise<SheetRows> {
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(buf as never);
  } catch (err) {
    throw new Error(`The XLSX file cannot be read (is it an Excel 2007+ workbook?): ${(err as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('The workbook has no worksheet');
  const rows: SheetRows['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).trim());
    if (cells.some((c) => c !== '')) rows.push({ row: rowNumber, cells });
  });
  return { encoding: 'xlsx', rows };
}

/** Choose by file name, then by content (an XLSX is a zip: "PK"). */
export async function readSheet(buf: Buffer, filename: string): Promise<SheetRows> {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.xls')) throw new Error('Old .xls workbooks are not supported: save the file as .xlsx or CSV in Excel');
  if (lower.endsWith('.xlsx') || (buf[0] === 0x50 && buf[1] === 0x4b)) return readXlsx(buf);
  return readCsv(buf);
}
