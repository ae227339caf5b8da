// A full roster snapshot applied without holding the ledger for its whole length: written into
// staging tables (roster_next_*) in short transactions, then swapped in by renaming them, in one
// short transaction. Readers see the old roster or the new one, never a mix; a failure anywhere
// leaves the old one. Runs in the downlink worker thread on a connection of its own
// (src/sync/downlink-worker.ts); the gate's connection commits passages between the chunks.
// (A 3.6 MB roster held the event loop 2.7 s when applied in one transaction on it.)
import Database from 'better-sqlite3';
import type { RosterApplyResult, RosterChange } from './api.js';
import { cardParams, householdParams, permitParams, personParams } from './roster.js';

const TABLES = ['households', 'persons', 'cards', 'vehicle_permits'] as const;
const STAGE = (t: string) => `roster_next_${t}`;
/** Rows a staging transaction writes: a few milliseconds of the writer lock at a time. */
const CHUNK = 500;

/** The staging copy of an index gets the other of two names (an index cannot be renamed). */
const otherName = (name: string) => (name.endsWith('__b') ? name.slice(0, -3) : `${name}__b`);

/** Named-parameter upsert into `table` for the given parameter names (column = parameter unless mapped). */
function upsert(table: string, params: Record<string, string>): string {
  const cols = Object.keys(params);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${params[c]}`).join(', ')})
    ON CONFLICT(id) DO UPDATE SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

const same = (...cols: string[]) => Object.fromEntries(cols.map((c) => [c, c]));

function dropStaging(db: Database.Database): void {
  for (const t of TABLES) db.exec(`DROP TABLE IF EXISTS ${STAGE(t)}`);
}

function createStaging(db: Database.Database): void {
  db.transaction(() => {
    dropStaging(db);
    for (const t of TABLES) {
      const table = db.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
      if (!table) throw new Error(`the ledger has no ${t} table`);
      db.exec(table.sql.replace(new RegExp(`^CREATE TABLE "?${t}"?`), `CREATE TABLE ${STAGE(t)}`));
      for (const ix of db.prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(t)) {
        db.exec(ix.sql.replace(new RegExp(`^CREATE (UNIQUE )?INDEX "?${ix.name}"? ON "?${t}"?`), (_m, u: string | undefined) => `CREATE ${u ?? ''}INDEX ${otherName(ix.name)} ON ${STAGE(t)}`));
      }
    }
  })();
}

/**
 * The pages this connection adds to the WAL are copied into the database file here, in the worker,
 * every few chunks and after the swap: left to the daemon's checkpointer they would be copied on the
 * event loop (src/store/checkpointer.ts checkpoints at its cap whatever the gate is doing).
 */
const CHECKPOINT_EVERY = 4;
function checkpoint(db: Database.Database): void {
  db.pragma('wal_checkpoint(PASSIVE)');
}

function inChunks<T>(db: Database.Database, rows: readonly T[], run: (row: T) => void): void {
  const chunk = db.transaction((part: readonly T[]) => {
    for (const r of part) run(r);
  });
  for (let i = 0, n = 1; i < rows.length; i += CHUNK, n++) {
    chunk(rows.slice(i, i + CHUNK));
    if (n % CHECKPOINT_EVERY === 0) checkpoint(db);
  }
}

export interface RosterSwapOptions {
  path: string;
  change: RosterChange;
  version: number;
  actor: string;
  now: number;
}

export function swapRoster(o: RosterSwapOptions): RosterApplyResult {
  const db = new Database(o.path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_size_limit = 8388608');
    const version = () => Number(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'roster_version'").get()?.value ?? 0);
    const stale = (): RosterApplyResult => ({ result: 'stale', version: version(), households: 0, persons: 0, cards: 0 });
    if (o.version <= version()) return stale();
    createStaging(db);
    try {
      const c = o.change;
      const h = db.prepare(upsert(STAGE('households'), { ...same('id', 'address', 'grid', 'note'), registered_residents: 'registered', actual_residents: 'actual', updated_at: 'now' }));
      inChunks(db, c.households ?? [], (x) => h.run(householdParams(x, o.now)));
      const personCols = ['id', 'household_id', 'name', 'id_number', 'id_tail', 'phone', 'resident', 'categories', 'quarantine_kind', 'quarantine_until', 'health_colour', 'health_at', 'last_test_at', 'vaccinated', 'risk_area', 'risk_at', 'updated_at'];
      const p = db.prepare(upsert(STAGE('persons'), same(...personCols)));
      inChunks(db, c.persons ?? [], (x) => p.run(personParams(x, o.now, undefined)));
      const cardCols = ['id', 'type', 'person_id', 'household_id', 'plate', 'validity', 'issued_at', 'expires_at', 'revoked_at', 'revoked_reason', 'issued_by'];
      const k = db.prepare(upsert(STAGE('cards'), same(...cardCols)));
      inChunks(db, c.cards ?? [], (x) => k.run(cardParams(x, o.now)));
      const v = db.prepare(upsert(STAGE('vehicle_permits'), same('id', 'plate', 'household_id', 'valid_from', 'valid_to', 'revoked_at')));
      inChunks(db, c.vehiclePermits ?? [], (x) => v.run(permitParams(x)));
      // The swap: what a full snapshot does in one transaction on the gate's connection (roster.ts),
      // here as renames. Cards the gate issued itself stay unless the snapshot names them.
      const result = db.transaction((): RosterApplyResult => {
        if (o.version <= version()) return stale();
        db.exec(`INSERT INTO ${STAGE('cards')} SELECT * FROM cards WHERE NOT (issued_by IS NULL OR issued_by = 'hub') AND id NOT IN (SELECT id FROM ${STAGE('cards')})`);
        for (const t of TABLES) db.exec(`DROP TABLE ${t}; ALTER TABLE ${STAGE(t)} RENAME TO ${t};`);
        db.prepare("INSERT INTO meta (key, value) VALUES ('roster_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(o.version));
        const counts = { households: c.households?.length ?? 0, persons: c.persons?.length ?? 0, cards: c.cards?.length ?? 0 };
        db.prepare('INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)').run(o.now, o.actor, 'roster-change', JSON.stringify({ version: o.version, full: true, ...counts }));
        return { result: 'applied', version: o.version, ...counts };
      }).immediate();
      if (result.result !== 'applied') dropStaging(db);
      checkpoint(db);
      return result;
    } catch (err) {
      dropStaging(db);
      throw err;
    }
  } finally {
    db.close();
  }
}
