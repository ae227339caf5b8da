// The roster's row writes, the same for the gate's own tables (./roster.ts, one transaction on the
// gate's connection) and for the staging tables a large roster from the hub is written into
// (./roster-swap.ts, in the downlink worker): a snapshot or a delta means the same rows either way.
import type Database from 'better-sqlite3';
import { idTail } from './mask.js';
import type { PersonInput, PersonRow, RosterChange } from './roster-records.js';

/** A person's row: fields not given keep their value in `old`; null clears. */
export function personParams(p: PersonInput, now: number, old: PersonRow | undefined): PersonRow {
  const pick = <K extends keyof PersonInput>(k: K) => p[k] !== undefined;
  const idNumber = pick('idNumber') ? (p.idNumber?.trim().toUpperCase() ?? null) : (old?.id_number ?? null);
  return {
    id: p.id,
    household_id: p.householdId,
    name: p.name,
    id_number: idNumber || null,
    id_tail: idNumber ? idTail(idNumber) : null,
    phone: pick('phone') ? (p.phone ?? null) : (old?.phone ?? null),
    resident: p.resident === undefined ? (old?.resident ?? 1) : p.resident ? 1 : 0,
    categories: p.categories ? JSON.stringify([...new Set(p.categories)]) : (old?.categories ?? '[]'),
    quarantine_kind: pick('quarantine') ? (p.quarantine?.kind ?? null) : (old?.quarantine_kind ?? null),
    quarantine_until: pick('quarantine') ? (p.quarantine?.until ?? null) : (old?.quarantine_until ?? null),
    health_colour: pick('health') ? (p.health?.colour ?? null) : (old?.health_colour ?? null),
    health_at: pick('health') ? (p.health?.at ?? null) : (old?.health_at ?? null),
    last_test_at: pick('lastTestAt') ? (p.lastTestAt ?? null) : (old?.last_test_at ?? null),
    vaccinated: pick('vaccinated') ? (p.vaccinated == null ? null : p.vaccinated ? 1 : 0) : (old?.vaccinated ?? null),
    risk_area: pick('riskTravel') ? (p.riskTravel?.area ?? null) : (old?.risk_area ?? null),
    risk_at: pick('riskTravel') ? (p.riskTravel?.at ?? null) : (old?.risk_at ?? null),
    updated_at: now,
  };
}

type RosterLists = Required<Pick<RosterChange, 'households' | 'cards' | 'vehiclePermits'>>;

/** A household's row (named parameters of the upsert). */
export function householdParams(h: RosterLists['households'][number], now: number) {
  return { id: h.id, address: h.address, grid: h.grid ?? null, registered: h.registeredResidents ?? null, actual: h.actualResidents ?? null, note: h.note ?? null, now };
}

export function cardParams(c: RosterLists['cards'][number], now: number) {
  return {
    id: c.id,
    type: c.type,
    person_id: c.personId ?? null,
    household_id: c.householdId ?? null,
    plate: c.vehiclePlate ?? null,
    validity: c.validity ? JSON.stringify(c.validity) : null,
    issued_at: c.issuedAt ?? now,
    expires_at: c.expiresAt ?? null,
    revoked_at: c.revokedAt ?? null,
    revoked_reason: c.revokedReason ?? null,
    issued_by: c.issuedBy ?? null,
  };
}

export function permitParams(vp: RosterLists['vehiclePermits'][number]) {
  return { id: vp.id, plate: vp.plate, household_id: vp.householdId ?? null, valid_from: vp.validFrom ?? null, valid_to: vp.validTo ?? null, revoked_at: vp.revokedAt ?? null };
}

export type RosterTable = 'households' | 'persons' | 'cards' | 'vehicle_permits';
export const ROSTER_TABLES: readonly RosterTable[] = ['households', 'persons', 'cards', 'vehicle_permits'];

