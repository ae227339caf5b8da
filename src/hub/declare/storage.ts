// The hub's health declarations (docs/declare.md) on SQLite or PostgreSQL: their own tables and their
// own migrations (hub_meta key `declare_schema_version`), so the hub's migration list stays its own.
import type { Worker } from 'node:worker_threads';
import { type Kysely, sql } from 'kysely';
import { startModuleWorker } from '../../kernel/module-worker.js';
import type { DeclarationRecord } from '../../store/declaration-types.js';
import type { Engine } from '../storage/migrations.js';

interface DeclareTables {
  hub_meta: { key: string; value: string };
  declarations: { id: string; site: string; kind: string; created_at: number; expires_at: number; members: string };
  declaration_audit: { id?: number; at: number; action: string; declaration: string; client: string };
  /** The office's word to the gates (the hub's own table, src/hub/storage/tables.ts): read only. */
  downlinks: { site: string; kind: string; version: number; body: string };
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

export type DeclarationRow = DeclareTables['declarations'];
export type AuditRow = Omit<DeclareTables['declaration_audit'], 'id'>;

/** Commits rows in one transaction. */
interface RowWriter {
  write(declarations: DeclarationRow[], audits: AuditRow[]): Promise<void>;
  close(): Promise<void>;
}

/** On the daemon's own connection (PostgreSQL: asynchronous already; SQLite without a file). */
function kyselyWriter(db: DeclareDb): RowWriter {
  return {
    async write(declarations, audits) {
      await db.transaction().execute(async (trx) => {
        if (declarations.length) await trx.insertInto('declarations').values(declarations).execute();
        if (audits.length) await trx.insertInto('declaration_audit').values(audits).execute();
      });
    },
    async close() {},
  };
}

/** SQLite: a worker thread commits on its own connection (write-worker.ts), off the event loop. */
function workerWriter(file: string): RowWriter {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const fail = (err: Error) => {
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  const start = (): Worker => {
    if (worker) return worker;
    const w = startModuleWorker(import.meta.url, 'write-worker', 'src/hub/declare/write-worker');
    w.on('message', (m: { id: number; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (waiting.size === 0) w.unref();
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve();
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      fail(err);
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      fail(new Error('the declaration writer thread exited'));
    });
    w.unref();
    worker = w;
    return w;
  };
  return {
    write(declarations, audits) {
      const w = start();
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ id, file, declarations, audits });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
      fail(new Error('the declaration writer thread was stopped'));
    },
  };
}

type Pending = { declaration?: { site: string; d: DeclarationRecord; row: DeclarationRow }; audit: AuditRow; done: (err?: unknown) => void };
const BATCH = 400;
type Live = Map<string, { expiresAt: number; json: string }>;
const LIVE_MAX = 5000;

export class DeclarationStore {
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private readonly writer: RowWriter;
  /**
   * The site's live declarations as the gates' snapshot holds them, each already in JSON: read from
   * the tables once, then kept by the inserts that commit here (this hub is the only writer), so a
   * snapshot after each burst of phones costs neither a query nor a parse of every row.
   */
  private readonly liveBySite = new Map<string, Promise<Live>>();

  /** `file`: the SQLite hub database, committed to from a worker thread; without it, on `db`. */
  constructor(
    private readonly db: DeclareDb,
    opts: { file?: string } = {},
  ) {
    this.writer = opts.file ? workerWriter(opts.file) : kyselyWriter(db);
  }

  /**
   * Stores a new declaration, resolved once committed. Declarations arriving while a commit is under
   * way (a queue of phones at the gate) share the next one: one disk sync serves them all
   * (bench/declare.ts), and on SQLite the sync happens in a worker thread, off the page's event loop.
   */
  insert(site: string, d: DeclarationRecord, client: string): Promise<void> {
    const row = { id: d.id, site, kind: d.kind, created_at: d.issuedAt, expires_at: d.expiresAt, members: JSON.stringify(d.members) };
    return this.queue({ declaration: { site, d, row }, audit: { at: d.issuedAt, action: 'create', declaration: d.id, client } });
  }

  private queue(p: Omit<Pending, 'done'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...p, done: (err) => (err ? reject(err) : resolve()) });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing || !this.pending.length) return;
    this.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.commit())
      .finally(() => {
        this.writing = undefined;
        this.kick();
      });
  }

  private async commit(): Promise<void> {
    const batch = this.pending.splice(0, BATCH);
    try {
      await this.writer.write(
        batch.flatMap((p) => (p.declaration ? [p.declaration.row] : [])),
        batch.map((p) => p.audit),
      );
    } catch (err) {
      for (const p of batch) p.done(err);
      return;
    }
    for (const { declaration } of batch) {
      if (!declaration) continue;
      const live = this.liveBySite.get(declaration.site);
      const { d } = declaration;
      if (live) void live.then((m) => m.set(d.id, { expiresAt: d.expiresAt, json: JSON.stringify(d) }));
    }
    for (const p of batch) p.done();
  }

  /** Waits for the rows queued to be committed, then stops the writer. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.writer.close();
  }

  /** The site's declarations not yet expired, for the gates' downlink: each one's JSON (a DeclarationRecord), oldest first. */
  async liveJson(site: string, now: number): Promise<string[]> {
    let live = this.liveBySite.get(site);
    if (!live) {
      live = this.readLive(site, now);
      this.liveBySite.set(site, live);
      live.catch(() => this.liveBySite.delete(site));
    }
    const m = await live;
    const out: string[] = [];
    for (const [id, x] of m) {
      if (x.expiresAt <= now) m.delete(id);
      else if (out.length < LIVE_MAX) out.push(x.json);
    }
    return out;
  }

  private async readLive(site: string, now: number): Promise<Live> {
    const m: Live = new Map();
    for (const d of await this.live(site, now)) m.set(d.id, { expiresAt: d.expiresAt, json: JSON.stringify(d) });
    return m;
  }

  /** One declaration by its id; every full read is audited with who asked. */
  async view(id: string, client: string, now: number): Promise<(DeclarationRecord & { site: string }) | undefined> {
    const r = await this.db.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    await this.queue({ audit: { at: now, action: 'view', declaration: id, client } });
    return { id: r.id, site: r.site, kind: r.kind === 'return' ? 'return' : 'visit', issuedAt: Number(r.created_at), expiresAt: Number(r.expires_at), members: JSON.parse(r.members) };
  }

  /** The site's declarations not yet expired, read from the tables. */
  async live(site: string, now: number): Promise<DeclarationRecord[]> {
    const rows = await this.db.selectFrom('declarations').selectAll().where('site', '=', site).where('expires_at', '>', now).orderBy('created_at').limit(LIVE_MAX).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind === 'return' ? 'return' : 'visit', issuedAt: Number(r.created_at), expiresAt: Number(r.expires_at), members: JSON.parse(r.members) }));
  }

  /** The newest risk-area list the office sent to the site's gates (the `risk-areas` downlink), if any. */
  async sentRiskAreas(site: string): Promise<{ version: number; areas: string[] } | undefined> {
    const r = await this.db.selectFrom('downlinks').select(['version', 'body']).where('site', '=', site).where('kind', '=', 'risk-areas').orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!r) return undefined;
    const areas = (JSON.parse(r.body) as { areas?: unknown }).areas;
    return { version: Number(r.version), areas: Array.isArray(areas) ? areas.filter((a): a is string => typeof a === 'string') : [] };
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
