// Roster import (一户一档) from the spreadsheets villages keep. Every problem is reported by row,
// column and reason; nothing is imported when there are problems unless `partial` is set.
// `gate roster import` and the kiosk both call importRoster().
import { createHash } from 'node:crypto';
import { validateResidentId } from '../gate/credentials/resident-id.js';
import type { HouseholdRecord, Ledger, PersonInput, RosterApplyResult, RosterChange, VehiclePermitRecord } from './api.js';
import type { Text } from '../gate/model.js';
import { COLUMNS, type Field, fieldOf, nearestHeader, parseBool, parseCategories, parseColour, parseDay, parseQuarantine, phoneKind } from './roster-columns.js';
import { IMPORT_TEXT, ImportError, importText } from './roster-messages.js';
import type { SheetRows } from './sheet-read.js';
import { addDays, localTime } from './time.js';

export type ProblemReason =
  | 'missing'
  | 'id-format'
  | 'id-region'
  | 'id-birth-date'
  | 'id-check-digit'
  | 'duplicate-id-number'
  | 'duplicate-person'
  | 'id-number-on-roster'
  | 'unknown-category'
  | 'bad-date'
  | 'bad-yes-no'
  | 'bad-phone'
  | 'bad-colour'
  | 'bad-quarantine'
  | 'quarantine-without-date'
  | 'bad-number'
  | 'conflicting-address';

/** Row findings that do not stop the import: the row is imported, the clerk should look. */
export type WarningReason = 'same-name' | 'unusual-phone';

export interface ImportProblem<R extends string = ProblemReason> {
  /** Row as the spreadsheet shows it (header row = 1). */
  row: number;
  /** Column header as written in the file (or the expected one when missing). */
  column: string;
  reason: R;
  /** What is wrong, in zh-CN (what the CLI prints by default). */
  zh: string;
  /** The same in English (`--lang en`). */
  message: string;
  /** The cell value, masked when it is an ID number or phone. */
  value?: string;
}

export interface ImportReport {
  file: string;
  encoding: SheetRows['encoding'];
  rows: number;
  /** Rows with no problem. */
  goodRows: number;
  problems: ImportProblem[];
  /** File-level notes (ignored columns with the nearest known name, no address column …), zh-CN and English. */
  warnings: ImportNote[];
  /** Rows imported but worth a look (same name in a household with different ID numbers, an unusual phone). */
  rowWarnings: ImportProblem<WarningReason>[];
  households: number;
  persons: number;
  cards: number;
  vehiclePermits: number;
  /** Whether the roster was changed. */
  imported: boolean;
  dryRun: boolean;
  applied?: RosterApplyResult;
}

export interface ImportOptions {
  partial?: boolean;
  dryRun?: boolean;
  actor?: string;
  timeZone: string;
  now: number;
}

export interface ImportNote extends Text {
  /** The header the note is about, as written in the file. */
  column?: string;
  /** The known header nearest to an unused one. */
  nearest?: string;
}

const REQUIRED: Field[] = ['householdId', 'name'];

function maskValue(field: Field, v: string): string {
  if (field === 'idNumber') return v.length > 8 ? `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}` : '*'.repeat(v.length);
  if (field === 'phone') return v.length > 7 ? `${v.slice(0, 3)}****${v.slice(-4)}` : '*'.repeat(v.length);
  return v;
}

function stablePersonId(householdId: string, idNumber: string | undefined, name: string): string {
  const h = createHash('sha256').update(idNumber ?? `${householdId}\u0000${name}`).digest('base64url').slice(0, 10);
  return `p-${householdId}-${h}`;
}

