// Visitors' ledger (外来人员健康登记表) with sign-out (销号).
import { randomUUID } from 'node:crypto';
import type { TimeWindow, VisitorRegistration } from '../gate/contract.js';
import { validateResidentId } from '../gate/credentials/resident-id.js';
import { bool, json, type StoreCtx } from './db.js';
import { idTail, maskPhone, maskResidentId } from './mask.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

/** What a visitor tells the gate, the same on the form and in the ledger. */
export interface VisitorDetails {
  name: string;
  /** Where the visitor comes from. */
  origin?: string;
  /** Areas visited in the last 14 days. */
  travel: string[];
  hostHouseholdId?: string;
  reason?: string;
  escort?: string;
  plate?: string;
  validity?: TimeWindow[];
  lastTestAt?: number;
  vaccinated?: boolean;
  temperature?: number;
}

/** A registration as written: the ID number and phone in full. */
export interface VisitorForm extends VisitorDetails {
  phone?: string;
  idNumber?: string;
  operatorId?: string;
  /** Optional caller-assigned id; otherwise one is generated. */
  id?: string;
}

/** A registration as read: the ID number and phone masked, never in full. */
export interface VisitorRecord extends VisitorDetails {
  id: string;
  idTail?: string;
  idNumberMasked?: string;
  phoneMasked?: string;
  registeredAt: number;
  registeredBy?: string;
  signedOutAt?: number;
  signedOutBy?: string;
}

/** The visitors' ledger. */
export interface VisitorLedger {
  registerVisitor(form: VisitorForm): VisitorRecord;
  /** 销号. False when unknown or already signed out. */
  signOutVisitor(id: string, operatorId?: string): boolean;
  visitorsInside(): VisitorRecord[];
  visitors(q?: { from?: number; to?: number; text?: string; limit?: number }): VisitorRecord[];
}

export type VisitorRow = {
  id: string;
  name: string;
  id_number: string | null;
  id_tail: string | null;
  phone: string | null;
  origin: string | null;
  travel: string;
  host_household_id: string | null;
  reason: string | null;
  escort: string | null;
  plate: string | null;
  validity: string | null;
  last_test_at: number | null;
  vaccinated: number | null;
  temperature: number | null;
  registered_at: number;
  registered_by: string | null;
  signed_out_at: number | null;
  signed_out_by: string | null;
};

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function visitorRecord(r: VisitorRow): VisitorRecord {
  return defined({
    id: r.id,
    name: r.name,
    idTail: r.id_tail ?? undefined,
    idNumberMasked: r.id_number ? maskResidentId(r.id_number) : undefined,
    phoneMasked: r.phone ? maskPhone(r.phone) : undefined,
    origin: r.origin ?? undefined,
    travel: json<string[]>(r.travel, []),
    hostHouseholdId: r.host_household_id ?? undefined,
    reason: r.reason ?? undefined,
    escort: r.escort ?? undefined,
    plate: r.plate ?? undefined,
    validity: r.validity ? json<TimeWindow[]>(r.validity, []) : undefined,
    lastTestAt: r.last_test_at ?? undefined,
    vaccinated: bool(r.vaccinated),
    temperature: r.temperature ?? undefined,
    registeredAt: r.registered_at,
    registeredBy: r.registered_by ?? undefined,
    signedOutAt: r.signed_out_at ?? undefined,
    signedOutBy: r.signed_out_by ?? undefined,
  });
}

function registration(r: VisitorRow): VisitorRegistration {
  return defined({
    id: r.id,
    name: r.name,
    idTail: r.id_tail ?? undefined,
    travel: json<string[]>(r.travel, []),
    hostHouseholdId: r.host_household_id ?? undefined,
    escort: r.escort ?? undefined,
    plate: r.plate ?? undefined,
    validity: r.validity ? json<TimeWindow[]>(r.validity, []) : undefined,
    lastTestAt: r.last_test_at ?? undefined,
    vaccinated: bool(r.vaccinated),
    signedOutAt: r.signed_out_at ?? undefined,
    registeredAt: r.registered_at,
  });
}

