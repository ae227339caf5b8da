// The gate's own roster changes while a delta from the hub is staged (./roster-swap.ts). A delta is
// applied to a copy of the roster, written a few hundred rows a transaction while the gate goes on
// deciding and writing: a volunteer sets a quarantine, issues a card, imports a sheet. Triggers on
// the roster tables note the id of every row the gate inserts, changes or deletes meanwhile; before
// the swap, each noted row is copied again from the gate's table and the delta's rows for that id are
// applied to it once more. The result is the same as the gate's changes followed by the delta in one
// transaction, which is what the delta applied on the gate's connection gives.
import type Database from 'better-sqlite3';
import type { RosterChange } from './roster.js';
import { ROSTER_TABLES, type RosterTable, type RosterWrites } from './roster-writes.js';

const DIRTY = 'roster_dirty';
const trigger = (t: RosterTable, op: 'i' | 'u' | 'd') => `${DIRTY}_${t}_${op}`;

/** Starts noting the gate's changes (a short transaction; the caller runs it in the gate's turn). Transactions here are IMMEDIATE (./roster-swap.ts says why). */
export function track(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE ${DIRTY} (tbl TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, id)) WITHOUT ROWID`);
    for (const t of ROSTER_TABLES) {
      // No conflict clause: a conflict policy of the statement that fires a trigger (INSERT OR …) overrides the trigger's own.
      const note = (row: 'NEW' | 'OLD') => `INSERT INTO ${DIRTY} (tbl, id) SELECT '${t}', ${row}.id WHERE NOT EXISTS (SELECT 1 FROM ${DIRTY} WHERE tbl = '${t}' AND id = ${row}.id);`;
      db.exec(`CREATE TRIGGER ${trigger(t, 'i')} AFTER INSERT ON ${t} BEGIN ${note('NEW')} END;
        CREATE TRIGGER ${trigger(t, 'u')} AFTER UPDATE ON ${t} BEGIN ${note('OLD')} ${note('NEW')} END;
        CREATE TRIGGER ${trigger(t, 'd')} AFTER DELETE ON ${t} BEGIN ${note('OLD')} END;`);
    }
  }).immediate();
}

/** Stops noting (also what a stopped swap left behind). */
export function untrack(db: Database.Database): void {
  db.transaction(() => {
    for (const t of ROSTER_TABLES) for (const op of ['i', 'u', 'd'] as const) db.exec(`DROP TRIGGER IF EXISTS ${trigger(t, op)}`);
    db.exec(`DROP TABLE IF EXISTS ${DIRTY}`);
  }).immediate();
}

/** A delta's rows by table and id, in the order a transaction applies them (upserts, then removals). */
export function deltaIndex(c: RosterChange): Map<string, Array<(w: RosterWrites, now: number) => void>> {
  const index = new Map<string, Array<(w: RosterWrites, now: number) => void>>();
  const add = (t: RosterTable, id: string, op: (w: RosterWrites, now: number) => void) => {
    const key = `${t}\u0000${id}`;
    const ops = index.get(key);
    if (ops) ops.push(op);
    else index.set(key, [op]);
  };
  for (const h of c.households ?? []) add('households', h.id, (w, now) => w.household(h, now));
  for (const p of c.persons ?? []) add('persons', p.id, (w, now) => w.person(p, now));
  for (const k of c.cards ?? []) add('cards', k.id, (w, now) => w.card(k, now));
  for (const v of c.vehiclePermits ?? []) add('vehicle_permits', v.id, (w) => w.permit(v));
  for (const id of c.removePersons ?? []) add('persons', id, (w) => w.remove('persons', id));
  for (const id of c.removeHouseholds ?? []) add('households', id, (w) => w.remove('households', id));
  for (const id of c.removeCards ?? []) add('cards', id, (w) => w.remove('cards', id));
  return index;
}

/**
 * Brings up to `limit` noted rows into the staging tables (`stage` names them): the gate's row as it
 * is now, then the delta's rows for it again. Returns how many it took. Call inside a transaction.
 */
export function reconcile(db: Database.Database, stage: (t: RosterTable) => string, writes: RosterWrites, delta: ReturnType<typeof deltaIndex>, now: number, limit: number): number {
  const rows = db.prepare<[number], { tbl: RosterTable; id: string }>(`SELECT tbl, id FROM ${DIRTY} LIMIT ?`).all(limit);
  if (rows.length === 0) return 0;
  const taken = db.prepare(`DELETE FROM ${DIRTY} WHERE tbl = ? AND id = ?`);
  const statements = new Map<RosterTable, { drop: Database.Statement<[string]>; copy: Database.Statement<[string]> }>();
  for (const { tbl, id } of rows) {
    if (!ROSTER_TABLES.includes(tbl)) throw new Error(`unexpected table ${tbl} among the gate's roster changes`);
    let s = statements.get(tbl);
    if (!s) {
      // OR REPLACE: a row copied before the gate moved a unique value (an ID number) to another row
      // would refuse it; that row was changed too, so it is noted and brought back here as well.
      s = { drop: db.prepare(`DELETE FROM ${stage(tbl)} WHERE id = ?`), copy: db.prepare(`INSERT OR REPLACE INTO ${stage(tbl)} SELECT * FROM ${tbl} WHERE id = ?`) };
      statements.set(tbl, s);
    }
    s.drop.run(id);
    s.copy.run(id);
    taken.run(tbl, id);
  }
  for (const { tbl, id } of rows) for (const op of delta.get(`${tbl}\u0000${id}`) ?? []) op(writes, now);
  return rows.length;
}
