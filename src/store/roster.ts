// The roster (一户一档): households, persons, pass cards, vehicle permits. Changes are applied
// atomically with a version; the gate reads an in-memory view: a change of a few rows (a delta, a
// health code, a card, a quarantine) re-reads those rows into it, a full snapshot builds a new one.
import type { QuarantineKind, RosterCard, RosterPerson, RosterView, TimeWindow } from '../gate/contract.js';
import type { CodeColour } from '../gate/model.js';
import { bool, json, opt, type StoreCtx } from './db.js';
import { idTail, maskPhone, maskResidentId } from './mask.js';
import type { HouseholdRecord, PassCardRecord, PersonRow, RosterChange, VehiclePermitRecord } from './roster-records.js';
import { rosterWrites } from './roster-writes.js';
import type { WriterSignal } from './writer-signal.js';

export type { HouseholdRecord, PassCardRecord, PersonInput, PersonRow, RosterChange, VehiclePermitRecord } from './roster-records.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

/** The seven vulnerable groups (七类人), tenants (租户) and other categories the roster records. */
export const PERSON_CATEGORIES = [
  'elderly-alone', // 独居老人
  'pregnant', // 孕产妇
  'disabled', // 残疾人
  'limited-mobility', // 行动不便
  'dialysis', // 透析患者
  'mental-illness', // 精神病患者
  'chronic', // 慢性病患者
  'tenant', // 租户
  'returnee-abroad', // 境外返回
  'close-contact', // 密接
  'secondary-contact', // 次密接
  'risk-area-arrival', // 中高风险地区来(返)人员
  'staff', // 工作人员
  'medical', // 医护
] as const;
export type PersonCategory = (typeof PERSON_CATEGORIES)[number];


/** A person as read: what the gate decides with (RosterPerson), plus the ID number and phone masked, never in full. */
export interface PersonRecord extends RosterPerson {
  /** e.g. '3101**********123X'. */
  idNumberMasked?: string;
  /** From the ID number (GB 11643 digits 7–10), for the age the kiosk shows beside a masked name. */
  birthYear?: number;
  idTail?: string;
  /** e.g. '138****5678'. */
  phoneMasked?: string;
  updatedAt: number;
}




/** Rows of the roster a change touched, by id (added, changed or removed). */
export interface RosterTouch {
  persons?: string[];
  households?: string[];
  cards?: string[];
}

export interface RosterApplyResult {
  result: 'applied' | 'stale';
  version: number;
  households: number;
  persons: number;
  cards: number;
}

export interface RosterStats {
  version: number;
  households: number;
  persons: number;
  activeCards: number;
  byCategory: Record<string, number>;
  /** In home or central quarantine (may not leave). */
  inQuarantine: number;
  /** People in each health tier now: home, central, monitoring (居家健康监测), daily (日常健康监测). */
  byTier: Record<string, number>;
}

/** The roster (一户一档) and its pass cards. */
export interface RosterLedger {
  rosterView(): RosterView;
  rosterVersion(): number;
  /** Apply a change set atomically. With `version`, a version ≤ the current one is 'stale' and changes nothing. */
  applyRoster(change: RosterChange, opts?: { version?: number; actor?: string }): RosterApplyResult;
  /** The ledger's file, for another connection (a full roster swapped in by the downlink worker); undefined in memory. */
  file?(): string | undefined;
  /** Shared with that connection (its buffer): raised while this one wants the writer lock (./writer-signal.ts). */
  writerSignal?(): WriterSignal;
  /**
   * The roster tables were swapped by another connection (./roster-swap.ts): the gate keeps deciding
   * with the roster it has until the new one is read, a page a turn, then 'roster' changes.
   */
  rosterReplaced?(): void;
  households(q?: { text?: string; grid?: string; limit?: number }): HouseholdRecord[];
  persons(q?: { householdId?: string; text?: string; category?: string; quarantined?: boolean; limit?: number }): PersonRecord[];
  person(id: string): PersonRecord | undefined;
  rosterStats(): RosterStats;
  issueCard(card: Omit<PassCardRecord, 'issuedAt'> & { issuedAt?: number }, actor: string): PassCardRecord;
  revokeCard(id: string, reason: string, actor: string): boolean;
  cards(q?: { householdId?: string; personId?: string; includeRevoked?: boolean }): PassCardRecord[];
  vehiclePermits(q?: { householdId?: string }): VehiclePermitRecord[];
}

