// Drains the ledger's outbox to the broker: rows in the ledger's order (alerts first, then by seq),
// QoS 1, a window of publishes in flight, a row deleted only after its PUBACK. After a lost
// connection the unacknowledged rows are simply sent again; the hub drops duplicate (gate, seq).
import type { Logger } from 'pino';
import type { Ledger, OutboxRow } from '../store/api.js';
import type { OutboxMessage } from './messages.js';
import type { TopicTree } from './topics.js';

export type OutboxLedger = Pick<Ledger, 'outboxBatch' | 'outboxAck' | 'outboxDepth'>;

/** The part of mqtt.js the drain uses (a test can pass a fake). */
export interface QosPublisher {
  publish(topic: string, message: string, opts: { qos: 1 }, callback: (err?: Error) => void): unknown;
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

export function outboxMessage(row: OutboxRow, site: string, gate: string, sendPersonalData: boolean): OutboxMessage {
  return {
    v: 1,
    site,
    gate,
    seq: row.seq,
    kind: row.kind,
    at: row.createdAt,
    clockSynced: row.clockSynced,
    data: sendPersonalData ? row.payload : (minimise(row.payload) as Record<string, unknown>),
  };
}

const ACK_FLUSH = 256;
/** After the ledger could not mark rows sent, wait this long before draining again (no busy loop). */
export const ACK_RETRY_MS = 1000;

export class OutboxDrain {
  private online = false;
  private running = false;
  private again = false;
  private stopped = false;
  private generation = 0;
  private abortBatch: (() => void) | undefined;
  private pendingAcks: number[] = [];
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private ackFailed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  sent = 0;
  acked = 0;

  constructor(private readonly o: DrainOptions) {}

  connected(): void {
    this.online = true;
    this.wake();
  }

  disconnected(): void {
    this.online = false;
    this.generation++;
    this.abortBatch?.();
  }

  /** New rows were committed: drain them now if the link is up. */
  wake(): void {
    if (!this.online || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  /** Stop taking new rows; wait (at most `ms`) for publishes in flight to be acknowledged. */
  async stop(ms: number): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.inFlight > 0) {
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

  // Every pass through the loop either makes progress (rows deleted) or stops: a ledger that cannot
  // delete acknowledged rows would otherwise have us resend the same batch forever in microtasks,
  // starving every timer and socket of the process.
  private async run(): Promise<void> {
    this.running = true;
    this.ackFailed = false;
    try {
      do {
        this.again = false;
        while (this.online && !this.stopped && !this.ackFailed) {
          const rows = this.o.ledger.outboxBatch(this.o.batch);
          if (rows.length === 0) break;
          if (!(await this.sendBatch(rows))) break;
          // Let sockets, timers and the bus run between batches of a long backlog.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } while (this.again && this.online && !this.stopped && !this.ackFailed);
    } catch (err) {
      this.o.logger.error({ err }, 'outbox drain failed; it resumes on the next commit or reconnect');
      this.retryLater();
    } finally {
      this.running = false;
      this.flushAcks();
      if (this.ackFailed) this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, ACK_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Resolves true when every row was acknowledged, false when the connection went away first. */
  private sendBatch(rows: OutboxRow[]): Promise<boolean> {
    const generation = this.generation;
    return new Promise<boolean>((resolve) => {
      let next = 0;
      let remaining = rows.length;
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        this.abortBatch = undefined;
        this.flushAcks();
        resolve(ok && !this.ackFailed);
      };
      this.abortBatch = () => finish(false);
      const pump = () => {
        while (!done && next < rows.length && this.inFlight < this.o.inflight && generation === this.generation) {
          const row = rows[next++] as OutboxRow;
          const msg = outboxMessage(row, this.o.site, this.o.gate, this.o.sendPersonalData);
          this.inFlight++;
          this.sent++;
          this.o.client.publish(this.o.topics.uplink(row.kind), JSON.stringify(msg), { qos: 1 }, (err) => {
            this.inFlight--;
            // A PUBACK is proof of delivery whenever it comes, even for an aborted batch.
            if (!err) this.ack(row.seq);
            if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
            if (done) return;
            if (err || generation !== this.generation) return finish(false);
            remaining--;
            if (remaining === 0) finish(true);
            else pump();
          });
        }
      };
      pump();
    });
  }

  private ack(seq: number): void {
    this.pendingAcks.push(seq);
    if (this.pendingAcks.length >= ACK_FLUSH) this.flushAcks();
  }

  private flushAcks(): void {
    if (this.pendingAcks.length === 0) return;
    const seqs = this.pendingAcks;
    this.pendingAcks = [];
    try {
      this.o.ledger.outboxAck(seqs);
    } catch (err) {
      // Not deleted means sent again later: a duplicate the hub drops, never a loss.
      this.ackFailed = true;
      this.o.logger.error({ err, rows: seqs.length }, 'could not mark outbox rows sent; they will be sent again');
      return;
    }
    this.acked += seqs.length;
    this.o.onAcked?.(seqs.length, seqs[seqs.length - 1] as number);
  }
}
