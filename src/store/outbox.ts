// The uplink outbox the sync drains: per-gate seq (AUTOINCREMENT, so never reused, even after
// deletes and restarts), priority (alerts first), minimised JSON payload. Rows leave only on PUBACK.
import type { StoreCtx } from './db.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

export type OutboxKind = 'passage' | 'alert' | 'report' | 'correction' | 'state' | 'roster-ack';

/** Lower numbers are sent first. */
export const OutboxPriority = { alert: 0, report: 5, passage: 10, other: 20 } as const;

export interface OutboxRow {
  /** Per-gate, strictly increasing, never reused, survives restart. */
  seq: number;
  kind: OutboxKind;
  priority: number;
  /** JSON-ready payload, already minimised (no names or ID numbers unless configured). */
  readonly payload: Record<string, unknown>;
  /** The payload as stored (JSON text), when read from the ledger: the drain sends it without a parse. */
  readonly payloadJson?: string;
  /** Wall ms. */
  createdAt: number;
  clockSynced: boolean;
}

/**
 * Which rows to read (the drain reads each row once instead of from the head every time):
 * - `after`: the rows after this position in the ledger's order (priority, then seq);
 * - `priorityBelow` + `seqAbove`: rows more urgent than the drain's position that were committed
 *   since it last read (seqs only grow, so a row committed later always has a higher seq).
 */
export type OutboxRange = { after: { priority: number; seq: number } } | { priorityBelow: number; seqAbove: number };

/** The outbox, drained by src/sync. */
export interface OutboxLedger {
  /** Up to `limit` rows in the ledger's order (priority, then seq), from the head or within `range`. */
  outboxBatch(limit: number, range?: OutboxRange): OutboxRow[];
  /**
   * The outbox rows this connection committed since the previous call, in seq order, handed over
   * in memory so that the drain need not read back rows it was just told about. Undefined when the
   * ledger cannot vouch that no row is missing from them (another process wrote to the outbox, a
   * transaction was rolled back, more than FRESH_ROWS_MAX piled up): read the outbox then. One
   * consumer only (the drain), which calls it right after each read that covered every row, to
   * drop what that read saw.
   */
  outboxFresh(): OutboxRow[] | undefined;
  /** Call only after the broker's PUBACK; acknowledged rows are deleted. */
  outboxAck(seqs: number[]): void;
  outboxDepth(): number;
  /** The hub asked for from..to again: sent rows go back in the outbox; `gone` = seqs purged since. */
  outboxResend(from: number, to: number): { requeued: number; gone: Array<[number, number]> };
  /** Made with the ledger: a wiped ledger has a new one, so the hub keeps the two histories apart. */
  ledgerId(): string;
  enqueue(kind: OutboxKind, payload: Record<string, unknown>, priority?: number): { seq: number };
}

export interface Outbox {
  /** Inside a transaction of the caller: insert and return the seq. */
  insert(kind: OutboxKind, payload: Record<string, unknown>, priority: number): number;
  batch(limit: number, range?: OutboxRange): OutboxRow[];
  /** Rows moved to outbox_sent, where resend() finds them again. */
  ack(seqs: number[]): number;
  /**
   * Puts the sent rows from..to back in the outbox (the hub asked for them). Returns how many, and
   * the seqs of that range this ledger committed but no longer has (purged by retention).
   */
  resend(from: number, to: number): { requeued: number; gone: Array<[number, number]> };
  depth(): number;
  /** After a rolled-back transaction: the in-memory depth is re-read, rows of the transaction are forgotten. */
  recount(): void;
  /** After a transaction that may have inserted rows committed: they become fresh (see Ledger.outboxFresh). */
  committed(): void;
  fresh(): OutboxRow[] | undefined;
}

/** Fresh rows kept for the drain at most; past this (the hub offline) the drain reads the outbox instead. */
export const FRESH_ROWS_MAX = 1000;

export function defaultPriority(kind: OutboxKind): number {
  if (kind === 'alert') return OutboxPriority.alert;
  if (kind === 'report') return OutboxPriority.report;
  if (kind === 'passage' || kind === 'correction') return OutboxPriority.passage;
  return OutboxPriority.other;
}

type StoredRow = { seq: number; kind: string; priority: number; payload: string; created_at: number; clock_synced: number };

/** The payload is parsed only when asked for: the drain sends the stored JSON text as it is. */
function toRow(r: StoredRow): OutboxRow {
  let parsed: Record<string, unknown> | undefined;
  return {
    seq: r.seq,
    kind: r.kind as OutboxKind,
    priority: r.priority,
    get payload() {
      parsed ??= JSON.parse(r.payload) as Record<string, unknown>;
      return parsed;
    },
    payloadJson: r.payload,
    createdAt: r.created_at,
    clockSynced: r.clock_synced === 1,
  };
}

