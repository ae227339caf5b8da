// A full roster snapshot applied without holding the ledger for its whole length: written into
// staging tables (roster_next_*) in short transactions, then swapped in by renaming them, in one
// short transaction; the old tables, renamed out of the way (roster_old_*), are emptied in short
// transactions after it. Readers see the old roster or the new one, never a mix; a failure anywhere
// leaves the old one. Runs in the downlink worker thread on a connection of its own
// (src/sync/downlink-worker.ts); the gate's connection commits passages between the transactions,
// and when the gate raises its writer signal the worker ends the transaction it is in after the row
// it is writing (./writer-signal.ts).
// (A 3.6 MB roster held the event loop 2.7 s when applied in one transaction on it.)
import Database from 'better-sqlite3';
import type { RosterApplyResult, RosterChange } from './api.js';
import { cardParams, householdParams, permitParams, personParams } from './roster.js';
import { type GateSignal, gateSignal } from './writer-signal.js';

const TABLES = ['households', 'persons', 'cards', 'vehicle_permits'] as const;
const STAGE = (t: string) => `roster_next_${t}`;
const OLD = (t: string) => `roster_old_${t}`;
/**
 * A staging transaction ends after CHUNK rows, or once it has held the writer lock CHUNK_MS (a write
 * of the gate's that does not raise the signal then waits that long at most), or as soon as the
 * gate wants the lock and MIN_ROWS are written (so the roster still moves under a busy gate).
 */
const CHUNK = 500;
const CHUNK_MS = 4;
const MIN_ROWS = 8;
/** The worker rests this long between two staging transactions (./writer-signal.ts says why). */
const REST_MS = 1;

/** The staging copy of an index gets the other of two names (an index cannot be renamed). */
const otherName = (name: string) => (name.endsWith('__b') ? name.slice(0, -3) : `${name}__b`);

