// Drains the ledger's outbox to the broker: rows in the ledger's order (alerts first, then by seq),
// QoS 1, a window of publishes in flight, a row deleted only after its PUBACK. After a lost
// connection the unacknowledged rows are simply sent again; the hub drops duplicate (gate, seq).
import type { Logger } from 'pino';
import type { Ledger, OutboxRow } from '../store/api.js';
import type { OutboxMessage } from './messages.js';
import type { TopicTree } from './topics.js';

export type OutboxLedger = Pick<Ledger, 'outboxBatch' | 'outboxAck' | 'outboxDepth'> & Partial<Pick<Ledger, 'outboxFresh' | 'writerFree'>>;

/** The part of mqtt.js the drain uses (a test can pass a fake). */
export interface QosPublisher {
  publish(topic: string, message: string, opts: { qos: 1 }, callback: (err?: Error) => void): unknown;
  /** Optional: hold the socket's writes while a burst is published, then send them in one system call. */
  cork?(): void;
  uncork?(): void;
}

export interface DrainOptions {
  ledger: OutboxLedger;
  client: QosPublisher;
  topics: TopicTree;
  site: string;
  gate: string;
  batch: number;
  inflight: number;
  sendPersonalData: boolean;
  /** The ledger's id, carried in every message's envelope (docs/hub.md: a wiped ledger). */
  ledgerId?: string;
  logger: Logger;
  /** Called after rows were acknowledged (to publish the outbox depth, wake listeners). */
  onAcked?: (count: number, lastSeq: number) => void;
}

const PERSONAL_KEYS = new Set(['name', 'idNumber', 'phone', 'address']);

/** Removes names, ID numbers, phones and addresses at any depth (the ledger minimises too; this is the second lock). */
export function minimise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(minimise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!PERSONAL_KEYS.has(k)) out[k] = minimise(v);
    return out;
  }
  return value;
}

export function outboxMessage(row: OutboxRow, site: string, gate: string, sendPersonalData: boolean, ledgerId?: string): OutboxMessage {
  return {
    v: 1,
    site,
    gate,
    seq: row.seq,
    ...(ledgerId ? { ledger: ledgerId } : {}),
    kind: row.kind,
    at: row.createdAt,
    clockSynced: row.clockSynced,
    data: sendPersonalData ? row.payload : (minimise(row.payload) as Record<string, unknown>),
  };
}

/** Acknowledged rows are deleted in one transaction per this many, after ACK_FLUSH_MS, or when nothing is in flight. */
const ACK_FLUSH = 1024;
const dropPersonal = (key: string, value: unknown) => (PERSONAL_KEYS.has(key) ? undefined : value);
// Quotes inside JSON strings are escaped, so this matches keys only (a false match costs a second stringify).
const PERSONAL_KEY_IN_JSON = /"(?:name|idNumber|phone|address)":/;

/** The serialised outbox message: minimised in one pass of JSON.stringify (no copy of the payload). */
export function outboxJson(row: OutboxRow, site: string, gate: string, sendPersonalData: boolean, ledgerId?: string): string {
  const raw = row.payloadJson;
  // The stored text as it is, wrapped (no parse, no second stringify) unless it holds a personal key.
  if (raw !== undefined && (sendPersonalData || !PERSONAL_KEY_IN_JSON.test(raw))) {
    const ledger = ledgerId ? `"ledger":${JSON.stringify(ledgerId)},` : '';
    return `{"v":1,"site":${JSON.stringify(site)},"gate":${JSON.stringify(gate)},"seq":${row.seq},${ledger}"kind":${JSON.stringify(row.kind)},"at":${row.createdAt},"clockSynced":${row.clockSynced},"data":${raw}}`;
  }
  const msg: OutboxMessage = { v: 1, site, gate, seq: row.seq, ...(ledgerId ? { ledger: ledgerId } : {}), kind: row.kind, at: row.createdAt, clockSynced: row.clockSynced, data: row.payload };
  const plain = JSON.stringify(msg);
  // The ledger minimises already: stringify again, dropping keys, only when one is really there.
  return sendPersonalData || !PERSONAL_KEY_IN_JSON.test(plain) ? plain : JSON.stringify(msg, dropPersonal);
}
export const ACK_FLUSH_MS = 50;
/** After the ledger could not mark rows sent, or a publish failed, wait this long before draining again (no busy loop). */
export const ACK_RETRY_MS = 1000;

