// Operators with scrypt PIN hashes, duty sign-in/out (值班表) and the audit log.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { json, type StoreCtx } from './db.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

export type OperatorRole = 'volunteer' | 'admin';

export interface OperatorRecord {
  id: string;
  name: string;
  role: OperatorRole;
  active: boolean;
  createdAt: number;
}

export interface DutyRecord {
  id: number;
  operatorId: string;
  operatorName?: string;
  signedInAt: number;
  signedOutAt?: number;
  note?: string;
}

export type AuditAction =
  | 'override'
  | 'export'
  | 'export-full'
  | 'roster-import'
  | 'roster-change'
  | 'card-issue'
  | 'card-revoke'
  | 'config-change'
  | 'policy-change'
  | 'operator-change'
  | 'login'
  | 'login-failed'
  | 'login-throttled'
  | 'purge'
  | 'visitor-signout'
  | 'alert-ack'
  | (string & {});

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: AuditAction;
  detail: Record<string, unknown>;
}

/** Operators, duty and the audit log. */
export interface OperatorLedger {
  createOperator(op: { id: string; name: string; role: OperatorRole; pin: string }, actor: string): OperatorRecord;
  setOperatorPin(id: string, pin: string, actor: string): void;
  setOperatorActive(id: string, active: boolean, actor: string): void;
  /** Constant-time scrypt check; undefined when the operator is unknown, inactive or the PIN is wrong. */
  verifyOperator(id: string, pin: string): OperatorRecord | undefined;
  operators(): OperatorRecord[];
  hasAdmin(): boolean;
  dutySignIn(operatorId: string, note?: string): DutyRecord;
  dutySignOut(operatorId: string): DutyRecord | undefined;
  duty(q?: { from?: number; to?: number; onDutyOnly?: boolean }): DutyRecord[];

  // audit
  audit(actor: string, action: AuditAction, detail?: Record<string, unknown>): void;
  auditLog(q?: { from?: number; to?: number; action?: AuditAction; limit?: number }): AuditEntry[];
}