/** Parse and check rows; returns the change of the good rows and every problem. */
export function rowsToChange(sheet: SheetRows, opts: ImportOptions, onRoster: (idNumber: string) => string | undefined) {
  const problems: ImportProblem[] = [];
  const warnings: ImportNote[] = [];
  const rowWarnings: ImportProblem<WarningReason>[] = [];
  const [header, ...data] = sheet.rows;
  if (!header) throw new ImportError(importText.empty());
  const col = new Map<Field, number>();
  header.cells.forEach((h, i) => {
    const f = fieldOf(h);
    if (f && !col.has(f)) col.set(f, i);
    else if (h) {
      const nearest = nearestHeader(h);
      warnings.push({ ...importText.unusedColumn(h, nearest), column: h, ...(nearest ? { nearest } : {}) });
    }
  });
  const missingCols = REQUIRED.filter((f) => !col.has(f));
  if (missingCols.length) {
    throw new ImportError(importText.missingColumns(missingCols.map((f) => `${COLUMNS[f][0]} (${f})`).join(', '), header.cells.filter(Boolean).join(', ')));
  }
  if (!col.has('address')) warnings.push(importText.noAddress());
  const headerName = (f: Field) => header.cells[col.get(f) as number] ?? COLUMNS[f][0] ?? f;

  const households = new Map<string, HouseholdRecord>();
  const persons: PersonInput[] = [];
  const cards: NonNullable<RosterChange['cards']> = [];
  const permits: VehiclePermitRecord[] = [];
  const seenId = new Map<string, number>();
  const seenPerson = new Map<string, number>();
  const seenName = new Map<string, { row: number; idNumber?: string }>();
  let goodRows = 0;

  for (const { row, cells } of data) {
    const before = problems.length;
    const get = (f: Field) => (col.has(f) ? (cells[col.get(f) as number] ?? '').trim() : '');
    const finding = <R extends string>(f: Field, reason: R, t: Text): ImportProblem<R> => {
      const v = get(f);
      return { row, column: headerName(f), reason, zh: t.zh, message: t.en, ...(v ? { value: maskValue(f, v) } : {}) };
    };
    const bad = (f: Field, reason: ProblemReason, t: Text) => void problems.push(finding(f, reason, t));
    const warn = (f: Field, reason: WarningReason, t: Text) => void rowWarnings.push(finding(f, reason, t));
    const day = (f: Field): string | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const d = parseDay(v);
      if (!d) bad(f, 'bad-date', IMPORT_TEXT.badDate);
      return d;
    };
    const yesNo = (f: Field): boolean | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const b = parseBool(v);
      if (b === undefined) bad(f, 'bad-yes-no', IMPORT_TEXT.badYesNo);
      return b;
    };
    const count = (f: Field): number | undefined => {
      const v = get(f);
      if (!v) return undefined;
      if (!/^\d{1,3}$/.test(v)) {
        bad(f, 'bad-number', IMPORT_TEXT.badNumber);
        return undefined;
      }
      return Number(v);
    };

    const householdId = get('householdId');
    const name = get('name');
    if (!householdId) bad('householdId', 'missing', IMPORT_TEXT.missingHousehold);
    if (!name) bad('name', 'missing', IMPORT_TEXT.missingName);

    let idNumber: string | undefined = get('idNumber').replace(/^'/, '').toUpperCase() || undefined;
    if (idNumber) {
      const v = validateResidentId(idNumber, opts.now);
      if (!v.ok) {
        bad('idNumber', `id-${v.reason}` as ProblemReason, importText.idNumber(v.text, /E\+/i.test(idNumber)));
        idNumber = undefined;
      } else if (seenId.has(idNumber)) {
        bad('idNumber', 'duplicate-id-number', importText.duplicateIdNumber(seenId.get(idNumber) as number));
      } else {
        seenId.set(idNumber, row);
      }
    }
    const phone = get('phone');
    const phoneIs = phone ? phoneKind(phone) : undefined;
    if (phoneIs === 'bad') bad('phone', 'bad-phone', IMPORT_TEXT.badPhone);
    else if (phoneIs === 'unusual') warn('phone', 'unusual-phone', IMPORT_TEXT.unusualPhone);

    const cat = parseCategories(get('categories'));
    for (const u of cat.unknown) bad('categories', 'unknown-category', importText.unknownCategory(u));
    const tenant = yesNo('tenant');
    const resident = yesNo('resident');
    const vaccinated = yesNo('vaccinated');
    const colourText = get('health');
    const colour = colourText ? parseColour(colourText) : undefined;
    if (colourText && !colour) bad('health', 'bad-colour', IMPORT_TEXT.badColour);
    const qText = get('quarantine');
    const q = parseQuarantine(qText);
    if (qText && !q) bad('quarantine', 'bad-quarantine', IMPORT_TEXT.badQuarantine);
    const qUntil = day('quarantineUntil');
    if (q && q !== 'none' && !get('quarantineUntil')) bad('quarantineUntil', 'quarantine-without-date', IMPORT_TEXT.quarantineWithoutDate);
    const lastTest = day('lastTest');
    const registered = count('registeredResidents');
    const actual = count('actualResidents');

    const personId = get('personId') || (householdId && name ? stablePersonId(householdId, idNumber, name) : '');
    const nameKey = `${householdId}\u0000${name}`;
    const samePerson = seenPerson.get(personId);
    const sameName = seenName.get(nameKey);
    // Two people of one household may share a name (common in villages): different valid ID numbers tell them apart.
    const toldApart = sameName !== undefined && idNumber !== undefined && sameName.idNumber !== undefined && sameName.idNumber !== idNumber;
    if (personId && samePerson !== undefined) bad(get('personId') ? 'personId' : 'name', 'duplicate-person', importText.duplicatePerson(samePerson));
    else if (personId && sameName !== undefined && !toldApart) bad('name', 'duplicate-person', importText.duplicatePerson(sameName.row));
    else if (personId) {
      if (sameName !== undefined) warn('name', 'same-name', importText.sameName(sameName.row));
      seenPerson.set(personId, row);
      if (sameName === undefined) seenName.set(nameKey, { row, ...(idNumber ? { idNumber } : {}) });
    }
    if (idNumber && personId) {
      const holder = onRoster(idNumber);
      if (holder && holder !== personId) bad('idNumber', 'id-number-on-roster', importText.idOnRoster(holder));
    }

    const address = get('address');
    const known = households.get(householdId);
    if (known && address && known.address && known.address !== address) bad('address', 'conflicting-address', importText.conflictingAddress(householdId, known.address));

    if (problems.length > before) continue;
    goodRows++;
    const hh: HouseholdRecord = known ?? { id: householdId, address: address || householdId };
    if (!known || (!known.address && address)) hh.address = address || hh.address;
    const grid = get('grid');
    if (grid) hh.grid = grid;
    if (registered !== undefined) hh.registeredResidents = registered;
    if (actual !== undefined) hh.actualResidents = actual;
    households.set(householdId, hh);
    const categories = [...cat.codes, ...(tenant ? ['tenant'] : [])];
    persons.push({
      id: personId,
      householdId,
      name,
      ...(idNumber ? { idNumber } : {}),
      ...(phone ? { phone } : {}),
      resident: resident ?? true,
      categories,
      ...(q === 'none' ? { quarantine: null } : q && qUntil ? { quarantine: { kind: q, until: localTime(addDays(qUntil, 1), opts.timeZone) } } : {}),
      ...(colour ? { health: { colour, at: opts.now } } : {}),
      ...(lastTest ? { lastTestAt: localTime(lastTest, opts.timeZone) } : {}),
      ...(vaccinated !== undefined ? { vaccinated } : {}),
    });
    const cardId = get('cardId');
    if (cardId) cards.push({ id: cardId, type: 'person', personId, householdId, issuedBy: opts.actor ?? 'import' });
    const plate = get('plate').toUpperCase();
    if (plate) permits.push({ id: `vp-${plate}`, plate, householdId });
  }
  const change: RosterChange = { households: [...households.values()], persons, cards, vehiclePermits: permits };
  return { change, problems, warnings, rowWarnings, rows: data.length, goodRows };
}

