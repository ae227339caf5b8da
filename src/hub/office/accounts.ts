// The office's accounts, sessions and audit log, in the hub's database (both engines).
// Roles: viewer (looks), duty officer (acknowledges, assigns, closes, sends the word to the gates),
// doctor (acknowledges and closes the alerts assigned to doctors), admin (all that, and accounts).
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubTables } from '../storage/tables.js';
import { hashPassword, onceOnlyPassword, verifyPassword } from './passwords.js';

export const ROLES = ['viewer', 'duty', 'doctor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** report.edit: set and reset a compound's epidemic-free days (the daily report's figure). */
export type Permission = 'view' | 'alert.ack' | 'alert.assign' | 'alert.close' | 'downlink.send' | 'accounts' | 'audit' | 'full-view' | 'report.edit';

const GRANTS: Record<Role, Permission[]> = {
  viewer: ['view'],
  doctor: ['view', 'alert.ack', 'alert.close'],
  duty: ['view', 'alert.ack', 'alert.assign', 'alert.close', 'downlink.send', 'audit', 'report.edit'],
  admin: ['view', 'alert.ack', 'alert.assign', 'alert.close', 'downlink.send', 'accounts', 'audit', 'full-view', 'report.edit'],
};

export const can = (role: Role, p: Permission): boolean => GRANTS[role].includes(p);

export interface OfficeUser {
  id: number;
  name: string;
  display: string;
  role: Role;
}

export interface Session {
  user: OfficeUser;
  csrf: string;
  tokenHash: string;
}

const sha256 = (t: string) => createHash('sha256').update(t).digest('base64url');

export interface AuditEntry {
  user: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
  address?: string | undefined;
}

export class Accounts {
  constructor(
    private readonly db: Kysely<HubTables>,
    private readonly o: { idleMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** First start: makes `admin` with a one-time password and returns it (to print once); undefined when an admin exists. */
  async ensureAdmin(): Promise<string | undefined> {
    const any = await this.db.selectFrom('office_users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).executeTakeFirst();
    if (any) return undefined;
    return this.resetAdmin();
  }

  /** `gate hub reset-admin`: a new one-time password for `admin` (made or re-enabled), its sessions ended. */
  async resetAdmin(): Promise<string> {
    const password = onceOnlyPassword();
    const hash = await hashPassword(password);
    const found = await this.db.selectFrom('office_users').select('id').where('name', '=', 'admin').executeTakeFirst();
    if (found) {
      await this.db.updateTable('office_users').set({ password: hash, role: 'admin', disabled: 0 }).where('id', '=', found.id).execute();
      await this.db.deleteFrom('office_sessions').where('user_id', '=', found.id).execute();
    } else {
      await this.db.insertInto('office_users').values({ name: 'admin', display: '管理员 Admin', role: 'admin', password: hash, created_at: this.now(), disabled: 0 }).execute();
    }
    await this.audit({ user: 'system', action: 'account.reset-admin', target: 'admin' });
    return password;
  }

  async create(u: { name: string; display: string; role: Role; password: string }): Promise<OfficeUser> {
    const row = await this.db
      .insertInto('office_users')
      .values({ name: u.name, display: u.display, role: u.role, password: await hashPassword(u.password), created_at: this.now(), disabled: 0 })
      .returning(['id', 'name', 'display', 'role'])
      .executeTakeFirstOrThrow();
    return { ...row, id: Number(row.id), role: row.role as Role };
  }

  async list(): Promise<OfficeUser[]> {
    const rows = await this.db.selectFrom('office_users').select(['id', 'name', 'display', 'role']).where('disabled', '=', 0).orderBy('name').execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), role: r.role as Role }));
  }

  /** The user when name and password match (case-insensitive name), else undefined. Same work either way. */
  async check(name: string, password: string): Promise<OfficeUser | undefined> {
    const row = await this.db.selectFrom('office_users').selectAll().where('name', '=', name.trim().toLowerCase()).where('disabled', '=', 0).executeTakeFirst();
    const ok = await verifyPassword(password, row?.password ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA');
    return row && ok ? { id: Number(row.id), name: row.name, display: row.display, role: row.role as Role } : undefined;
  }

  /** A new session: the cookie's token (only its hash is kept) and its CSRF token. */
  async open(user: OfficeUser): Promise<{ token: string; csrf: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.now();
    await this.db.insertInto('office_sessions').values({ token_hash: sha256(token), user_id: user.id, csrf, created_at: now, last_seen: now }).execute();
    return { token, csrf };
  }

  async session(token: string | undefined): Promise<Session | undefined> {
    if (!token || token.length > 100) return undefined;
    const tokenHash = sha256(token);
    const row = await this.db
      .selectFrom('office_sessions as s')
      .innerJoin('office_users as u', 'u.id', 's.user_id')
      .select(['s.csrf', 's.last_seen', 'u.id', 'u.name', 'u.display', 'u.role', 'u.disabled'])
      .where('s.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    const now = this.now();
    if (now - Number(row.last_seen) > this.o.idleMs) {
      await this.close(tokenHash);
      return undefined;
    }
    if (now - Number(row.last_seen) > 60_000) await this.db.updateTable('office_sessions').set({ last_seen: now }).where('token_hash', '=', tokenHash).execute();
    return { user: { id: Number(row.id), name: row.name, display: row.display, role: row.role as Role }, csrf: row.csrf, tokenHash };
  }

  async close(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('office_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.db.insertInto('audit_log').values({ at: this.now(), user_name: e.user, action: e.action, target: e.target, detail: JSON.stringify(e.detail ?? {}), address: e.address ?? null }).execute();
  }

  async auditLog(limit = 100, action?: string): Promise<Array<{ id: number; at: number; user: string; action: string; target: string; detail: Record<string, unknown>; address: string | null }>> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (action) q = q.where('action', '=', action);
    const rows = await q.orderBy('id', 'desc').limit(Math.max(1, Math.min(500, limit))).execute();
    return rows.map((r) => ({ id: Number(r.id), at: Number(r.at), user: r.user_name, action: r.action, target: r.target, detail: JSON.parse(r.detail) as Record<string, unknown>, address: r.address }));
  }

  /** The key that signs known-device cookies, made once and kept. */
  async deviceKey(): Promise<Buffer> {
    const row = await this.db.selectFrom('hub_meta').select('value').where('key', '=', 'office_device_key').executeTakeFirst();
    if (row) return Buffer.from(row.value, 'base64url');
    const key = randomBytes(32);
    await this.db.insertInto('hub_meta').values({ key: 'office_device_key', value: key.toString('base64url') }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const again = await this.db.selectFrom('hub_meta').select('value').where('key', '=', 'office_device_key').executeTakeFirstOrThrow();
    return Buffer.from(again.value, 'base64url');
  }
}
