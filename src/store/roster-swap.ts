// A large roster from the hub applied without holding the ledger for its whole length: written into
// staging tables (roster_next_*) in short transactions, then swapped in by renaming them, in one
// short transaction; the old tables, renamed out of the way (roster_old_*), are emptied in short
// transactions after it. Readers see the old roster or the new one, never a mix; a failure anywhere
// leaves the old one. A full snapshot is written into empty staging tables; a delta (the office's
// spreadsheet pushed as changes) into a copy of the roster, with what the gate changes meanwhile
// carried over before the swap (./roster-dirty.ts). Runs in the downlink worker thread on a connection of its own
// (src/sync/downlink-worker.ts); the gate's connection commits passages between the transactions,
// and when the gate raises its writer signal the worker ends the transaction it is in after the row
// it is writing (./writer-signal.ts).
// (A 3.6 MB roster held the event loop 2.7 s when applied in one transaction on it.)
import Database from 'better-sqlite3';
import type { RosterApplyResult, RosterChange } from './api.js';
import { deltaIndex, reconcile, track, untrack } from './roster-dirty.js';
import { ROSTER_TABLES as TABLES, type RosterWrites, rosterWrites } from './roster-writes.js';
import { type GateSignal, gateSignal } from './writer-signal.js';

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
/**
 * Every transaction of the worker's is BEGIN IMMEDIATE: one that reads first (a person given in part
 * is merged with its row) and writes after would fail with SQLITE_BUSY at once, without waiting, if
 * the gate committed in between (a WAL snapshot cannot be upgraded; seen as 'database is locked').
 */
/** The worker rests this long between two staging transactions (./writer-signal.ts says why). */
const REST_MS = 1;

/** The staging copy of an index gets the other of two names (an index cannot be renamed). */
const otherName = (name: string) => (name.endsWith('__b') ? name.slice(0, -3) : `${name}__b`);

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

function dropStaging(db: Database.Database, gate: GateSignal): void {
  gate.inTurn(() => untrack(db));
  dropInChunks(db, gate, TABLES.map(STAGE));
}

function createStaging(db: Database.Database, gate: GateSignal): void {
  // Left by a swap that was stopped half-way (the daemon stopped, the power went).
  gate.inTurn(() => untrack(db));
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
  }).immediate());
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
      gate.inTurn(() => chunk.immediate(), i > 0 ? REST_MS : 0);
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

/**
 * Copies the roster into the staging tables, COPY_ROWS rowids a transaction. OR REPLACE: a row the
 * gate deleted and wrote again meanwhile comes twice (it is noted, and copied again before the swap).
 */
const COPY_ROWS = 256;
function copyRoster(db: Database.Database, gate: GateSignal): void {
  let sinceCheckpoint = 0;
  for (const t of TABLES) {
    const copy = db.prepare(`INSERT OR REPLACE INTO ${STAGE(t)} SELECT * FROM ${t} WHERE rowid > ? AND rowid <= ?`);
    const last = db.prepare<[], { n: number | null }>(`SELECT max(rowid) AS n FROM ${t}`);
    for (let after = 0; after < (last.get()?.n ?? 0); after += COPY_ROWS) {
      sinceCheckpoint += gate.inTurn(() => copy.run(after, after + COPY_ROWS).changes, REST_MS);
      if (sinceCheckpoint >= CHECKPOINT_ROWS) {
        checkpoint(db);
        sinceCheckpoint = 0;
      }
    }
  }
}

/** The change's rows into the staging tables, in the order one transaction writes them (./roster.ts). */
function writeChange(db: Database.Database, gate: GateSignal, w: RosterWrites, c: RosterChange, now: number): void {
  inChunks(db, gate, c.households ?? [], (x) => w.household(x, now));
  inChunks(db, gate, c.persons ?? [], (x) => w.person(x, now));
  inChunks(db, gate, c.cards ?? [], (x) => w.card(x, now));
  inChunks(db, gate, c.vehiclePermits ?? [], (x) => w.permit(x));
  inChunks(db, gate, c.removePersons ?? [], (id) => w.remove('persons', id));
  inChunks(db, gate, c.removeHouseholds ?? [], (id) => w.remove('households', id));
  inChunks(db, gate, c.removeCards ?? [], (id) => w.remove('cards', id));
}