export function createOutbox(ctx: StoreCtx): Outbox {
  const { db } = ctx;
  const nextSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");
  const ins = db.prepare('INSERT INTO outbox (seq, kind, priority, payload, created_at, clock_synced) VALUES (?, ?, ?, ?, ?, ?)');
  type Row = StoredRow;
  const cols = 'SELECT seq, kind, priority, payload, created_at, clock_synced FROM outbox';
  const fromHead = db.prepare<[number], Row>(`${cols} ORDER BY priority, seq LIMIT ?`);
  // Seeks in the index outbox_order (priority, seq), never a walk from the head. (A row value
  // `(priority, seq) > (?, ?)` is not a seek in SQLite: it reads the whole priority; measured 40 ms at 300k rows.)
  const samePriorityAfter = db.prepare<[number, number, number], Row>(`${cols} WHERE priority = ? AND seq > ? ORDER BY priority, seq LIMIT ?`);
  const lowerPriority = db.prepare<[number, number], Row>(`${cols} WHERE priority > ? ORDER BY priority, seq LIMIT ?`);
  const urgent = db.prepare<[number, number, number], Row>(`${cols} WHERE priority < ? AND seq > ? ORDER BY priority, seq LIMIT ?`);
  const del = db.prepare('DELETE FROM outbox WHERE seq = ?');
  const keep = db.prepare('INSERT OR REPLACE INTO outbox_sent (seq, kind, priority, payload, created_at, clock_synced) SELECT seq, kind, priority, payload, created_at, clock_synced FROM outbox WHERE seq = ?');
  const requeue = db.prepare('INSERT OR IGNORE INTO outbox (seq, kind, priority, payload, created_at, clock_synced) SELECT seq, kind, priority, payload, created_at, clock_synced FROM outbox_sent WHERE seq BETWEEN ? AND ?');
  const held = db.prepare<[number, number, number, number], { seq: number }>('SELECT seq FROM outbox_sent WHERE seq BETWEEN ? AND ? UNION SELECT seq FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
  let depth = count.get()?.n ?? 0;
  // The rows handed to the drain in memory: inserted in the open transaction (staged), then
  // committed since the drain last looked (fresh). `lastSeq` is the last seq this connection
  // inserted: when the next insert finds another one in sqlite_sequence, another process wrote a
  // row in between, and fresh rows are no longer the whole story until the drain reads again.
  let lastSeq = nextSeq.get()?.seq ?? 0;
  let staged: OutboxRow[] = [];
  let fresh: OutboxRow[] = [];
  let freshWhole = false;

  return {
    insert(kind, payload, priority) {
      const prev = nextSeq.get()?.seq ?? 0;
      if (prev !== lastSeq) freshWhole = false;
      const seq = prev + 1;
      const body = JSON.stringify({ ...payload, gateId: ctx.gateId, siteId: ctx.siteId, seq });
      const createdAt = ctx.now();
      const synced = ctx.synced();
      ins.run(seq, kind, priority, body, createdAt, synced ? 1 : 0);
      lastSeq = seq;
      depth++;
      staged.push(toRow({ seq, kind, priority, payload: body, created_at: createdAt, clock_synced: synced ? 1 : 0 }));
      return seq;
    },
    committed() {
      // Inside an outer transaction (a savepoint returned): the outer one commits or not.
      if (staged.length === 0 || db.inTransaction) return;
      if (fresh.length + staged.length > FRESH_ROWS_MAX) {
        fresh = [];
        freshWhole = false;
      } else fresh = fresh.length ? fresh.concat(staged) : staged;
      staged = [];
    },
    fresh() {
      const rows = freshWhole ? fresh : undefined;
      fresh = [];
      freshWhole = true;
      return rows;
    },
    batch(limit, range) {
      const n = Math.max(1, Math.min(10_000, Math.floor(limit)));
      let rows: Row[];
      if (!range) rows = fromHead.all(n);
      else if ('after' in range) {
        rows = samePriorityAfter.all(range.after.priority, range.after.seq, n);
        if (rows.length < n) rows = rows.concat(lowerPriority.all(range.after.priority, n - rows.length));
      } else rows = urgent.all(range.priorityBelow, range.seqAbove, n);
      return rows.map(toRow);
    },
    ack(seqs) {
      let removed = 0;
      db.transaction(() => {
        for (const s of seqs) {
          keep.run(s);
          removed += del.run(s).changes;
        }
      })();
      depth -= removed;
      return removed;
    },
    resend(from, to) {
      const last = nextSeq.get()?.seq ?? 0;
      const end = Math.min(to, last);
      if (end < from) return { requeued: 0, gone: [] };
      const requeued = requeue.run(from, end).changes;
      const gone: Array<[number, number]> = [];
      let next = from;
      for (const { seq } of held.iterate(from, end, from, end)) {
        if (seq > next) gone.push([next, seq - 1]);
        next = seq + 1;
      }
      if (next <= end) gone.push([next, end]);
      return { requeued, gone };
    },
    depth: () => depth,
    recount() {
      depth = count.get()?.n ?? 0;
      staged = [];
      fresh = [];
      freshWhole = false;
      lastSeq = nextSeq.get()?.seq ?? 0;
    },
  };
}
