// One burst of messages, one transaction: records inserted per table in batches with
// ON CONFLICT DO NOTHING (a repeat is dropped, never doubled), the seqs they cover merged into their
// history's held ranges, retained state and counts kept, rejects appended to a bounded table.
import { CompiledQuery, type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { GateStateMsg, RecordMsg, Rejected } from '../classify.js';
import { addSeqs, mergeRanges, parseRanges, type Range } from '../seqs.js';
import type { Engine } from './migrations.js';
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

/** PostgreSQL array types of the record columns (text unless named). */
const PG_TYPES: Record<string, string> = { history: 'bigint', seq: 'bigint', at: 'bigint', clock_synced: 'integer', received_at: 'bigint' };

const key = (site: string, gate: string, ledger: string) => `${site}\u0000${gate}\u0000${ledger}`;

function columns(r: RecordMsg, history: number, now: number) {
  const base = { site: r.site, gate: r.gate, history, seq: r.seq, at: r.at, clock_synced: r.clockSynced ? 1 : 0, received_at: now, data: r.dataJson };
  const d = r.data;
  const s = (v: unknown) => (typeof v === 'string' ? v.slice(0, 128) : null);
  switch (r.table) {
    case 'passages': {
      const subject = d.subject && typeof d.subject === 'object' ? (d.subject as Record<string, unknown>) : {};
      return { ...base, passage_id: s(d.id), lane: s(d.lane), direction: s(d.direction), outcome: s(d.outcome), subject_kind: s(subject.kind) };
    }
    case 'alerts':
      // One of the gate's three severities (the office reads each along an index); anything else is a warning.
      return { ...base, alert_id: s(d.id), kind: s(d.kind), severity: d.severity === 'critical' || d.severity === 'info' ? d.severity : 'warning', lane: s(d.lane) };
    case 'daily_reports':
      return { ...base, day: s(d.day) };
    default:
      return { ...base, type: s(d.type) };
  }
}

export class HubWriter {
  /** History ids by (site, gate, ledger): histories are never deleted, so a cache is safe across workers. */
  private readonly ids = new Map<string, number>();
  private rejectsSince = 0;

  constructor(
    private readonly db: Kysely<HubTables>,
    private readonly engine: Engine,
    private readonly o: { batchRows: number; rejectsMax: number; now?: () => number },
  ) {}

  async write(burst: Burst): Promise<BurstResult> {
    const now = (this.o.now ?? Date.now)();
    const result: BurstResult = { inserted: 0, duplicates: 0, newHistories: [] };
    await this.db.transaction().execute(async (trx) => {
      const touched = new Map<number, { seqs: number[]; highest: number; state?: string; counts?: string; gone?: Range[] }>();
      const entry = (id: number) => {
        let e = touched.get(id);
        if (!e) {
          e = { seqs: [], highest: 0 };
          touched.set(id, e);
        }
        return e;
      };
      const byTable = new Map<RecordTable, Array<Record<string, unknown>>>();
      for (const r of burst.records) {
        const id = await this.history(trx, r.site, r.gate, r.ledger, now, result);
        entry(id).seqs.push(r.seq);
        const rows = byTable.get(r.table);
        if (rows) rows.push(columns(r, id, now));
        else byTable.set(r.table, [columns(r, id, now)]);
      }
      for (const s of burst.states) {
        const e = entry(await this.history(trx, s.site, s.gate, s.ledger, now, result));
        e.highest = Math.max(e.highest, s.highest);
        if (s.type === 'state') e.state = s.json;
        else e.counts = s.json;
      }
      for (const g of burst.gone ?? []) entry(await this.history(trx, g.site, g.gate, g.ledger, now, result)).gone = g.ranges;
      for (const [table, rows] of byTable) {
        const n = await this.insertRows(trx, table, rows);
        result.inserted += n;
        result.duplicates += rows.length - n;
      }
      for (const [id, e] of touched) await this.updateHistory(trx, id, e, now);
      if (burst.rejects.length) await this.rejects(trx, burst.rejects, now);
    });
    return result;
  }

  /**
   * Inserts rows ON CONFLICT DO NOTHING; returns how many were new. The statement text is built here
   * and run as a compiled query: Kysely's builder spent more time building a 2,000-row insert than
   * the database took to run it. PostgreSQL takes one array per column (unnest); SQLite multi-row
   * VALUES, chunked under its 32,766 bound parameters.
   */
  private async insertRows(trx: Transaction<HubTables>, table: RecordTable, rows: Array<Record<string, unknown>>): Promise<number> {
    if (rows.length === 0) return 0;
    const cols = Object.keys(rows[0] as object);
    const key = '(site, gate, history, seq)';
    let inserted = 0;
    if (this.engine === 'postgres') {
      const types = cols.map((c) => PG_TYPES[c] ?? 'text');
      const text = `INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ON CONFLICT ${key} DO NOTHING`;
      const chunk = Math.max(1, this.o.batchRows);
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        const r = await trx.executeQuery(CompiledQuery.raw(text, cols.map((c) => part.map((row) => row[c] ?? null))));
        inserted += Number(r.numAffectedRows ?? 0n);
      }
      return inserted;
    }
    const chunk = Math.max(1, Math.min(this.o.batchRows, Math.floor(32_000 / cols.length)));
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      const text = `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${part.map(() => tuple).join(', ')} ON CONFLICT ${key} DO NOTHING`;
      const params: unknown[] = [];
      for (const row of part) for (const c of cols) params.push(row[c] ?? null);
      const r = await trx.executeQuery(CompiledQuery.raw(text, params));
      inserted += Number(r.numAffectedRows ?? 0n);
    }
    return inserted;
  }

  private async history(trx: Transaction<HubTables>, site: string, gate: string, ledger: string, now: number, result: BurstResult): Promise<number> {
    const k = key(site, gate, ledger);
    const known = this.ids.get(k);
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
    this.ids.set(k, id);
    return id;
  }

  private async updateHistory(trx: Transaction<HubTables>, id: number, e: { seqs: number[]; highest: number; state?: string; counts?: string; gone?: Range[] }, now: number): Promise<void> {
    // Two workers may merge into the same history at once: the row lock orders them (PostgreSQL).
    let q = trx.selectFrom('histories').select(['held', 'gone', 'highest_reported']).where('id', '=', id);
    if (this.engine === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return;
    const update: Updateable<HistoryTable> = { last_seen: now };
    if (e.seqs.length) update.held = JSON.stringify(addSeqs(parseRanges(row.held), e.seqs));
    if (e.gone) update.gone = JSON.stringify(mergeRanges(parseRanges(row.gone), e.gone));
    if (e.highest > Number(row.highest_reported)) update.highest_reported = e.highest;
    if (e.state !== undefined) update.state = e.state;
    if (e.counts !== undefined) update.counts = e.counts;
    await trx.updateTable('histories').set(update).where('id', '=', id).execute();
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
