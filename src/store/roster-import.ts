// Roster import (一户一档) from the spreadsheets villages keep. Every problem is reported by row,
// column and reason; nothing is imported when there are problems unless `partial` is set.
// `gate roster import` and the kiosk both call importRoster().
import { createHash } from 'node:crypto';
import { validateResidentId } from '../gate/credentials/resident-id.js';
import type { HouseholdRecord, Ledger, PersonInput, RosterApplyResult, RosterChange, VehiclePermitRecord } from './api.js';
import { COLUMNS, type Field, fieldOf, parseBool, parseCategories, parseColour, parseDay, parseQuarantine } from './roster-columns.js';
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

export interface ImportProblem {
  /** Row as the spreadsheet shows it (header row = 1). */
  row: number;
  /** Column header as written in the file (or the expected one when missing). */
  column: string;
  reason: ProblemReason;
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
  /** File-level notes (ignored columns …). */
  warnings: string[];
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
  const warnings: string[] = [];
  const [header, ...data] = sheet.rows;
  if (!header) throw new Error('The file is empty: the first row must hold the column headers (户号, 姓名, 身份证号 …)');
  const col = new Map<Field, number>();
  header.cells.forEach((h, i) => {
    const f = fieldOf(h);
    if (f && !col.has(f)) col.set(f, i);
    else if (h) warnings.push(`Column "${h}" is not used (see docs/roster-import.md for the column names)`);
  });
  const missingCols = REQUIRED.filter((f) => !col.has(f));
  if (missingCols.length) {
    throw new Error(`The header row lacks the column(s) ${missingCols.map((f) => `${COLUMNS[f][0]} (${f})`).join(', ')}; found: ${header.cells.filter(Boolean).join(', ')}`);
  }
  const headerName = (f: Field) => header.cells[col.get(f) as number] ?? COLUMNS[f][0] ?? f;

  const households = new Map<string, HouseholdRecord>();
  const persons: PersonInput[] = [];
  const cards: NonNullable<RosterChange['cards']> = [];
  const permits: VehiclePermitRecord[] = [];
  const seenId = new Map<string, number>();
  const seenPerson = new Map<string, number>();
  let goodRows = 0;

  for (const { row, cells } of data) {
    const before = problems.length;
    const get = (f: Field) => (col.has(f) ? (cells[col.get(f) as number] ?? '').trim() : '');
    const bad = (f: Field, reason: ProblemReason, message: string) => {
      const v = get(f);
      problems.push({ row, column: headerName(f), reason, message, ...(v ? { value: maskValue(f, v) } : {}) });
    };
    const day = (f: Field): string | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const d = parseDay(v);
      if (!d) bad(f, 'bad-date', 'Not a date: write it as YYYY-MM-DD, e.g. 2026-11-23');
      return d;
    };
    const yesNo = (f: Field): boolean | undefined => {
      const v = get(f);
      if (!v) return undefined;
      const b = parseBool(v);
      if (b === undefined) bad(f, 'bad-yes-no', 'Write 是 or 否 (yes or no)');
      return b;
    };
    const count = (f: Field): number | undefined => {
      const v = get(f);
      if (!v) return undefined;
      if (!/^\d{1,3}$/.test(v)) {
        bad(f, 'bad-number', 'Write a whole number of people');
        return undefined;
      }
      return Number(v);
    };

    const householdId = get('householdId');
    const name = get('name');
    if (!householdId) bad('householdId', 'missing', 'Every row needs a household number (户号)');
    if (!name) bad('name', 'missing', 'Every row needs a name (姓名)');

    let idNumber: string | undefined = get('idNumber').replace(/^'/, '').toUpperCase() || undefined;
    if (idNumber) {
      const v = validateResidentId(idNumber, opts.now);
      if (!v.ok) {
        const hint = /E\+/i.test(idNumber) ? ' (Excel turned it into a number: format the column as text and type it again)' : '';
        bad('idNumber', `id-${v.reason}` as ProblemReason, `${v.text.en}${hint}`);
        idNumber = undefined;
      } else if (seenId.has(idNumber)) {
        bad('idNumber', 'duplicate-id-number', `The same ID number is already on row ${seenId.get(idNumber)}`);
      } else {
        seenId.set(idNumber, row);
      }
    }
    const phone = get('phone');
    if (phone && !/^\+?[\d -]{5,20}$/.test(phone)) bad('phone', 'bad-phone', 'A phone number holds digits only (spaces, dashes and a leading + allowed)');

    const cat = parseCategories(get('categories'));
    for (const u of cat.unknown) bad('categories', 'unknown-category', `Unknown category "${u}"; use the names listed in docs/roster-import.md, separated by 、`);
    const tenant = yesNo('tenant');
    const resident = yesNo('resident');
    const vaccinated = yesNo('vaccinated');
    const colourText = get('health');
    const colour = colourText ? parseColour(colourText) : undefined;
    if (colourText && !colour) bad('health', 'bad-colour', 'Write 绿, 黄 or 红 (green, yellow, red)');
    const qText = get('quarantine');
    const q = parseQuarantine(qText);
    if (qText && !q) bad('quarantine', 'bad-quarantine', 'Write 居家隔离, 集中隔离 or 无');
    const qUntil = day('quarantineUntil');
    if ((q === 'home' || q === 'central') && !get('quarantineUntil')) bad('quarantineUntil', 'quarantine-without-date', 'A person in quarantine needs the day it ends (隔离截止)');
    const lastTest = day('lastTest');
    const registered = count('registeredResidents');
    const actual = count('actualResidents');

    const personId = get('personId') || (householdId && name ? stablePersonId(householdId, idNumber, name) : '');
    const nameKey = `${householdId}\u0000${name}`;
    const dupRow = seenPerson.get(personId) ?? seenPerson.get(nameKey);
    if (personId && dupRow !== undefined) bad(get('personId') ? 'personId' : 'name', 'duplicate-person', `The same person is already on row ${dupRow}`);
    else if (personId) {
      seenPerson.set(personId, row);
      seenPerson.set(nameKey, row);
    }
    if (idNumber && personId) {
      const holder = onRoster(idNumber);
      if (holder && holder !== personId) bad('idNumber', 'id-number-on-roster', `This ID number belongs to another person on the roster (${holder})`);
    }

    const address = get('address');
    const known = households.get(householdId);
    if (known && address && known.address && known.address !== address) bad('address', 'conflicting-address', `Household ${householdId} has address "${known.address}" on an earlier row`);

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
  return { change, problems, warnings, rows: data.length, goodRows };
}

export async function importRoster(ledger: Ledger, buf: Buffer, filename: string, opts: ImportOptions): Promise<ImportReport> {
  // The readers (iconv-lite's code pages, csv-parse, exceljs) are loaded on the first import, not at start.
  const { readSheet } = await import('./sheet-read.js');
  const sheet = await readSheet(buf, filename);
  const view = ledger.rosterView();
  const { change, problems, warnings, rows, goodRows } = rowsToChange(sheet, opts, (n) => view.personByIdNumber(n)?.id);
  const report: ImportReport = {
    file: filename,
    encoding: sheet.encoding,
    rows,
    goodRows,
    problems,
    warnings,
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
