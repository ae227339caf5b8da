// Opens the hub's database: SQLite through better-sqlite3 in the data folder (a village: no server,
// WAL, synchronous=FULL so a commit is on disk), or a PostgreSQL server for `hub.storage.url`.
// Migrations run before anything else is done with it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Engine, migrate } from './migrations.js';
import type { HubTables } from './tables.js';

export interface OpenedDb {
  db: Kysely<HubTables>;
  engine: Engine;
  /** Where it is, without a password (for logs and the API). */
  where: string;
  close(): Promise<void>;
}

// bigint (int8) columns hold milliseconds and seqs, all below 2^53: numbers, not strings.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

export async function openHubDb(opts: { url?: string | undefined; dataDir: string; poolSize?: number }): Promise<OpenedDb> {
  let db: Kysely<HubTables>;
  let engine: Engine;
  let where: string;
  if (opts.url) {
    engine = 'postgres';
    where = redactUrl(opts.url);
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 4, types });
    // An idle connection the server dropped must not crash the daemon; the next query reconnects.
    pool.on('error', () => {});
    db = new Kysely<HubTables>({ dialect: new PostgresDialect({ pool }) });
  } else {
    engine = 'sqlite';
    mkdirSync(opts.dataDir, { recursive: true });
    const file = join(opts.dataDir, 'hub.db');
    where = file;
    let sqlite: Database.Database;
    try {
      sqlite = new Database(file);
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = FULL');
    } catch (err) {
      throw new Error(`Cannot open the hub database ${file}: ${(err as Error).message}. Check that hub.storage.dataDir is writable and holds a SQLite file.`, { cause: err });
    }
    db = new Kysely<HubTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  try {
    await migrate(db, engine);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    const msg = (err as Error).message;
    throw new Error(engine === 'postgres' && !/schema version/.test(msg) ? `Cannot use the hub database ${where}: ${msg}` : msg, { cause: err });
  }
  return { db, engine, where, close: () => db.destroy() };
}