const KEYLEN = 32;

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(pin, salt, KEYLEN).toString('base64')}`;
}

export function checkPin(pin: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function validatePin(pin: string): void {
  if (!/^\d{6,12}$/.test(pin)) throw new Error('A PIN must be 6 to 12 digits (docs/security.md)');
}

type OpRow = { id: string; name: string; role: OperatorRole; pin_hash: string; active: number; created_at: number };
const op = (r: OpRow): OperatorRecord => ({ id: r.id, name: r.name, role: r.role, active: r.active === 1, createdAt: r.created_at });

export function createOperators(ctx: StoreCtx) {
  const { db } = ctx;
  const insAudit = db.prepare('INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)');
  const audit = (actor: string, action: AuditAction, detail: Record<string, unknown> = {}) => {
    insAudit.run(ctx.now(), actor, action, JSON.stringify(detail));
  };
  const get = db.prepare<[string], OpRow>('SELECT * FROM operators WHERE id = ?');
  const duty = (r: { id: number; operator_id: string; name: string | null; signed_in_at: number; signed_out_at: number | null; note: string | null }): DutyRecord => ({
    id: r.id,
    operatorId: r.operator_id,
    signedInAt: r.signed_in_at,
    ...(r.name ? { operatorName: r.name } : {}),
    ...(r.signed_out_at != null ? { signedOutAt: r.signed_out_at } : {}),
    ...(r.note ? { note: r.note } : {}),
  });
  type DutyRow = Parameters<typeof duty>[0];
  const dutySel = 'SELECT d.id, d.operator_id, o.name, d.signed_in_at, d.signed_out_at, d.note FROM duty d LEFT JOIN operators o ON o.id = d.operator_id';

  return {
    audit,
    auditLog(q: { from?: number; to?: number; action?: AuditAction; limit?: number } = {}): AuditEntry[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.from !== undefined) where.push('at >= ?') && args.push(q.from);
      if (q.to !== undefined) where.push('at < ?') && args.push(q.to);
      if (q.action) where.push('action = ?') && args.push(q.action);
      return db
        .prepare<unknown[], { id: number; at: number; actor: string; action: string; detail: string }>(
          `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
        )
        .all(...args, Math.max(1, Math.min(10_000, q.limit ?? 200)))
        .map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, detail: json<Record<string, unknown>>(r.detail, {}) }));
    },
    create(o: { id: string; name: string; role: OperatorRole; pin: string }, actor: string): OperatorRecord {
      if (!/^[A-Za-z0-9_.-]{1,32}$/.test(o.id)) throw new Error('An operator id is 1-32 letters, digits, dot, dash or underscore');
      if (o.role !== 'admin' && o.role !== 'volunteer') throw new Error('The role must be "volunteer" or "admin"');
      validatePin(o.pin);
      if (get.get(o.id)) throw new Error(`Operator "${o.id}" already exists`);
      const hash = hashPin(o.pin);
      db.transaction(() => {
        db.prepare('INSERT INTO operators (id, name, role, pin_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?)').run(o.id, o.name, o.role, hash, ctx.now());
        audit(actor, 'operator-change', { op: 'create', id: o.id, role: o.role });
      })();
      return op(get.get(o.id) as OpRow);
    },
    setPin(id: string, pin: string, actor: string): void {
      validatePin(pin);
      const hash = hashPin(pin);
      db.transaction(() => {
        if (db.prepare('UPDATE operators SET pin_hash = ? WHERE id = ?').run(hash, id).changes === 0) throw new Error(`No operator "${id}"`);
        audit(actor, 'operator-change', { op: 'pin', id });
      })();
    },
    setActive(id: string, active: boolean, actor: string): void {
      db.transaction(() => {
        if (db.prepare('UPDATE operators SET active = ? WHERE id = ?').run(active ? 1 : 0, id).changes === 0) throw new Error(`No operator "${id}"`);
        audit(actor, 'operator-change', { op: active ? 'activate' : 'deactivate', id });
      })();
    },
    verify(id: string, pin: string): OperatorRecord | undefined {
      const r = get.get(id);
      // Hash even for unknown operators so timing does not tell which ids exist.
      const ok = checkPin(pin, r?.pin_hash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      return r && ok && r.active === 1 ? op(r) : undefined;
    },
    list: () => db.prepare<[], OpRow>('SELECT * FROM operators ORDER BY id').all().map(op),
    hasAdmin: () => db.prepare("SELECT 1 FROM operators WHERE role = 'admin' AND active = 1 LIMIT 1").get() !== undefined,
    dutySignIn(operatorId: string, note?: string): DutyRecord {
      if (!get.get(operatorId)) throw new Error(`No operator "${operatorId}"`);
      const open = db.prepare<[string], DutyRow>(`${dutySel} WHERE d.operator_id = ? AND d.signed_out_at IS NULL`).get(operatorId);
      if (open) return duty(open);
      const id = Number(db.prepare('INSERT INTO duty (operator_id, signed_in_at, note) VALUES (?, ?, ?)').run(operatorId, ctx.now(), note ?? null).lastInsertRowid);
      return duty(db.prepare<[number], DutyRow>(`${dutySel} WHERE d.id = ?`).get(id) as DutyRow);
    },
    dutySignOut(operatorId: string): DutyRecord | undefined {
      const open = db.prepare<[string], DutyRow>(`${dutySel} WHERE d.operator_id = ? AND d.signed_out_at IS NULL`).get(operatorId);
      if (!open) return undefined;
      db.prepare('UPDATE duty SET signed_out_at = ? WHERE id = ?').run(ctx.now(), open.id);
      return duty(db.prepare<[number], DutyRow>(`${dutySel} WHERE d.id = ?`).get(open.id) as DutyRow);
    },
    duty(q: { from?: number; to?: number; onDutyOnly?: boolean } = {}): DutyRecord[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.from !== undefined) where.push('(d.signed_out_at IS NULL OR d.signed_out_at >= ?)') && args.push(q.from);
      if (q.to !== undefined) where.push('d.signed_in_at < ?') && args.push(q.to);
      if (q.onDutyOnly) where.push('d.signed_out_at IS NULL');
      return db.prepare<unknown[], DutyRow>(`${dutySel} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.signed_in_at`).all(...args).map(duty);
    },
  };
}

export type Operators = ReturnType<typeof createOperators>;