export async function importRoster(ledger: Ledger, buf: Buffer, filename: string, opts: ImportOptions): Promise<ImportReport> {
  // The readers (iconv-lite's code pages, csv-parse, exceljs) are loaded on the first import, not at start.
  const { readSheet } = await import('./sheet-read.js');
  const sheet = await readSheet(buf, filename);
  const view = ledger.rosterView();
  const { change, problems, warnings, rowWarnings, rows, goodRows } = rowsToChange(sheet, opts, (n) => view.personByIdNumber(n)?.id);
  const report: ImportReport = {
    file: filename,
    encoding: sheet.encoding,
    rows,
    goodRows,
    problems,
    warnings,
    rowWarnings,
    households: change.households?.length ?? 0,
    persons: change.persons?.length ?? 0,
    cards: change.cards?.length ?? 0,
    vehiclePermits: change.vehiclePermits?.length ?? 0,
    imported: false,
    dryRun: opts.dryRun === true,
  };
  if (opts.dryRun || (problems.length > 0 && !opts.partial) || goodRows === 0) return report;
  report.applied = ledger.applyRoster(change, { actor: opts.actor ?? 'import' });
  report.imported = report.applied.result === 'applied';
  ledger.audit(opts.actor ?? 'import', 'roster-import', { file: filename, rows, imported: goodRows, problems: problems.length, partial: opts.partial === true });
  return report;
}