type CardRow = {
  id: string;
  type: PassCardRecord['type'];
  person_id: string | null;
  household_id: string | null;
  plate: string | null;
  validity: string | null;
  issued_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  issued_by: string | null;
};
type HouseholdRow = { id: string; address: string; grid: string | null; registered_residents: number | null; actual_residents: number | null; note: string | null; updated_at: number };

function rosterPerson(r: PersonRow): RosterPerson {
  return {
    id: r.id,
    householdId: r.household_id,
    name: r.name,
    resident: r.resident === 1,
    categories: json<string[]>(r.categories, []),
    ...(r.quarantine_kind && r.quarantine_until != null ? { quarantine: { kind: r.quarantine_kind as QuarantineKind, until: r.quarantine_until } } : {}),
    ...(r.health_colour && r.health_at != null ? { health: { colour: r.health_colour as CodeColour, at: r.health_at } } : {}),
    ...(r.last_test_at != null ? { lastTestAt: r.last_test_at } : {}),
    ...(r.vaccinated != null ? { vaccinated: r.vaccinated === 1 } : {}),
    ...(r.risk_area && r.risk_at != null ? { riskTravel: { area: r.risk_area, at: r.risk_at } } : {}),
  };
}

export function personRecord(r: PersonRow): PersonRecord {
  const p = rosterPerson(r);
  return {
    ...p,
    ...(r.id_number ? { idNumberMasked: maskResidentId(r.id_number), idTail: r.id_tail ?? idTail(r.id_number), birthYear: Number(r.id_number.slice(6, 10)) } : {}),
    ...(r.phone ? { phoneMasked: maskPhone(r.phone) } : {}),
    updatedAt: r.updated_at,
  };
}

function cardRecord(r: CardRow): PassCardRecord {
  return {
    id: r.id,
    type: r.type,
    issuedAt: r.issued_at,
    ...(r.person_id ? { personId: r.person_id } : {}),
    ...(r.household_id ? { householdId: r.household_id } : {}),
    ...(r.plate ? { vehiclePlate: r.plate } : {}),
    ...(r.validity ? { validity: json<TimeWindow[]>(r.validity, []) } : {}),
    ...(r.expires_at != null ? { expiresAt: r.expires_at } : {}),
    ...(r.revoked_at != null ? { revokedAt: r.revoked_at } : {}),
    ...(r.revoked_reason ? { revokedReason: r.revoked_reason } : {}),
    ...(r.issued_by ? { issuedBy: r.issued_by } : {}),
  };
}