// One continuous pipeline rather than batch after batch: the window of publishes in flight is
// refilled from each PUBACK, and rows are read ahead (skipping those already sent) so the pipe
// never empties at a batch boundary. Each read continues where the last one ended (a read from the
// head every time cost more than the rest of the drain together); a newly committed alert is looked
// for on every wake() and overtakes the rows already read ahead.
export class OutboxDrain {
  private online = false;
  private stopped = false;
  private generation = 0;
  /** Rows read ahead, in the ledger's order; `head` is the next to publish. */
  private queue: OutboxRow[] = [];
  private head = 0;
  /**
   * Where the last read ended in the ledger's order (priority, then seq), and the highest seq read
   * since the read started from the head. Every row not yet read is either after `position` or more
   * urgent and newer than `readSeq` (seqs only grow), so no row is read twice and none is missed.
   */
  private position: { priority: number; seq: number } | undefined;
  private readSeq = 0;
  /** Seqs published (this generation) or acknowledged but not yet deleted: a refill skips them. */
  private outstanding = new Set<number>();
  /** The last refill found nothing new: wait for wake() instead of reading the outbox on every PUBACK. */
  private exhausted = false;
  /**
   * The last read saw every row committed before it, and every row committed since then was handed
   * over by the ledger (outboxFresh): the next refill can take those instead of reading them back.
   */
  private caughtUp = false;
  private wakeQueued = false;
  private pendingAcks: number[] = [];
  private inFlight = 0;
  private pumping = false;
  private pumpAgain = false;
  private paused = false;
  private inFlush = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  sent = 0;
  acked = 0;

  constructor(private readonly o: DrainOptions) {}

  connected(): void {
    this.online = true;
    this.exhausted = false;
    this.drainNow();
  }

  disconnected(): void {
    this.online = false;
    this.newGeneration();
  }

  /** Rows older than the read position came back (a resend): read the outbox from its head again. */
  rewind(): void {
    this.restartFromHead();
    this.wake();
  }

