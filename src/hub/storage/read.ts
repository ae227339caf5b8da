// What the API (and part 2's screens) read: gates with their histories, held and missing seqs,
// retained state and counts; alerts; passages by keyset pagination (never OFFSET: a year of
// passages is millions of rows); rejects. Every list is bounded.
import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { countSeqs, missingRanges, parseRanges, type Range } from '../seqs.js';
import type { HubTables } from './tables.js';

export interface GateHistory {
  id: number;
  site: string;
  gate: string;
  ledger: string;
  firstSeen: number;
  lastSeen: number;
  /** The highest seq known: what the gate reported, or the highest received. */
  highest: number;
  held: number;
  heldRanges: Range[];
  missing: Range[];
  missingCount: number;
  gone: Range[];
  state: Record<string, unknown> | null;
  counts: Record<string, unknown> | null;
}

const parse = (t: string | null): Record<string, unknown> | null => {
  if (!t) return null;
  try {
    return JSON.parse(t) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** Missing = not held and not answered as gone, up to the highest known seq. */
export function historyView(r: HubTables['histories'] extends infer H ? { [K in keyof H]: unknown } : never): GateHistory {
  const held = parseRanges(r.held as string);
  const gone = parseRanges(r.gone as string);
  const highest = Math.max(Number(r.highest_reported), held.at(-1)?.[1] ?? 0);
  const missing = missingRanges([...held, ...gone].sort((a, b) => a[0] - b[0]), highest);
  return {
    id: Number(r.id),
    site: r.site as string,
    gate: r.gate as string,
    ledger: r.ledger as string,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    highest,
    held: countSeqs(held),
    heldRanges: held,
    missing,
    missingCount: countSeqs(missing),
    gone,
    state: parse(r.state as string | null),
    counts: parse(r.counts as string | null),
  };
}

export interface PassageQuery {
  site?: string;
  gate?: string;
  from?: number;
  to?: number;
  outcome?: string;
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
  /** Exact JSON fields of the record's data (e.g. {idTail: '0023'}): letters, digits, - and _ only. */
  fields?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

interface Cursor {
  at: number;
  history: number;
  seq: number;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify([c.at, c.history, c.seq])).toString('base64url');
/**
 * `"key":"value"` as the gate's JSON.stringify writes it, found in the data text: instr() on SQLite
 * (a third faster than LIKE over a day's rows, bench/office.ts), strpos() on PostgreSQL. Values are
 * limited to safe characters.
 */
function fieldMatches(db: Kysely<HubTables>, fields: Record<string, string> | undefined) {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return Object.entries(fields ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(k) || !/^[A-Za-z0-9_-]{1,128}$/.test(v)) throw new Error('a field filter takes letters, digits, - and _ only');
    const needle = `"${k}":"${v}"`;
    return sqlite ? sql<boolean>`instr(data, ${needle}) > 0` : sql<boolean>`strpos(data, ${needle}) > 0`;
  });
}

function decode(text: string): Cursor {
  try {
    const [at, history, seq] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as number[];
    if ([at, history, seq].every(Number.isSafeInteger)) return { at: at as number, history: history as number, seq: seq as number };
  } catch {}
  throw new Error('cursor is not one this hub gave');
}

export class HubReader {
  constructor(private readonly db: Kysely<HubTables>) {}

  async histories(filter: { site?: string; gate?: string } = {}): Promise<GateHistory[]> {
    let q = this.db.selectFrom('histories').selectAll();
    if (filter.site) q = q.where('site', '=', filter.site);
    if (filter.gate) q = q.where('gate', '=', filter.gate);
    const rows = await q.orderBy('site').orderBy('gate').orderBy('id').execute();
    return rows.map((r) => historyView(r as never));
  }

  async passages(q: PassageQuery): Promise<Page<Record<string, unknown>>> {
    const limit = Math.max(1, Math.min(500, q.limit ?? 50));
    let s = this.db.selectFrom('passages').select(['site', 'gate', 'history', 'seq', 'at', 'clock_synced', 'received_at', 'passage_id', 'lane', 'direction', 'outcome', 'subject_kind', 'data']);
    if (q.site) s = s.where('site', '=', q.site);
    if (q.gate) s = s.where('gate', '=', q.gate);
    if (q.from !== undefined) s = s.where('at', '>=', q.from);
    if (q.to !== undefined) s = s.where('at', '<', q.to);
    if (q.outcome) s = s.where('outcome', '=', q.outcome);
    for (const m of fieldMatches(this.db, q.fields)) s = s.where(m);
    if (q.cursor) {
      const c = decode(q.cursor);
      s = s.where((eb) => eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb.or([eb('history', '<', c.history), eb.and([eb('history', '=', c.history), eb('seq', '<', c.seq)])])])]));
    }
    const rows = await s.orderBy('at', 'desc').orderBy('history', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map((r) => ({ ...r, clock_synced: r.clock_synced === 1, data: parse(r.data) }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, next: last ? encode({ at: Number(last.at), history: Number(last.history), seq: Number(last.seq) }) : null };
  }

  /**
   * Gate events of one of the typed tables (visitors and deliveries, quarantine changes), newest
   * first by the same keyset as passages; `types` are the data types wanted.
   */
  async events(table: 'visitor_events' | 'quarantine_changes', q: Omit<PassageQuery, 'outcome'> & { types: string[] }): Promise<Page<Record<string, unknown>>> {
    const limit = Math.max(1, Math.min(500, q.limit ?? 50));
    let s = this.db.selectFrom(table).select(['site', 'gate', 'history', 'seq', 'at', 'type', 'data']).where('type', 'in', q.types);
    if (q.site) s = s.where('site', '=', q.site);
    if (q.gate) s = s.where('gate', '=', q.gate);
    if (q.from !== undefined) s = s.where('at', '>=', q.from);
    if (q.to !== undefined) s = s.where('at', '<', q.to);
    for (const m of fieldMatches(this.db, q.fields)) s = s.where(m);
    if (q.cursor) {
      const c = decode(q.cursor);
      s = s.where((eb) => eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb.or([eb('history', '<', c.history), eb.and([eb('history', '=', c.history), eb('seq', '<', c.seq)])])])]));
    }
    const rows = await s.orderBy('at', 'desc').orderBy('history', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map((r) => ({ ...r, data: parse(r.data) }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, next: last ? encode({ at: Number(last.at), history: Number(last.history), seq: Number(last.seq) }) : null };
  }

  async alerts(q: { site?: string; gate?: string; limit?: number; before?: number } = {}): Promise<Array<Record<string, unknown>>> {
    let s = this.db.selectFrom('alerts').select(['site', 'gate', 'history', 'seq', 'at', 'alert_id', 'kind', 'severity', 'lane', 'data']);
    if (q.site) s = s.where('site', '=', q.site);
    if (q.gate) s = s.where('gate', '=', q.gate);
    if (q.before !== undefined) s = s.where('at', '<', q.before);
    const rows = await s.orderBy('at', 'desc').limit(Math.max(1, Math.min(500, q.limit ?? 100))).execute();
    return rows.map((r) => ({ ...r, data: parse(r.data) }));
  }

  async rejects(limit = 100): Promise<{ byReason: Record<string, number>; latest: Array<Record<string, unknown>> }> {
    const by = await this.db.selectFrom('rejects').select(['reason', sql<number>`sum(count)`.as('n')]).groupBy('reason').execute();
    const latest = await this.db.selectFrom('rejects').selectAll().orderBy('id', 'desc').limit(Math.max(1, Math.min(500, limit))).execute();
    return { byReason: Object.fromEntries(by.map((r) => [r.reason, Number(r.n)])), latest };
  }

  /** Rows per record table (exact; for tests and the IT person's look, not for screens at 10 M rows). */
  async count(table: 'passages' | 'alerts' | 'daily_reports' | 'corrections' | 'downlink_results' | 'device_events' | 'visitor_events' | 'quarantine_changes', where: { site?: string; gate?: string; history?: number } = {}): Promise<number> {
    let q = this.db.selectFrom(table).select(sql<number>`count(*)`.as('n'));
    if (where.site) q = q.where('site', '=', where.site);
    if (where.gate) q = q.where('gate', '=', where.gate);
    if (where.history !== undefined) q = q.where('history', '=', where.history);
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }
}
