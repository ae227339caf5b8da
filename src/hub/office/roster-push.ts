// A roster push from a spreadsheet (XLSX, or CSV in UTF-8 / GBK): the rows are read and checked by
// the gate's own import (src/store/roster-import.ts: the same columns, the same checks of ID numbers,
// phones, dates, tiers, repeats), and every problem is named by row and column before anything is
// sent. Only a sheet with no problem becomes an update (a roster delta the gates apply in one
// transaction each): nothing half-sent.
import { type ImportProblem, type ImportReport, rowsToChange } from '../../store/roster-import.js';
import { ImportError } from '../../store/roster-messages.js';
import { readSheet, type SheetRows } from '../../store/sheet-read.js';
import type { WordDraft } from './downlinks.js';

/** The gate's import report (without what an import at the gate adds), and the update when clean. */
export type RosterCheck = Omit<ImportReport, 'imported' | 'dryRun' | 'applied'> & {
  /** The update to preview, only when there is no problem. */
  roster?: NonNullable<WordDraft['roster']>;
};

export class SheetError extends Error {
  constructor(
    readonly zh: string,
    en: string,
  ) {
    super(en);
  }
}

export async function checkRosterSheet(buf: Buffer, file: string, o: { now: number; timeZone?: string }): Promise<RosterCheck> {
  if (!buf.length) throw new SheetError('文件为空', 'The file is empty');
  let sheet: SheetRows;
  try {
    sheet = await readSheet(buf, file);
  } catch (err) {
    throw new SheetError(`无法读取表格：${(err as Error).message}`, `Cannot read the spreadsheet: ${(err as Error).message}`);
  }
  const timeZone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  let r: ReturnType<typeof rowsToChange>;
  try {
    // The hub holds no roster of its own: the gate checks an ID number against its roster when it applies.
    r = rowsToChange(sheet, { now: o.now, timeZone, actor: 'hub' }, () => undefined);
  } catch (err) {
    if (err instanceof ImportError) throw new SheetError(err.text.zh, err.text.en);
    throw err;
  }
  const c = r.change;
  const out: RosterCheck = {
    file,
    encoding: sheet.encoding,
    rows: r.rows,
    goodRows: r.goodRows,
    problems: r.problems,
    warnings: r.warnings,
    rowWarnings: r.rowWarnings,
    households: c.households?.length ?? 0,
    persons: c.persons?.length ?? 0,
    cards: c.cards?.length ?? 0,
    vehiclePermits: c.vehiclePermits?.length ?? 0,
  };
  if (!r.problems.length && r.goodRows > 0) out.roster = { file, households: c.households ?? [], persons: c.persons ?? [], cards: c.cards ?? [], vehiclePermits: c.vehiclePermits ?? [] };
  return out;
}

/** The problems as one message (the first few, by row), for a refusal. */
export function problemsText(p: ImportProblem[]): { zh: string; en: string } {
  const few = p.slice(0, 5);
  const more = p.length > few.length ? p.length - few.length : 0;
  return {
    zh: `表格有 ${p.length} 处问题，未下发：${few.map((x) => `第 ${x.row} 行“${x.column}”列：${x.zh}`).join('；')}${more ? `；另有 ${more} 处` : ''}`,
    en: `The spreadsheet has ${p.length} problem(s); nothing sent: ${few.map((x) => `row ${x.row}, column ${x.column}: ${x.message}`).join('; ')}${more ? `; ${more} more` : ''}`,
  };
}