/** A delta computed against another roster version than the gate's: the hub sends a snapshot instead. */
export type RosterSwapResult = Omit<RosterApplyResult, 'result'> & { result: RosterApplyResult['result'] | 'base-mismatch'; baseVersion?: number };

export interface RosterSwapOptions {
  path: string;
  /** A full snapshot (`full: true`) or a delta. */
  change: RosterChange;
  version: number;
  /** A delta's: the roster version it was computed against. */
  baseVersion?: number;
  actor: string;
  now: number;
  /** The gate connection's writer signal (./writer-signal.ts); without it the worker never steps aside. */
  gate?: SharedArrayBuffer;
  /** Called once the swap has committed, before the old tables are emptied (the gate may read the new roster from then on). */
  swapped?: (r: RosterSwapResult) => void;
}

export function swapRoster(o: RosterSwapOptions): RosterSwapResult {
  const gate = gateSignal(o.gate);
  const db = new Database(o.path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_size_limit = 8388608');
    const version = () => Number(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'roster_version'").get()?.value ?? 0);
    const none = { households: 0, persons: 0, cards: 0 };
    const stale = (): RosterSwapResult => ({ result: 'stale', version: version(), ...none });
    const full = o.change.full === true;
    /** A delta computed against another version than the gate's roster: the result saying so, else undefined. */
    const mismatch = (): RosterSwapResult | undefined =>
      !full && o.baseVersion !== undefined && o.baseVersion !== version() ? { result: 'base-mismatch', version: version(), baseVersion: o.baseVersion, ...none } : undefined;
    if (o.version <= version()) return stale();
    const early = mismatch();
    if (early) return early;
    createStaging(db, gate);
    try {
      const c = o.change;
      const w = rosterWrites(db, STAGE);
      const delta = full ? undefined : deltaIndex(c);
      if (delta) {
        gate.inTurn(() => track(db));
        copyRoster(db, gate);
      }
      writeChange(db, gate, w, c, o.now);
      // What the gate changed meanwhile, a chunk a transaction (at most 100: a gate that keeps
      // changing rows must not hold the swap off for good); the few rows left go in the swap's.
      const catchUp = () => gate.inTurn(() => db.transaction(() => reconcile(db, STAGE, w, delta ?? new Map(), o.now, CHUNK)).immediate(), REST_MS);
      for (let round = 0; delta && round < 100 && catchUp() === CHUNK; round++);
      // The swap: what the change does in one transaction on the gate's connection (roster.ts), here
      // as renames. After a full snapshot the cards the gate issued itself stay unless it names them.
      // The old tables are only renamed here, and emptied after it.
      const result = gate.inTurn(() => db.transaction((): RosterSwapResult => {
        if (o.version <= version()) return stale();
        const moved = mismatch();
        if (moved) return moved;
        if (delta) {
          while (reconcile(db, STAGE, w, delta, o.now, CHUNK) > 0);
          untrack(db);
        } else db.exec(`INSERT INTO ${STAGE('cards')} SELECT * FROM cards WHERE NOT (issued_by IS NULL OR issued_by = 'hub') AND id NOT IN (SELECT id FROM ${STAGE('cards')})`);
        for (const t of TABLES) db.exec(`ALTER TABLE ${t} RENAME TO ${OLD(t)}; ALTER TABLE ${STAGE(t)} RENAME TO ${t};`);
        db.prepare("INSERT INTO meta (key, value) VALUES ('roster_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(o.version));
        const counts = { households: c.households?.length ?? 0, persons: c.persons?.length ?? 0, cards: c.cards?.length ?? 0 };
        db.prepare('INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)').run(o.now, o.actor, 'roster-change', JSON.stringify({ version: o.version, full, ...counts }));
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
