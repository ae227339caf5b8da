// One burst of messages, one transaction: records inserted per table in batches with
// ON CONFLICT DO NOTHING (a repeat is dropped, never doubled), the seqs they cover merged into their
// history's held ranges, retained state and counts kept, rejects appended to a bounded table.
import { CompiledQuery, type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { GateStateMsg, RecordMsg, Rejected } from '../classify.js';
import { addSeqs, mergeRanges, parseRanges, type Range } from '../seqs.js';
import type { Engine } from './migrations.js';
import { int4Array, int8Array, textArray } from './pg-arrays.js';
import type { HistoryTable, HubTables, RecordTable } from './tables.js';

export interface Burst {
  records: RecordMsg[];
  states: GateStateMsg[];
  rejects: Array<Rejected & { count?: number }>;
  /** Ranges a gate answered it no longer has, by history key. */
  gone?: Array<{ site: string; gate: string; ledger: string; ranges: Range[] }>;
}

export interface BurstResult {
  inserted: number;
  duplicates: number;
  /** Histories seen for the first time (a new gate, or a gate's new ledger). */
  newHistories: Array<{ site: string; gate: string; ledger: string; id: number }>;
}

/** The columns every record table has, then each table's own (read from the record's data). */
const BASE_COLUMNS = ['site', 'gate', 'history', 'seq', 'at', 'clock_synced', 'received_at', 'data'] as const;
const OWN_COLUMNS: Record<RecordTable, readonly string[]> = {
  passages: ['passage_id', 'lane', 'direction', 'outcome', 'subject_kind'],
  alerts: ['alert_id', 'kind', 'severity', 'lane'],
  daily_reports: ['day'],
  visitor_events: ['type'],
  corrections: ['type'],
  quarantine_changes: ['type'],
  device_events: ['type'],
  downlink_results: ['type'],
};

/** A column's text: at most 128 characters, without NUL (PostgreSQL's text cannot hold it). */
const short = (v: unknown) => (typeof v === 'string' ? (v.includes('\u0000') ? v.replaceAll('\u0000', '') : v).slice(0, 128) : null);

function put(own: Array<Array<string | null>>, i: number, j: number, v: string | null): void {
  (own[i] as Array<string | null>)[j] = v;
}

/** A table's own column values of one record, in OWN_COLUMNS order, into row j of `own`. */
function fillOwn(r: RecordMsg, own: Array<Array<string | null>>, j: number): void {
  const d = r.data;
  switch (r.table) {
    case 'passages': {
      const subject = d.subject && typeof d.subject === 'object' ? (d.subject as Record<string, unknown>) : undefined;
      put(own, 0, j, short(d.id));
      put(own, 1, j, short(d.lane));
      put(own, 2, j, short(d.direction));
      put(own, 3, j, short(d.outcome));
      put(own, 4, j, short(subject?.kind));
      return;
    }
    case 'alerts':
      put(own, 0, j, short(d.id));
      put(own, 1, j, short(d.kind));
      // One of the gate's three severities (the office reads each along an index); anything else is a warning.
      put(own, 2, j, d.severity === 'critical' || d.severity === 'info' ? d.severity : 'warning');
      put(own, 3, j, short(d.lane));
      return;
    case 'daily_reports':
      put(own, 0, j, short(d.day));
      return;
    default:
      put(own, 0, j, short(d.type));
  }
}

/**
 * One table's rows of a burst, column by column (what an unnest insert takes), sized for them up
 * front: numbers in typed arrays (no array grown element by element and copied, no boxed number).
 */
interface ColumnRows {
  n: number;
  site: string[];
  gate: string[];
  history: Float64Array;
  seq: Float64Array;
  at: Float64Array;
  clockSynced: Int32Array;
  /** JSON text, or its UTF-8 bytes (RecordMsg.dataJson). */
  data: Array<string | Buffer>;
  own: Array<Array<string | null>>;
}

function columnRows(table: RecordTable, size: number): ColumnRows {
  const strings = <T>() => new Array<T>(size);
  return {
    n: 0,
    site: strings(),
    gate: strings(),
    history: new Float64Array(size),
    seq: new Float64Array(size),
    at: new Float64Array(size),
    clockSynced: new Int32Array(size),
    data: strings(),
    own: OWN_COLUMNS[table].map(() => strings<string | null>()),
  };
}

/** What a burst brings to one history. */
interface Touched {
  seqs: number[];
  highest: number;
  state?: string;
  counts?: string;
  gone?: Range[];
}

/** A history's new values after a burst (null: unchanged), from its row as read under its lock. */
function merged(row: { held: string; gone: string; highest_reported: number | string }, e: Touched): { held: string | null; gone: string | null; highest: number | null; state: string | null; counts: string | null } {
  return {
    held: e.seqs.length ? JSON.stringify(addSeqs(parseRanges(row.held), e.seqs)) : null,
    gone: e.gone ? JSON.stringify(mergeRanges(parseRanges(row.gone), e.gone)) : null,
    highest: e.highest > Number(row.highest_reported) ? e.highest : null,
    state: e.state ?? null,
    counts: e.counts ?? null,
  };
}

/** History ids by site, gate and ledger. */
type IdCache = Map<string, Map<string, Map<string, number>>>;

function remember(cache: IdCache, site: string, gate: string, ledger: string, id: number): void {
  const bySite = cache.get(site) ?? new Map<string, Map<string, number>>();
  cache.set(site, bySite);
  const byGate = bySite.get(gate) ?? new Map<string, number>();
  bySite.set(gate, byGate);
  byGate.set(ledger, id);
}

export class HubWriter {
  /** History ids by (site, gate, ledger): histories are never deleted, so a cache is safe across workers. */
  private readonly ids: IdCache = new Map();
  private rejectsSince = 0;

  constructor(
    private readonly db: Kysely<HubTables>,
    private readonly engine: Engine,
    private readonly o: { batchRows: number; rejectsMax: number; now?: () => number },
  ) {}

  async write(burst: Burst): Promise<BurstResult> {
    const now = (this.o.now ?? Date.now)();
    const result: BurstResult = { inserted: 0, duplicates: 0, newHistories: [] };
    // Ids this burst looked up: cached for other bursts only once it commits. A history another
    // worker's open transaction has just inserted is invisible to this one: its row lock would not
    // order the two, and the seqs merged into `held` would be lost.
    const learned: IdCache = new Map();
    await this.db.transaction().execute(async (trx) => {
      const touched = new Map<number, Touched>();
      const entry = (id: number) => {
        let e = touched.get(id);
        if (!e) {
          e = { seqs: [], highest: 0 };
          touched.set(id, e);
        }
        return e;
      };
      const sizes = new Map<RecordTable, number>();
      for (const r of burst.records) sizes.set(r.table, (sizes.get(r.table) ?? 0) + 1);
      const byTable = new Map<RecordTable, ColumnRows>();
      for (const [table, size] of sizes) byTable.set(table, columnRows(table, size));
      for (const r of burst.records) {
        // Known ids without an await: a turn of the microtask queue per record was a tenth of the write.
        const id = this.known(r.site, r.gate, r.ledger, learned) ?? (await this.history(trx, r.site, r.gate, r.ledger, now, result, learned));
        entry(id).seqs.push(r.seq);
        const rows = byTable.get(r.table) as ColumnRows;
        const j = rows.n++;
        rows.site[j] = r.site;
        rows.gate[j] = r.gate;
        rows.history[j] = id;
        rows.seq[j] = r.seq;
        rows.at[j] = r.at;
        rows.clockSynced[j] = r.clockSynced ? 1 : 0;
        rows.data[j] = r.dataJson;
        fillOwn(r, rows.own, j);
      }
      for (const s of burst.states) {
        const e = entry(await this.history(trx, s.site, s.gate, s.ledger, now, result, learned));
        e.highest = Math.max(e.highest, s.highest);
        if (s.type === 'state') e.state = s.json;
        else e.counts = s.json;
      }
      for (const g of burst.gone ?? []) entry(await this.history(trx, g.site, g.gate, g.ledger, now, result, learned)).gone = g.ranges;
      for (const [table, rows] of byTable) {
        const n = await this.insertRows(trx, table, rows, now);
        result.inserted += n;
        result.duplicates += rows.n - n;
      }
      // In id order: two workers' bursts lock the histories they share in the same order (no deadlock).
      const histories = [...touched].sort((a, b) => a[0] - b[0]);
      if (this.engine === 'postgres') await this.updateHistoriesPg(trx, histories, now);
      else for (const [id, e] of histories) await this.updateHistory(trx, id, e, now);
      if (burst.rejects.length) await this.rejects(trx, burst.rejects, now);
    });
    for (const [site, gates] of learned) for (const [gate, ledgers] of gates) for (const [ledger, id] of ledgers) remember(this.ids, site, gate, ledger, id);
    return result;
  }

  /**
   * Inserts one table's rows ON CONFLICT DO NOTHING; returns how many were new. The statement text is
   * built here and run as a compiled query: Kysely's builder spent more time building a 2,000-row
   * insert than the database took to run it. PostgreSQL: one statement per table and burst,
   * `INSERT … SELECT FROM unnest($1::text[], …)`, one array per column (the parameter count does not
   * grow with the rows), the arrays sent in the binary format (pg-arrays.ts). SQLite: multi-row VALUES, chunked
   * under its 32,766 bound parameters.
   */
  private async insertRows(trx: Transaction<HubTables>, table: RecordTable, rows: ColumnRows, now: number): Promise<number> {
    if (rows.n === 0) return 0;
    const own = OWN_COLUMNS[table];
    const names = [...BASE_COLUMNS, ...own].join(', ');
    const conflict = 'ON CONFLICT (site, gate, history, seq) DO NOTHING';
    if (this.engine === 'postgres') {
      const u = ['s', 'g', 'h', 'q', 'a', 'c', 'd', ...own.map((_, i) => `o${i}`)];
      const types = ['text', 'text', 'bigint', 'bigint', 'bigint', 'integer', 'text', ...own.map(() => 'text')];
      const select = ['s', 'g', 'h', 'q', 'a', 'c', '$1::bigint', 'd', ...own.map((_, i) => `o${i}`)];
      const text = `INSERT INTO ${table} (${names}) SELECT ${select.join(', ')} FROM unnest(${types.map((t, i) => `$${i + 2}::${t}[]`).join(', ')}) AS u(${u.join(', ')}) ${conflict}`;
      const params = [now, textArray(rows.site), textArray(rows.gate), int8Array(rows.history), int8Array(rows.seq), int8Array(rows.at), int4Array(rows.clockSynced), textArray(rows.data), ...rows.own.map(textArray)];
      const r = await trx.executeQuery(CompiledQuery.raw(text, params));
      return Number(r.numAffectedRows ?? 0n);
    }
    const width = BASE_COLUMNS.length + own.length;
    const chunk = Math.max(1, Math.min(this.o.batchRows, Math.floor(32_000 / width)));
    const tuple = `(${new Array(width).fill('?').join(', ')})`;
    let inserted = 0;
    for (let i = 0; i < rows.n; i += chunk) {
      const end = Math.min(rows.n, i + chunk);
      const params: unknown[] = [];
      for (let j = i; j < end; j++) {
        const data = rows.data[j] as string | Buffer;
        // Text, not a blob: SQLite keeps what it is given.
        params.push(rows.site[j], rows.gate[j], rows.history[j], rows.seq[j], rows.at[j], rows.clockSynced[j], now, typeof data === 'string' ? data : data.toString('utf8'));
        for (const col of rows.own) params.push(col[j] ?? null);
      }
      const text = `INSERT INTO ${table} (${names}) VALUES ${new Array(end - i).fill(tuple).join(', ')} ${conflict}`;
      const r = await trx.executeQuery(CompiledQuery.raw(text, params));
      inserted += Number(r.numAffectedRows ?? 0n);
    }
    return inserted;
  }

  /** A history id already known to this writer or this burst. Nested maps, not a joined key: no string made per record. */
  private known(site: string, gate: string, ledger: string, learned: IdCache): number | undefined {
    return this.ids.get(site)?.get(gate)?.get(ledger) ?? learned.get(site)?.get(gate)?.get(ledger);
  }

  private async history(trx: Transaction<HubTables>, site: string, gate: string, ledger: string, now: number, result: BurstResult, learned: IdCache): Promise<number> {
    const known = this.known(site, gate, ledger, learned);
    if (known !== undefined) return known;
    const find = () => trx.selectFrom('histories').select('id').where('site', '=', site).where('gate', '=', gate).where('ledger', '=', ledger).executeTakeFirst();
    let row = await find();
    if (!row) {
      await trx.insertInto('histories').values({ site, gate, ledger, first_seen: now, last_seen: now, held: '[]', gone: '[]', highest_reported: 0, state: null, counts: null }).onConflict((oc) => oc.columns(['site', 'gate', 'ledger']).doNothing()).execute();
      row = await find();
      if (!row) throw new Error(`could not record the history of gate ${site}/${gate}`);
      result.newHistories.push({ site, gate, ledger, id: Number(row.id) });
    }
    const id = Number(row.id);
    remember(learned, site, gate, ledger, id);
    return id;
  }

  /** SQLite (one writer: no lock to take), one history at a time. */
  private async updateHistory(trx: Transaction<HubTables>, id: number, e: Touched, now: number): Promise<void> {
    const row = await trx.selectFrom('histories').select(['held', 'gone', 'highest_reported']).where('id', '=', id).executeTakeFirst();
    // Never merged into nothing: the burst is rolled back and tried again.
    if (!row) throw new Error(`the history ${id} is not visible to this burst`);
    const m = merged(row, e);
    const update: Updateable<HistoryTable> = { last_seen: now };
    if (m.held !== null) update.held = m.held;
    if (m.gone !== null) update.gone = m.gone;
    if (m.highest !== null) update.highest_reported = m.highest;
    if (m.state !== null) update.state = m.state;
    if (m.counts !== null) update.counts = m.counts;
    await trx.updateTable('histories').set(update).where('id', '=', id).execute();
  }

  /**
   * PostgreSQL: the burst's histories (in id order) locked and read in one statement, and updated in
   * one: two round trips a burst rather than two per history (each a wake-up of the server). Two
   * workers may merge into the same history at once: the row locks, taken in id order as the rows
   * come out of the sort under FOR UPDATE, order them.
   */
  private async updateHistoriesPg(trx: Transaction<HubTables>, histories: Array<[number, Touched]>, now: number): Promise<void> {
    if (histories.length === 0) return;
    const ids = histories.map(([id]) => id);
    const found = await trx.executeQuery<{ id: number; held: string; gone: string; highest_reported: number }>(
      CompiledQuery.raw('SELECT id, held, gone, highest_reported FROM histories WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids]),
    );
    const rows = new Map(found.rows.map((r) => [Number(r.id), r]));
    const cols = { held: [] as Array<string | null>, gone: [] as Array<string | null>, highest: [] as Array<number | null>, state: [] as Array<string | null>, counts: [] as Array<string | null> };
    for (const [id, e] of histories) {
      const row = rows.get(id);
      // Never merged into nothing: the burst is rolled back and tried again.
      if (!row) throw new Error(`the history ${id} is not visible to this burst`);
      const m = merged(row, e);
      cols.held.push(m.held);
      cols.gone.push(m.gone);
      cols.highest.push(m.highest);
      cols.state.push(m.state);
      cols.counts.push(m.counts);
    }
    // NULL: that column of that history stays as it is.
    await trx.executeQuery(
      CompiledQuery.raw(
        `UPDATE histories AS h SET last_seen = $1, held = COALESCE(u.held, h.held), gone = COALESCE(u.gone, h.gone), highest_reported = COALESCE(u.highest, h.highest_reported), state = COALESCE(u.state, h.state), counts = COALESCE(u.counts, h.counts)
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS u(id, held, gone, highest, state, counts) WHERE h.id = u.id`,
        [now, ids, cols.held, cols.gone, cols.highest, cols.state, cols.counts],
      ),
    );
  }

  private async rejects(trx: Transaction<HubTables>, rejects: Array<Rejected & { count?: number }>, now: number): Promise<void> {
    const rows = rejects.map((r) => ({ received_at: now, reason: r.reason, detail: r.detail.slice(0, 1000), topic: r.topic, site: r.site ?? null, gate: r.gate ?? null, seq: r.seq ?? null, bytes: r.bytes, excerpt: r.excerpt, count: r.count ?? 1 }));
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('rejects').values(rows.slice(i, i + 500)).execute();
    this.rejectsSince += rows.length;
    // Bounded: the oldest leave once in a while (not on every burst), so the table stays near its cap.
    if (this.rejectsSince >= Math.max(1, Math.floor(this.o.rejectsMax / 10))) {
      this.rejectsSince = 0;
      const top = await trx.selectFrom('rejects').select(sql<number>`max(id)`.as('top')).executeTakeFirst();
      const cut = Number(top?.top ?? 0) - this.o.rejectsMax;
      if (cut > 0) await trx.deleteFrom('rejects').where('id', '<=', cut).execute();
    }
  }
}