/** Named-parameter upsert into `table` for the given parameter names (column = parameter unless mapped). */
function upsert(table: string, params: Record<string, string>): string {
  const cols = Object.keys(params);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${params[c]}`).join(', ')})
    ON CONFLICT(id) DO UPDATE SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

const same = (...cols: string[]) => Object.fromEntries(cols.map((c) => [c, c]));

const exists = (db: Database.Database, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/**
 * Drops these tables, emptied first a transaction of a few hundred rows at a time: dropping a full
 * one frees every page of it and its indexes in one transaction.
 */
function dropInChunks(db: Database.Database, gate: GateSignal, tables: readonly string[]): void {
  for (const t of tables) {
    if (!exists(db, t)) continue;
    const del = db.prepare(`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} LIMIT ${CHUNK / 2})`);
    let rows = 0;
    for (;;) {
      const n = gate.inTurn(() => del.run().changes, REST_MS);
      rows += n;
      if (rows >= CHECKPOINT_ROWS) {
        checkpoint(db);
        rows = 0;
      }
      if (n === 0) break;
    }
    gate.inTurn(() => db.exec(`DROP TABLE ${t}`));
  }
}

const dropStaging = (db: Database.Database, gate: GateSignal) => dropInChunks(db, gate, TABLES.map(STAGE));

function createStaging(db: Database.Database, gate: GateSignal): void {
  // Left by a swap that was stopped half-way (the daemon stopped, the power went).
  dropInChunks(db, gate, [...TABLES.map(OLD), ...TABLES.map(STAGE)]);
  // A view or trigger naming a roster table would follow it when it is renamed out of the way.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('view', 'trigger')").get()) throw new Error('the ledger has a view or trigger: the roster cannot be swapped by renaming its tables');
  gate.inTurn(() => db.transaction(() => {
    for (const t of TABLES) {
      const table = db.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
      if (!table) throw new Error(`the ledger has no ${t} table`);
      db.exec(table.sql.replace(new RegExp(`^CREATE TABLE "?${t}"?`), `CREATE TABLE ${STAGE(t)}`));
      for (const ix of db.prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(t)) {
        db.exec(ix.sql.replace(new RegExp(`^CREATE (UNIQUE )?INDEX "?${ix.name}"? ON "?${t}"?`), (_m, u: string | undefined) => `CREATE ${u ?? ''}INDEX ${otherName(ix.name)} ON ${STAGE(t)}`));
      }
    }
  })());
}

/**
 * The pages this connection adds to the WAL are copied into the database file here, in the worker,
 * every CHECKPOINT_ROWS rows and after the swap: left to the daemon's checkpointer they would be
 * copied on the event loop (src/store/checkpointer.ts checkpoints at its cap whatever the gate is doing).
 */
const CHECKPOINT_ROWS = 2000;
function checkpoint(db: Database.Database): void {
  db.pragma('wal_checkpoint(PASSIVE)');
}

function inChunks<T>(db: Database.Database, gate: GateSignal, rows: readonly T[], run: (row: T) => void): void {
  let i = 0;
  const chunk = db.transaction(() => {
    const start = i;
    const t0 = performance.now();
    while (i < rows.length) {
      run(rows[i] as T);
      i++;
      const written = i - start;
      if (written >= CHUNK || (written >= MIN_ROWS && (gate.wants() || performance.now() - t0 >= CHUNK_MS))) return;
    }
  });
  let sinceCheckpoint = 0;
  while (i < rows.length) {
    const before = i;
    try {
      gate.inTurn(chunk, i > 0 ? REST_MS : 0);
    } catch (err) {
      i = before;
      throw err;
    }
    sinceCheckpoint += i - before;
    if (sinceCheckpoint >= CHECKPOINT_ROWS) {
      checkpoint(db);
      sinceCheckpoint = 0;
    }
  }
}

export interface RosterSwapOptions {
  path: string;
  change: RosterChange;
  version: number;
  actor: string;
  now: number;
  /** The gate connection's writer signal (./writer-signal.ts); without it the worker never steps aside. */
  gate?: SharedArrayBuffer;
  /** Called once the swap has committed, before the old tables are emptied (the gate may read the new roster from then on). */
  swapped?: (r: RosterApplyResult) => void;
}

export function swapRoster(o: RosterSwapOptions): RosterApplyResult {
  const gate = gateSignal(o.gate);
  const db = new Database(o.path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_size_limit = 8388608');
    const version = () => Number(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'roster_version'").get()?.value ?? 0);
    const stale = (): RosterApplyResult => ({ result: 'stale', version: version(), households: 0, persons: 0, cards: 0 });
    if (o.version <= version()) return stale();
    createStaging(db, gate);
    try {
      const c = o.change;
      const h = db.prepare(upsert(STAGE('households'), { ...same('id', 'address', 'grid', 'note'), registered_residents: 'registered', actual_residents: 'actual', updated_at: 'now' }));
      inChunks(db, gate, c.households ?? [], (x) => h.run(householdParams(x, o.now)));
      const personCols = ['id', 'household_id', 'name', 'id_number', 'id_tail', 'phone', 'resident', 'categories', 'quarantine_kind', 'quarantine_until', 'health_colour', 'health_at', 'last_test_at', 'vaccinated', 'risk_area', 'risk_at', 'updated_at'];
      const p = db.prepare(upsert(STAGE('persons'), same(...personCols)));
      inChunks(db, gate, c.persons ?? [], (x) => p.run(personParams(x, o.now, undefined)));
      const cardCols = ['id', 'type', 'person_id', 'household_id', 'plate', 'validity', 'issued_at', 'expires_at', 'revoked_at', 'revoked_reason', 'issued_by'];
      const k = db.prepare(upsert(STAGE('cards'), same(...cardCols)));
      inChunks(db, gate, c.cards ?? [], (x) => k.run(cardParams(x, o.now)));
      const v = db.prepare(upsert(STAGE('vehicle_permits'), same('id', 'plate', 'household_id', 'valid_from', 'valid_to', 'revoked_at')));
      inChunks(db, gate, c.vehiclePermits ?? [], (x) => v.run(permitParams(x)));
      // The swap: what a full snapshot does in one transaction on the gate's connection (roster.ts),
      // here as renames. Cards the gate issued itself stay unless the snapshot names them. The old
      // tables are only renamed here, and emptied after it.
      const result = gate.inTurn(() => db.transaction((): RosterApplyResult => {
        if (o.version <= version()) return stale();
        db.exec(`INSERT INTO ${STAGE('cards')} SELECT * FROM cards WHERE NOT (issued_by IS NULL OR issued_by = 'hub') AND id NOT IN (SELECT id FROM ${STAGE('cards')})`);
        for (const t of TABLES) db.exec(`ALTER TABLE ${t} RENAME TO ${OLD(t)}; ALTER TABLE ${STAGE(t)} RENAME TO ${t};`);
        db.prepare("INSERT INTO meta (key, value) VALUES ('roster_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(o.version));
        const counts = { households: c.households?.length ?? 0, persons: c.persons?.length ?? 0, cards: c.cards?.length ?? 0 };
        db.prepare('INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)').run(o.now, o.actor, 'roster-change', JSON.stringify({ version: o.version, full: true, ...counts }));
        return { result: 'applied', version: o.version, ...counts };
      }).immediate());
      if (result.result !== 'applied') {
        dropStaging(db, gate);
        return result;
      }
      o.swapped?.(result);
      try {
        dropInChunks(db, gate, TABLES.map(OLD));
        checkpoint(db);
      } catch {
        // The new roster is in; tables left behind are dropped before the next swap (createStaging).
      }
      return result;
    } catch (err) {
      dropStaging(db, gate);
      throw err;
    }
  } finally {
    db.close();
  }
}