/**
 * Upserts and removals on the roster tables, or on tables of the same shape named by `name` (the
 * staging copies). A person given in part keeps the fields it does not name (null clears); a
 * household keeps its grid, counts and note unless given; a card keeps when and by whom it was issued.
 */
export function rosterWrites(db: Database.Database, name: (t: RosterTable) => string = (t) => t) {
  const upHousehold = db.prepare(`INSERT INTO ${name('households')} (id, address, grid, registered_residents, actual_residents, note, updated_at)
    VALUES (@id, @address, @grid, @registered, @actual, @note, @now)
    ON CONFLICT(id) DO UPDATE SET address = excluded.address, grid = coalesce(excluded.grid, grid),
      registered_residents = coalesce(excluded.registered_residents, registered_residents),
      actual_residents = coalesce(excluded.actual_residents, actual_residents), note = coalesce(excluded.note, note), updated_at = excluded.updated_at`);
  const getPerson = db.prepare<[string], PersonRow>(`SELECT * FROM ${name('persons')} WHERE id = ?`);
  const upPerson = db.prepare(`INSERT INTO ${name('persons')} (id, household_id, name, id_number, id_tail, phone, resident, categories, quarantine_kind, quarantine_until,
      health_colour, health_at, last_test_at, vaccinated, risk_area, risk_at, updated_at)
    VALUES (@id, @household_id, @name, @id_number, @id_tail, @phone, @resident, @categories, @quarantine_kind, @quarantine_until,
      @health_colour, @health_at, @last_test_at, @vaccinated, @risk_area, @risk_at, @updated_at)
    ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, name = excluded.name, id_number = excluded.id_number, id_tail = excluded.id_tail,
      phone = excluded.phone, resident = excluded.resident, categories = excluded.categories, quarantine_kind = excluded.quarantine_kind,
      quarantine_until = excluded.quarantine_until, health_colour = excluded.health_colour, health_at = excluded.health_at,
      last_test_at = excluded.last_test_at, vaccinated = excluded.vaccinated, risk_area = excluded.risk_area, risk_at = excluded.risk_at,
      updated_at = excluded.updated_at`);
  const upCard = db.prepare(`INSERT INTO ${name('cards')} (id, type, person_id, household_id, plate, validity, issued_at, expires_at, revoked_at, revoked_reason, issued_by)
    VALUES (@id, @type, @person_id, @household_id, @plate, @validity, @issued_at, @expires_at, @revoked_at, @revoked_reason, @issued_by)
    ON CONFLICT(id) DO UPDATE SET type = excluded.type, person_id = excluded.person_id, household_id = excluded.household_id, plate = excluded.plate,
      validity = excluded.validity, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, revoked_reason = excluded.revoked_reason`);
  const upPermit = db.prepare(`INSERT INTO ${name('vehicle_permits')} (id, plate, household_id, valid_from, valid_to, revoked_at) VALUES (@id, @plate, @household_id, @valid_from, @valid_to, @revoked_at)
    ON CONFLICT(id) DO UPDATE SET plate = excluded.plate, household_id = excluded.household_id, valid_from = excluded.valid_from, valid_to = excluded.valid_to, revoked_at = excluded.revoked_at`);
  const del = Object.fromEntries(ROSTER_TABLES.map((t) => [t, db.prepare(`DELETE FROM ${name(t)} WHERE id = ?`)])) as Record<RosterTable, Database.Statement<[string]>>;
  return {
    household: (h: RosterLists['households'][number], now: number) => void upHousehold.run(householdParams(h, now)),
    person: (p: PersonInput, now: number) => void upPerson.run(personParams(p, now, getPerson.get(p.id))),
    card: (c: RosterLists['cards'][number], now: number) => void upCard.run(cardParams(c, now)),
    permit: (vp: RosterLists['vehiclePermits'][number]) => void upPermit.run(permitParams(vp)),
    remove: (table: RosterTable, id: string) => void del[table].run(id),
  };
}
export type RosterWrites = ReturnType<typeof rosterWrites>;