  /** New rows were committed: drain them now if the link is up. */
  wake(): void {
    // Our own deletions are announced on the bus as outbox changes too: nothing new to read then.
    if (!this.online || this.stopped || this.inFlush) return;
    this.exhausted = false;
    // One read for all the wakes of a burst (a turn's decisions are announced one after another).
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.drainNow();
    });
  }

  private drainNow(): void {
    if (!this.online || this.stopped || this.inFlush) return;
    if (this.head < this.queue.length) this.readUrgent();
    this.pump();
  }

  /** Stop taking new rows (at once); wait (at most `ms`) for publishes in flight to be acknowledged. */
  async stop(ms: number): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.inFlight > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        this.idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.flushAcks();
  }

  /**
   * The last step before the ledger closes: records the acknowledgements received so far and stops
   * touching the ledger. A PUBACK that comes later is not recorded (its row is sent again once, and
   * the hub drops the duplicate); no timer is left to write to a closed ledger.
   */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.flushAcks();
    this.closed = true;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Forget what was in flight: those rows are sent again (the hub drops the duplicates). */
  private newGeneration(): void {
    this.generation++;
    this.inFlight = 0;
    this.restartFromHead();
    this.flushAcks();
    this.outstanding = new Set(this.pendingAcks);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.o.client.cork?.();
    try {
      do {
        this.pumpAgain = false;
        while (this.online && !this.stopped && !this.paused && this.inFlight < this.o.inflight) {
          const row = this.next();
          if (!row) break;
          this.publish(row);
        }
      } while (this.pumpAgain);
    } catch (err) {
      this.o.logger.error({ err }, 'outbox drain failed; it resumes shortly');
      this.pauseAndRetry();
    } finally {
      this.pumping = false;
      this.o.client.uncork?.();
    }
  }

  private next(): OutboxRow | undefined {
    for (;;) {
      if (this.head >= this.queue.length) {
        if (this.exhausted) return undefined;
        if (!this.takeFresh()) this.readAhead();
        if (this.queue.length === 0) {
          this.exhausted = true;
          return undefined;
        }
      }
      const row = this.queue[this.head++] as OutboxRow;
      if (!this.outstanding.has(row.seq)) return row;
    }
  }

  /** The next rows after the read position, preceded by more urgent rows committed since the last read. */
  private readAhead(): void {
    const limit = this.o.batch;
    const at = this.position;
    let rows: OutboxRow[];
    if (at) {
      const urgent = this.o.ledger.outboxBatch(limit, { priorityBelow: at.priority, seqAbove: this.readSeq });
      if (urgent.length >= limit) {
        this.restartFromHead();
        this.readAhead();
        return;
      }
      const rest = this.o.ledger.outboxBatch(limit - urgent.length, { after: at });
      rows = urgent.length ? urgent.concat(rest) : rest;
      const last = rest.at(-1);
      if (last) this.position = { priority: last.priority, seq: last.seq };
      // Fewer than asked: every row committed so far is read. The next read waits for wake().
      if (rest.length < limit - urgent.length) this.exhausted = true;
    } else {
      // From the head: rows already sent or acknowledged (after a lost connection) are skipped.
      rows = this.o.ledger.outboxBatch(limit + this.outstanding.size);
      const last = rows.at(-1);
      if (last) this.position = { priority: last.priority, seq: last.seq };
      if (rows.length < limit + this.outstanding.size) this.exhausted = true;
    }
    this.caughtUp = this.exhausted && this.o.ledger.outboxFresh !== undefined;
    // What the ledger would hand over now was committed before this read, which saw it.
    if (this.caughtUp) this.o.ledger.outboxFresh?.();
    for (const r of rows) if (r.seq > this.readSeq) this.readSeq = r.seq;
    this.queue = rows;
    this.head = 0;
  }

  /**
   * Caught up: the rows committed since the last read, from the ledger's memory, placed as a read
   * would place them (more urgent ones first, then the rest in the ledger's order after the read
   * position). False when they cannot be taken that way: the caller reads the outbox instead.
   */
  private takeFresh(): boolean {
    if (!this.caughtUp) return false;
    const fresh = this.o.ledger.outboxFresh?.();
    if (!fresh || fresh.length === 0) {
      // Not vouched for, or nothing handed over (a wake from another process's commit): read.
      this.caughtUp = false;
      return false;
    }
    const order = (a: OutboxRow, b: OutboxRow) => a.priority - b.priority || a.seq - b.seq;
    const at = this.position;
    const urgent = at ? fresh.filter((r) => r.priority < at.priority).sort(order) : [];
    const rest = at ? fresh.filter((r) => r.priority >= at.priority).sort(order) : [...fresh].sort(order);
    const last = rest.at(-1);
    if (last) this.position = { priority: last.priority, seq: last.seq };
    for (const r of fresh) if (r.seq > this.readSeq) this.readSeq = r.seq;
    this.queue = urgent.length ? urgent.concat(rest) : rest;
    this.head = 0;
    // Every committed row is now in the queue: as after a short read, wait for wake().
    this.exhausted = true;
    return true;
  }

  /** A newly committed alert overtakes the rows already read ahead: merged in, in the ledger's order. */
  private readUrgent(): void {
    const at = this.position;
    if (!at) return;
    // This read looks at urgent rows only; the fresh rows it also sees are read again later.
    this.caughtUp = false;
    const urgent = this.o.ledger.outboxBatch(this.o.batch, { priorityBelow: at.priority, seqAbove: this.readSeq });
    if (urgent.length === 0) return;
    if (urgent.length >= this.o.batch) {
      this.restartFromHead();
      return;
    }
    for (const r of urgent) if (r.seq > this.readSeq) this.readSeq = r.seq;
    this.queue = this.queue
      .slice(this.head)
      .concat(urgent)
      .sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    this.head = 0;
  }

  /** Forget the read position: the next read starts at the head of the outbox. */
  private restartFromHead(): void {
    this.queue = [];
    this.head = 0;
    this.position = undefined;
    this.readSeq = 0;
    this.exhausted = false;
    this.caughtUp = false;
  }

  private publish(row: OutboxRow): void {
    const generation = this.generation;
    const body = outboxJson(row, this.o.site, this.o.gate, this.o.sendPersonalData, this.o.ledgerId);
    this.outstanding.add(row.seq);
    this.inFlight++;
    this.sent++;
    this.o.client.publish(this.o.topics.uplink(row.kind), body, { qos: 1 }, (err) => {
      // A PUBACK is proof of delivery whenever it comes, even from a connection given up since.
      if (!err) this.ack(row.seq);
      if (generation !== this.generation) return;
      this.inFlight--;
      if (err) {
        this.o.logger.warn({ err: err.message, seq: row.seq }, 'publish failed; the outbox is sent again shortly');
        this.pauseAndRetry();
        return;
      }
      if (this.inFlight === 0) {
        this.flushAcks();
        for (const w of this.idleWaiters.splice(0)) w();
      }
      this.pump();
    });
  }

  private pauseAndRetry(): void {
    this.paused = true;
    this.newGeneration();
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.paused = false;
      this.wake();
    }, ACK_RETRY_MS);
    this.retryTimer.unref();
  }

  private ack(seq: number): void {
    if (this.closed) return;
    this.pendingAcks.push(seq);
    if (this.pendingAcks.length >= ACK_FLUSH) this.flushWhenFree();
    else if (!this.flushTimer) this.flushLater(ACK_FLUSH_MS);
  }

  private flushLater(ms: number): void {
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushWhenFree();
    }, ms);
    this.flushTimer.unref();
  }

  /**
   * Flushes now, or a millisecond later while the downlink worker is inside a transaction (a roster
   * being written): it ends it within a row now that the gate has asked, and the event loop does not
   * wait for it meanwhile (src/store/writer-signal.ts).
   */
  private flushWhenFree(): void {
    if (this.o.ledger.writerFree?.() === false) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushLater(1);
      return;
    }
    this.flushAcks();
  }

  private flushAcks(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingAcks.length === 0) return;
    const seqs = this.pendingAcks;
    this.pendingAcks = [];
    this.inFlush = true;
    try {
      this.o.ledger.outboxAck(seqs);
    } catch (err) {
      // Not deleted means sent again later: a duplicate the hub drops, never a loss.
      this.o.logger.error({ err, rows: seqs.length }, 'could not mark outbox rows sent; they will be sent again');
      for (const s of seqs) this.outstanding.delete(s);
      if (!this.paused) this.pauseAndRetry();
      return;
    } finally {
      this.inFlush = false;
    }
    for (const s of seqs) this.outstanding.delete(s);
    this.acked += seqs.length;
    this.o.onAcked?.(seqs.length, Math.max(...seqs));
  }
}
