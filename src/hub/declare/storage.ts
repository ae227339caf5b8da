// The hub's health declarations (docs/declare.md) on SQLite or PostgreSQL: their own tables and their
// own migrations (hub_meta key `declare_schema_version`), so the hub's migration list stays its own.
import { type Kysely, sql } from 'kysely';
import type { DeclarationRecord } from '../../store/declaration-types.js';
import type { Engine } from '../storage/migrations.js';

interface DeclareTables {
  hub_meta: { key: string; value: string };
  declarations: { id: string; site: string; kind: string; created_at: number; expires_at: number; members: string };
  declaration_audit: { id?: number; at: number; action: string; declaration: string; client: string };
}

export type DeclareDb = Kysely<DeclareTables>;

const MIGRATIONS: Array<{ version: number; up(db: DeclareDb, engine: Engine): Promise<void> }> = [
  {
    version: 1,
    async up(db, engine) {
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('declarations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .addColumn('members', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('declarations_site_expires').on('declarations').columns(['site', 'expires_at']).execute();
      await db.schema
        .createTable('declaration_audit')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('at', ms, (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('declaration', 'text', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('declaration_audit_at').on('declaration_audit').columns(['at']).execute();
    },
  },
];

const KEY = 'declare_schema_version';
export const DECLARE_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Brings the declaration tables up to date (after the hub's own migrations made hub_meta). */
export async function migrateDeclare(anyDb: Kysely<never>, engine: Engine): Promise<DeclareDb> {
  const db = anyDb as unknown as DeclareDb;
  await db.transaction().execute(async (trx) => {
    if (engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(2020112022)`.execute(trx);
    const row = await trx.selectFrom('hub_meta').select('value').where('key', '=', KEY).executeTakeFirst();
    const found = row ? Number(row.value) : 0;
    if (found > DECLARE_SCHEMA_VERSION) throw new Error(`The hub's declaration tables are at version ${found}, newer than this hub knows (${DECLARE_SCHEMA_VERSION}); nothing was changed`);
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue;
      await m.up(trx, engine);
      await trx.insertInto('hub_meta').values({ key: KEY, value: String(m.version) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: String(m.version) })).execute();
    }
  });
  return db;
}

type Pending = { site: string; d: DeclarationRecord; client: string; done: (err?: unknown) => void };
const BATCH = 400;

export class DeclarationStore {
  private pending: Pending[] = [];

  constructor(private readonly db: DeclareDb) {}

  /**
   * Stores a new declaration, resolved once committed. Declarations arriving together (a queue of
   * phones at the gate) share one transaction, so one disk sync serves them all (bench/declare.ts).
   */
  insert(site: string, d: DeclarationRecord, client: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ site, d, client, done: (err) => (err ? reject(err) : resolve()) });
      if (this.pending.length === 1) setImmediate(() => void this.commit());
    });
  }

  private async commit(): Promise<void> {
    const batch = this.pending.splice(0, BATCH);
    if (this.pending.length) setImmediate(() => void this.commit());
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('declarations').values(batch.map(({ site, d }) => ({ id: d.id, site, kind: d.kind, created_at: d.issuedAt, expires_at: d.expiresAt, members: JSON.stringify(d.members) }))).execute();
        await trx.insertInto('declaration_audit').values(batch.map(({ d, client }) => ({ at: d.issuedAt, action: 'create', declaration: d.id, client }))).execute();
      });
      for (const p of batch) p.done();
    } catch (err) {
      for (const p of batch) p.done(err);
    }
  }

  /** One declaration by its id; every full read is audited with who asked. */
  async view(id: string, client: string, now: number): Promise<(DeclarationRecord & { site: string }) | undefined> {
    const r = await this.db.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    await this.db.insertInto('declaration_audit').values({ at: now, action: 'view', declaration: id, client }).execute();
    return { id: r.id, site: r.site, kind: r.kind === 'return' ? 'return' : 'visit', issuedAt: Number(r.created_at), expiresAt: Number(r.expires_at), members: JSON.parse(r.members) };
  }

  /** The site's declarations not yet expired, for the gates' downlink. */
  async live(site: string, now: number): Promise<DeclarationRecord[]> {
    const rows = await this.db.selectFrom('declarations').selectAll().where('site', '=', site).where('expires_at', '>', now).orderBy('created_at').limit(5000).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind === 'return' ? 'return' : 'visit', issuedAt: Number(r.created_at), expiresAt: Number(r.expires_at), members: JSON.parse(r.members) }));
  }

  async audit(q: { declaration?: string; limit?: number } = {}): Promise<Array<{ at: number; action: string; declaration: string; client: string }>> {
    let s = this.db.selectFrom('declaration_audit').select(['at', 'action', 'declaration', 'client']).orderBy('id', 'desc').limit(q.limit ?? 100);
    if (q.declaration) s = s.where('declaration', '=', q.declaration);
    return (await s.execute()).map((r) => ({ ...r, at: Number(r.at) }));
  }

  /** Deletes declarations expired more than retentionDays ago (their audit rows stay a year: no personal data). */
  async purge(now: number, retentionDays: number): Promise<number> {
    const r = await this.db.deleteFrom('declarations').where('expires_at', '<', now - retentionDays * 86_400_000).executeTakeFirst();
    await this.db.deleteFrom('declaration_audit').where('at', '<', now - Math.max(365, retentionDays) * 86_400_000).execute();
    return Number(r.numDeletedRows);
  }
}