export function validateVisitorForm(f: VisitorForm, now: number): void {
  if (!f.name?.trim()) throw new Error('A visitor needs a name (姓名)');
  if (f.idNumber) {
    const v = validateResidentId(f.idNumber, now);
    if (!v.ok) throw new Error(`The visitor's ID number is not valid: ${v.text.en} (${v.text.zh})`);
  }
  if (f.phone && !/^\+?[\d -]{5,20}$/.test(f.phone.trim())) throw new Error('The phone number may hold digits, spaces, dashes and a leading + only');
  if (!Array.isArray(f.travel)) throw new Error('The 14-day travel list must be a list of places (may be empty)');
  if (f.temperature !== undefined && !(f.temperature > 30 && f.temperature < 45)) throw new Error('The temperature must be in °C between 30 and 45');
}

export function createVisitors(ctx: StoreCtx, onRegistered: (day: number) => void) {
  const { db } = ctx;
  const ins = db.prepare(`INSERT INTO visitors (id, name, id_number, id_tail, phone, origin, travel, host_household_id, reason, escort, plate, validity,
    last_test_at, vaccinated, temperature, registered_at, registered_by) VALUES (@id, @name, @id_number, @id_tail, @phone, @origin, @travel, @host_household_id,
    @reason, @escort, @plate, @validity, @last_test_at, @vaccinated, @temperature, @registered_at, @registered_by)`);
  const get = db.prepare<[string], VisitorRow>('SELECT * FROM visitors WHERE id = ?');
  const signOut = db.prepare('UPDATE visitors SET signed_out_at = ?, signed_out_by = ? WHERE id = ? AND signed_out_at IS NULL');
  const inside = db.prepare<[], VisitorRow>('SELECT * FROM visitors WHERE signed_out_at IS NULL ORDER BY registered_at');

  return {
    register(f: VisitorForm): VisitorRecord {
      const now = ctx.now();
      validateVisitorForm(f, now);
      const idNumber = f.idNumber?.trim().toUpperCase();
      const id = f.id ?? `v-${randomUUID()}`;
      db.transaction(() => {
        ins.run({
          id,
          name: f.name.trim(),
          id_number: idNumber ?? null,
          id_tail: idNumber ? idTail(idNumber) : null,
          phone: f.phone?.trim() ?? null,
          origin: f.origin ?? null,
          travel: JSON.stringify(f.travel),
          host_household_id: f.hostHouseholdId ?? null,
          reason: f.reason ?? null,
          escort: f.escort ?? null,
          plate: f.plate?.toUpperCase() ?? null,
          validity: f.validity ? JSON.stringify(f.validity) : null,
          last_test_at: f.lastTestAt ?? null,
          vaccinated: f.vaccinated == null ? null : f.vaccinated ? 1 : 0,
          temperature: f.temperature ?? null,
          registered_at: now,
          registered_by: f.operatorId ?? null,
        });
        onRegistered(now);
      })();
      return visitorRecord(get.get(id) as VisitorRow);
    },
    signOut: (id: string, operatorId?: string) => signOut.run(ctx.now(), operatorId ?? null, id).changes > 0,
    inside: () => inside.all().map(visitorRecord),
    registration(id: string): VisitorRegistration | undefined {
      const r = get.get(id);
      return r ? registration(r) : undefined;
    },
    list(q: { from?: number; to?: number; text?: string; limit?: number } = {}): VisitorRecord[] {
      return this.rows(q).map(visitorRecord);
    },
    rows(q: { from?: number; to?: number; text?: string; limit?: number } = {}): VisitorRow[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.from !== undefined) where.push('registered_at >= ?') && args.push(q.from);
      if (q.to !== undefined) where.push('registered_at < ?') && args.push(q.to);
      if (q.text) where.push('(name LIKE ? OR id_tail = ? OR plate = ? OR id = ?)') && args.push(`%${q.text}%`, q.text.toUpperCase(), q.text.toUpperCase(), q.text);
      return db
        .prepare<unknown[], VisitorRow>(`SELECT * FROM visitors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY registered_at DESC LIMIT ?`)
        .all(...args, Math.max(1, Math.min(100_000, q.limit ?? 500)));
    },
  };
}

export type Visitors = ReturnType<typeof createVisitors>;
