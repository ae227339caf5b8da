// Opening the SQLite file: WAL, the chosen `synchronous`, incremental auto-vacuum, migrations.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrate } from './migrations.js';

export type Db = Database.Database;

/** What every part of the ledger shares: the one connection (the single writer) and the options. */
export interface StoreCtx {
  db: Db;
  now(): number;
  synced(): boolean;
  timeZone: string;
  gateId: string;
  siteId: string;
  logger?: Logger;
  path: string;
}

export function openDatabase(path: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new Error(`Cannot open the ledger database ${path}: ${(err as Error).message}. Check that the data directory exists and is writable.`);
  }
  try {
    configure(db, path, synchronous);
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new Error(`The ledger file ${path} is not a SQLite database or is damaged (${code}): move it aside (keep it for recovery) and restore a backup, or start with an empty ledger`, { cause: err });
    }
    throw err;
  }
  return db;
}

function configure(db: Db, path: string, synchronous: 'FULL' | 'NORMAL'): void {
  // First: a command opening the file while the daemon commits waits instead of failing SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  // Must precede the first table, or take a VACUUM to change (done once for old files).
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2) {
    db.pragma('auto_vacuum = INCREMENTAL');
    if ((db.pragma('page_count', { simple: true }) as number) > 0) db.exec('VACUUM');
  }
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  // A WAL that grew during a long read is cut back to this after the next checkpoint (docs/storage.md).
  db.pragma('journal_size_limit = 8388608');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  // Query-planner statistics for a long-lived connection (sqlite.org/lang_analyze.html): bounded
  // sampling so that a year of passages is analysed in milliseconds at start; again after each purge.
  db.pragma('analysis_limit = 1000');
  db.pragma('optimize = 0x10002');
}

export function json<T>(text: string | null | undefined, fallback: T): T {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** SQLite stores booleans as 0/1 and absent values as NULL. */
export function bool(v: unknown): boolean | undefined {
  return v == null ? undefined : v === 1 || v === true;
}

export function opt<T>(v: T | null | undefined): T | undefined {
  return v == null ? undefined : v;
}