function householdRecord(r: HouseholdRow): HouseholdRecord {
  return {
    id: r.id,
    address: r.address,
    updatedAt: r.updated_at,
    ...(r.grid ? { grid: r.grid } : {}),
    ...(r.registered_residents != null ? { registeredResidents: r.registered_residents } : {}),
    ...(r.actual_residents != null ? { actualResidents: r.actual_residents } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
}

export function createRoster(ctx: StoreCtx, visitorView: (id: string) => ReturnType<RosterView['visitor']>) {
  const { db } = ctx;
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const getPerson = db.prepare<[string], PersonRow>('SELECT * FROM persons WHERE id = ?');
  const getHousehold = db.prepare<[string], HouseholdRow>('SELECT * FROM households WHERE id = ?');
  const getCard = db.prepare<[string], CardRow>('SELECT * FROM cards WHERE id = ?');
  const write = rosterWrites(db);

  function version(): number {
    return Number(getMeta.get('roster_version')?.value ?? 0);
  }

  const applyTx = db.transaction((change: RosterChange, v: number | undefined): RosterApplyResult => {
    const current = version();
    if (v !== undefined && v <= current) return { result: 'stale', version: current, households: 0, persons: 0, cards: 0 };
    const now = ctx.now();
    if (change.full) {
      // A full snapshot replaces the roster; cards the gate issued itself stay unless the snapshot names them.
      db.exec("DELETE FROM persons; DELETE FROM households; DELETE FROM vehicle_permits; DELETE FROM cards WHERE issued_by IS NULL OR issued_by = 'hub'");
    }
    for (const h of change.households ?? []) write.household(h, now);
    for (const p of change.persons ?? []) write.person(p, now);
    for (const c of change.cards ?? []) write.card(c, now);
    for (const vp of change.vehiclePermits ?? []) write.permit(vp);
    for (const id of change.removePersons ?? []) write.remove('persons', id);
    for (const id of change.removeHouseholds ?? []) write.remove('households', id);
    for (const id of change.removeCards ?? []) write.remove('cards', id);
    const next = v ?? current + 1;
    setMeta.run('roster_version', String(next));
    return { result: 'applied', version: next, households: change.households?.length ?? 0, persons: change.persons?.length ?? 0, cards: change.cards?.length ?? 0 };
  });

  /**
   * Reads the roster into a view a page at a time (`step`), so that a large one can be read between
   * passages (rebuildInBackground) as well as at once (build); a change of a few rows is re-read
   * into it (`touch`): with a village's 17,000 households a full read took 0.6–0.9 s on a loaded
   * machine, on the next decision, after every health update or card.
   */
  function viewBuilder() {
    const persons = new Map<string, RosterPerson>();
    /** The ID number each person was filed under, to unfile them when they change. */
    const idNumberOf = new Map<string, string>();
    const byIdNumber = new Map<string, RosterPerson>();
    const members = new Map<string, RosterPerson[]>();
    const households = new Map<string, { id: string; address: string }>();
    const cards = new Map<string, RosterCard>();
    const now = ctx.now();
    const page = (table: string) => db.prepare<[number, number], Record<string, unknown> & { rid: number }>(`SELECT rowid AS rid, * FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
    const takePerson = (r: PersonRow) => {
      const p = rosterPerson(r);
      persons.set(p.id, p);
      if (r.id_number) {
        byIdNumber.set(r.id_number, p);
        idNumberOf.set(p.id, r.id_number);
      }
      const list = members.get(p.householdId) ?? [];
      list.push(p);
      members.set(p.householdId, list);
    };
    const dropPerson = (id: string) => {
      const old = persons.get(id);
      if (!old) return;
      persons.delete(id);
      const n = idNumberOf.get(id);
      if (n !== undefined && byIdNumber.get(n) === old) byIdNumber.delete(n);
      idNumberOf.delete(id);
      const list = members.get(old.householdId)?.filter((m) => m !== old);
      if (list?.length) members.set(old.householdId, list);
      else members.delete(old.householdId);
    };
    const takeHousehold = (h: { id: string; address: string }) => households.set(h.id, { id: h.id, address: h.address });
    const takeCard = (r: CardRow) => {
      // Revoked and expired cards are absent, so the gate refuses them as unknown unless the policy names them.
      if (r.revoked_at != null || (r.expires_at != null && r.expires_at < now)) return;
      const c = cardRecord(r);
      cards.set(c.id, { id: c.id, type: c.type, ...(c.personId ? { personId: c.personId } : {}), ...(c.householdId ? { householdId: c.householdId } : {}), ...(c.vehiclePlate ? { vehiclePlate: c.vehiclePlate } : {}), ...(c.validity ? { validity: c.validity } : {}) });
    };
    const stages: Array<{ read: ReturnType<typeof page>; take: (r: never) => void }> = [
      { read: page('persons'), take: takePerson },
      { read: page('households'), take: takeHousehold },
      { read: page('cards'), take: takeCard },
    ];
    let stage = 0;
    let after = 0;
    return {
      /** Reads up to `rows` more rows; true once everything is read. */
      step(rows: number): boolean {
        while (stage < stages.length) {
          const s = stages[stage] as (typeof stages)[number];
          const got = s.read.all(after, rows);
          for (const r of got) s.take(r as never);
          if (got.length === rows) {
            after = (got.at(-1) as { rid: number }).rid;
            return false;
          }
          stage++;
          after = 0;
          if (got.length > 0) return false;
        }
        return true;
      },
      /** Re-reads the touched rows into this view (a few rows: no full re-read for a health update or a card). */
      touch(t: RosterTouch): void {
        for (const id of new Set(t.persons ?? [])) {
          dropPerson(id);
          const r = getPerson.get(id);
          if (r) takePerson(r);
        }
        for (const id of new Set(t.households ?? [])) {
          households.delete(id);
          const r = getHousehold.get(id);
          if (r) takeHousehold(r);
        }
        for (const id of new Set(t.cards ?? [])) {
          cards.delete(id);
          const r = getCard.get(id);
          if (r) takeCard(r);
        }
      },
      view(): RosterView {
        return {
          person: (id) => persons.get(id),
          personByIdNumber: (n) => byIdNumber.get(n.trim().toUpperCase()),
          household: (id) => households.get(id),
          card: (id) => cards.get(id),
          visitor: visitorView,
          members: (hh) => members.get(hh) ?? [],
        };
      },
    };
  }
  type ViewBuilder = ReturnType<typeof viewBuilder>;

  /** The view the gate decides with and its builder (to touch), or undefined until it is next read. */
  let current: { b: ViewBuilder; view: RosterView } | undefined;
  /** Served while a newer view is read in the background; bumped generations cancel a background read. */
  let stale: { b: ViewBuilder; view: RosterView } | undefined;
  let generation = 0;
  let background = false;
  /** Rows touched while a background read runs: it may have read them before the change. */
  let touchedSince: RosterTouch[] = [];
  function invalidate(): void {
    generation++;
    background = false;
    stale = undefined;
    current = undefined;
    touchedSince = [];
  }

  function build(): { b: ViewBuilder; view: RosterView } {
    const b = viewBuilder();
    while (!b.step(100_000));
    return { b, view: b.view() };
  }

  /** A change of a few rows: the view re-reads those rows instead of the whole roster. */
  function touch(t: RosterTouch): void {
    current?.b.touch(t);
    stale?.b.touch(t);
    if (background) touchedSince.push(t);
  }

  function apply(change: RosterChange, v?: number): RosterApplyResult {
    const r = applyTx.immediate(change, v);
    if (r.result !== 'applied') return r;
    if (change.full) invalidate();
    else
      touch({
        persons: [...(change.persons ?? []).map((p) => p.id), ...(change.removePersons ?? [])],
        households: [...(change.households ?? []).map((h) => h.id), ...(change.removeHouseholds ?? [])],
        cards: [...(change.cards ?? []).map((c) => c.id), ...(change.removeCards ?? [])],
      });
    return r;
  }

  return {
    version,
    apply,
    view(): RosterView {
      if (!current && background && stale) return stale.view;
      if (!current) {
        invalidate();
        current = build();
      }
      return current.view;
    },
    invalidate,
    touch,
    /**
     * The roster tables were replaced by another connection (./roster-swap.ts, or a command): the
     * view in use is kept until the new one has been read, pages of `pageRows` rows for up to
     * `sliceMs` a turn of the event loop, then `ready`.
     */
    rebuildInBackground(ready: () => void, pageRows = 200, sliceMs = 4): void {
      const keep = current ?? stale;
      invalidate();
      stale = keep;
      background = true;
      const gen = generation;
      const b = viewBuilder();
      const step = () => {
        if (gen !== generation) return;
        try {
          const t0 = performance.now();
          let done = b.step(pageRows);
          while (!done && performance.now() - t0 < sliceMs) done = b.step(pageRows);
          if (!done) {
            setImmediate(step);
            return;
          }
          for (const t of touchedSince) b.touch(t);
        } catch {
          // Read at once on the next view() instead.
          invalidate();
          ready();
          return;
        }
        current = { b, view: b.view() };
        stale = undefined;
        background = false;
        touchedSince = [];
        ready();
      };
      setImmediate(step);
    },
    households(q: { text?: string; grid?: string; limit?: number } = {}): HouseholdRecord[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.grid) where.push('grid = ?') && args.push(q.grid);
      if (q.text) where.push('(id = ? OR address LIKE ?)') && args.push(q.text, `%${q.text}%`);
      return db
        .prepare<unknown[], HouseholdRow>(`SELECT * FROM households ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`)
        .all(...args, q.limit ?? 500)
        .map(householdRecord);
    },
    persons(q: { householdId?: string; text?: string; category?: string; quarantined?: boolean; limit?: number } = {}): PersonRecord[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.householdId) where.push('household_id = ?') && args.push(q.householdId);
      if (q.text) where.push('(name LIKE ? OR id_tail = ? OR id = ?)') && args.push(`%${q.text}%`, q.text.toUpperCase(), q.text);
      if (q.category) where.push('EXISTS (SELECT 1 FROM json_each(persons.categories) WHERE value = ?)') && args.push(q.category);
      if (q.quarantined !== undefined) where.push(q.quarantined ? 'quarantine_until > ?' : '(quarantine_until IS NULL OR quarantine_until <= ?)') && args.push(ctx.now());
      return db
        .prepare<unknown[], PersonRow>(`SELECT * FROM persons ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY household_id, id LIMIT ?`)
        .all(...args, q.limit ?? 500)
        .map(personRecord);
    },
    person(id: string): PersonRecord | undefined {
      const r = getPerson.get(id);
      return r ? personRecord(r) : undefined;
    },
    /** Full ID numbers and phones, for an audited full export only. */
    personsFull(): PersonRow[] {
      return db.prepare<[], PersonRow>('SELECT * FROM persons ORDER BY household_id, id').all();
    },
    stats(): RosterStats {
      const n = (sql: string, ...a: unknown[]) => db.prepare<unknown[], { n: number }>(sql).get(...a)?.n ?? 0;
      const byCategory: Record<string, number> = {};
      for (const r of db.prepare<[], { value: string; n: number }>('SELECT value, count(*) AS n FROM persons, json_each(persons.categories) GROUP BY value').all()) byCategory[r.value] = r.n;
      return {
        version: version(),
        households: n('SELECT count(*) AS n FROM households'),
        persons: n('SELECT count(*) AS n FROM persons'),
        activeCards: n('SELECT count(*) AS n FROM cards WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)', ctx.now()),
        byCategory,
        inQuarantine: n("SELECT count(*) AS n FROM persons WHERE quarantine_until > ? AND quarantine_kind IN ('home', 'central')", ctx.now()),
        byTier: Object.fromEntries(
          db.prepare<[number], { k: string; n: number }>('SELECT quarantine_kind AS k, count(*) AS n FROM persons WHERE quarantine_until > ? GROUP BY quarantine_kind').all(ctx.now()).map((r) => [r.k, r.n]),
        ),
      };
    },
    cards(q: { householdId?: string; personId?: string; includeRevoked?: boolean } = {}): PassCardRecord[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.householdId) where.push('household_id = ?') && args.push(q.householdId);
      if (q.personId) where.push('person_id = ?') && args.push(q.personId);
      if (!q.includeRevoked) where.push('revoked_at IS NULL');
      return db.prepare<unknown[], CardRow>(`SELECT * FROM cards ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`).all(...args).map(cardRecord);
    },
    card(id: string): PassCardRecord | undefined {
      const r = db.prepare<[string], CardRow>('SELECT * FROM cards WHERE id = ?').get(id);
      return r ? cardRecord(r) : undefined;
    },
    revokeCard(id: string, reason: string): boolean {
      const ok = db.prepare('UPDATE cards SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL').run(ctx.now(), reason, id).changes > 0;
      if (ok) touch({ cards: [id] });
      return ok;
    },
    vehiclePermits(q: { householdId?: string } = {}): VehiclePermitRecord[] {
      const rows = q.householdId
        ? db.prepare<[string], Record<string, unknown>>('SELECT * FROM vehicle_permits WHERE household_id = ? ORDER BY id').all(q.householdId)
        : db.prepare<[], Record<string, unknown>>('SELECT * FROM vehicle_permits ORDER BY id').all();
      return rows.map((r) => ({
        id: r.id as string,
        plate: r.plate as string,
        ...(r.household_id ? { householdId: r.household_id as string } : {}),
        ...(opt(r.valid_from as number | null) !== undefined ? { validFrom: r.valid_from as number } : {}),
        ...(opt(r.valid_to as number | null) !== undefined ? { validTo: r.valid_to as number } : {}),
        ...(bool(r.revoked_at != null ? 1 : null) ? { revokedAt: r.revoked_at as number } : {}),
      }));
    },
  };
}

export type Roster = ReturnType<typeof createRoster>;
