// From MQTT message to committed row. Messages are classified as they arrive (never blocking the
// socket), queued, and written in bursts: one transaction per burst, whatever has arrived while the
// previous one committed. Bad input goes to the rejects table and the log (once per episode); a
// flooding gate is cut off at its rate so the others' messages go on; the queue is bounded and a
// message past it is an 'overload' reject that the seq loop asks for again (docs/hub.md).
import type { Logger } from 'pino';
import { type Classified, type ClassifyOptions, classify, type GateStateMsg, type RecordMsg, type Rejected } from './classify.js';
import { Episodes } from './episodes.js';
import type { Range } from './seqs.js';
import { topicParts } from './topic-parts.js';
import type { Burst, BurstResult, HubWriter } from './storage/write.js';

export interface IngestOptions {
  writer: Pick<HubWriter, 'write'>;
  classify: ClassifyOptions;
  batchRows: number;
  /**
   * Bursts written at once at most (PostgreSQL: 2, so the server works on one while the next is
   * sent; SQLite: 1, it has one writer). A second starts only when a full burst waits.
   */
  concurrency?: number;
  /**
   * Under load (the last burst held at least LINGER_ABOVE messages), a burst short of batchRows
   * waits up to this long for more before it starts: fewer, fuller transactions (default 0: never).
   */
  lingerMs?: number;
  queueMax: number;
  perGatePerSecond: number;
  logger: Logger;
  now?: () => number;
  /**
   * Backpressure: called when this many messages wait (and again at half of it) so the receiver stops
   * reading its socket; the broker then holds what follows in the hub's session.
   */
  pressure?: { highWater: number; pause(): void; resume(): void };
}

export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: Record<string, number>;
  queued: number;
  bursts: number;
  lastCommitAt: number | null;
  lastError: string | null;
}

export interface Committed {
  records: RecordMsg[];
  states: GateStateMsg[];
  result: BurstResult;
}

type Item = RecordMsg | GateStateMsg | (Rejected & { count?: number });

/** Rejects kept as rows per (reason, gate) and burst; the rest are one row with a count. */
const REJECT_ROWS_PER_KEY = 5;

/** A burst this large says messages come faster than bursts commit: the next one may linger. */
const LINGER_ABOVE = 100;

export class Ingest {
  private queue: Item[] = [];
  /** Bursts being written (or about to be, on the next turn of the loop). */
  private readonly writing = new Set<Promise<void>>();
  private retryTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Set when the linger is over: the next schedule() starts a burst whatever is queued. */
  private lingered = false;
  private lastBurst = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly episodes: Episodes;
  private readonly listeners = new Set<(c: Committed) => void>();
  private readonly idle: Array<() => void> = [];
  private stopped = false;
  private paused = false;
  readonly stats: IngestStats = { received: 0, stored: 0, duplicates: 0, rejected: {}, queued: 0, bursts: 0, lastCommitAt: null, lastError: null };

  constructor(private readonly o: IngestOptions) {
    this.episodes = new Episodes(o.logger, 60_000, o.now);
    this.sweepTimer = setInterval(() => this.episodes.sweep(), 10_000);
    this.sweepTimer.unref();
  }

  /** After each committed burst (live screens, the resend checker). */
  onCommitted(fn: (c: Committed) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** One MQTT message. Never throws, never waits. */
  push(topic: string, payload: Buffer): void {
    if (this.stopped) return;
    this.stats.received++;
    let item: Classified;
    try {
      const gate = this.floodKey(topic);
      if (gate && !this.take(gate)) item = { type: 'reject', reason: 'flood', detail: `more than ${this.o.perGatePerSecond} messages/s from ${gate}`, topic: topic.slice(0, 512), bytes: payload.length, excerpt: '', ...splitGate(gate) };
      else if (this.queue.length >= this.o.queueMax) item = { type: 'reject', reason: 'overload', detail: `the database is behind: ${this.queue.length} messages wait`, topic: topic.slice(0, 512), bytes: payload.length, excerpt: '' };
      else item = classify(topic, payload, this.o.classify);
    } catch (err) {
      item = { type: 'reject', reason: 'payload.malformed', detail: `could not be read: ${(err as Error).message}`, topic: topic.slice(0, 512), bytes: payload.length, excerpt: '' };
    }
    if (item.type === 'reject') this.noteReject(item);
    // Rejects past the bound are only counted (the table is bounded too): the queue never grows on them.
    if (item.type !== 'reject' || this.queue.length < this.o.queueMax) this.queue.push(item);
    this.stats.queued = this.queue.length;
    const p = this.o.pressure;
    if (p && !this.paused && this.queue.length >= p.highWater) {
      this.paused = true;
      p.pause();
    }
    this.schedule();
  }

  private release(): void {
    const p = this.o.pressure;
    if (p && this.paused && this.queue.length <= p.highWater / 2) {
      this.paused = false;
      p.resume();
    }
  }

  /** Ranges a gate said it no longer has (its answer to a resend request). */
  gone(site: string, gate: string, ledger: string, ranges: Range[]): void {
    this.pendingGone.push({ site, gate, ledger, ranges });
    this.schedule();
  }
  private pendingGone: NonNullable<Burst['gone']> = [];

  /** Resolves when everything received so far is committed (tests, shutdown). */
  settled(): Promise<void> {
    if (this.writing.size === 0 && this.queue.length === 0 && this.pendingGone.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  async stop(budgetMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // What is queued was acknowledged to the broker: commit it if the database lets us in time
    // (if not, those seqs are missing ranges the next start asks the gates for).
    await Promise.race([this.drainAll(), new Promise((r) => setTimeout(r, budgetMs).unref())]);
  }

  private async drainAll(): Promise<void> {
    while (this.queue.length || this.pendingGone.length || this.writing.size) {
      if (this.writing.size) await Promise.race(this.writing);
      else if (!(await this.flushOnce())) return;
    }
    for (const r of this.idle.splice(0)) r();
  }

  private noteReject(r: Rejected): void {
    this.stats.rejected[r.reason] = (this.stats.rejected[r.reason] ?? 0) + 1;
    const who = r.site && r.gate ? `${r.site}/${r.gate}` : r.topic.split('/').slice(0, 5).join('/');
    this.episodes.note(`${r.reason} ${who}`, { reason: r.reason, topic: r.topic, bytes: r.bytes, ...(r.seq !== undefined ? { seq: r.seq } : {}) }, r.detail);
  }

  /** "site/gate" of a topic of five parts or more (…/<version>/<site>/<gate>/<leaf>), one string per topic. */
  private floodKey(topic: string): string | undefined {
    return topicParts(topic).key;
  }

  /** A token bucket per gate, a second's worth deep. */
  private take(gate: string): boolean {
    const t = (this.o.now ?? Date.now)();
    let b = this.buckets.get(gate);
    if (!b) {
      b = { tokens: this.o.perGatePerSecond, at: t };
      this.buckets.set(gate, b);
    }
    b.tokens = Math.min(this.o.perGatePerSecond, b.tokens + ((t - b.at) * this.o.perGatePerSecond) / 1000);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }

  private schedule(): void {
    if (this.retryTimer || this.stopped) return;
    const busy = this.writing.size;
    if (busy > 0 && (busy >= (this.o.concurrency ?? 1) || this.queue.length < this.o.batchRows)) return;
    // Under load a short burst waits a little for more (a burst costs the database a commit and the
    // hub a handful of round trips, whatever its size); a full one, or a trickle, goes at once.
    const linger = this.o.lingerMs ?? 0;
    if (busy === 0 && linger > 0 && !this.lingered && this.lastBurst >= LINGER_ABOVE && this.queue.length < this.o.batchRows) {
      if (!this.lingerTimer) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.lingered = true;
          this.schedule();
        }, linger);
        this.lingerTimer.unref();
      }
      return;
    }
    this.lingered = false;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    // Whatever arrives in this turn of the loop joins the burst.
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        await this.flushOnce();
      })
      .finally(() => {
        this.writing.delete(p);
        if (this.writing.size === 0 && this.queue.length === 0 && this.pendingGone.length === 0) for (const r of this.idle.splice(0)) r();
        else this.schedule();
      });
    this.writing.add(p);
  }

  /** Writes one burst; false when it failed (it is kept and retried). */
  private async flushOnce(): Promise<boolean> {
    const take = this.queue.splice(0, this.o.batchRows);
    this.lastBurst = take.length;
    const gone = this.pendingGone.splice(0);
    this.stats.queued = this.queue.length;
    this.release();
    const burst: Burst = { records: [], states: [], rejects: [], gone };
    // The last state and counts of a gate in the burst are enough (they are snapshots).
    const states = new Map<string, GateStateMsg>();
    const rejectRows = new Map<string, Rejected & { count?: number }>();
    const perKey = new Map<string, number>();
    for (const it of take) {
      if (it.type === 'record') burst.records.push(it);
      else if (it.type === 'reject') {
        const k = `${it.reason} ${it.site ?? ''}/${it.gate ?? ''}`;
        const n = (perKey.get(k) ?? 0) + 1;
        perKey.set(k, n);
        if (n <= REJECT_ROWS_PER_KEY && it.reason !== 'flood' && it.reason !== 'overload') burst.rejects.push(it);
        else {
          const agg = rejectRows.get(k);
          if (agg) agg.count = (agg.count ?? 1) + 1;
          else rejectRows.set(k, { ...it, detail: `${it.detail} (and more like it in the same second)`, count: 1 });
        }
      } else {
        const k = `${it.type} ${it.site}/${it.gate}/${it.ledger}`;
        const prev = states.get(k);
        if (!prev || it.highest >= prev.highest) states.set(k, it);
      }
    }
    burst.states = [...states.values()];
    burst.rejects.push(...rejectRows.values());
    let ok = true;
    try {
      const result = await this.o.writer.write(burst);
      this.stats.stored += result.inserted;
      this.stats.duplicates += result.duplicates;
      this.stats.bursts++;
      this.stats.lastCommitAt = (this.o.now ?? Date.now)();
      if (this.stats.lastError) this.o.logger.info('the hub database takes writes again');
      this.stats.lastError = null;
      for (const h of result.newHistories) this.o.logger.info(h, h.ledger ? 'a gate history begins (a new gate, or a gate whose ledger is new: its old history is kept apart)' : 'a gate history begins');
      for (const fn of this.listeners) {
        try {
          fn({ records: burst.records, states: burst.states, result });
        } catch (err) {
          this.o.logger.error({ err }, 'a listener of committed bursts failed');
        }
      }
    } catch (err) {
      ok = false;
      // Kept, in order, for the next try; nothing is dropped while the database is away.
      this.queue = (take as Item[]).concat(this.queue);
      this.pendingGone = gone.concat(this.pendingGone);
      const msg = (err as Error).message;
      if (this.stats.lastError !== msg) this.o.logger.error({ err }, 'could not commit a burst to the hub database; retrying every second');
      this.stats.lastError = msg;
    }
    this.stats.queued = this.queue.length;
    if (!ok) {
      if (!this.stopped && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.schedule();
        }, 1000);
        this.retryTimer.unref();
      }
    } else if (this.queue.length || this.pendingGone.length) this.schedule();
    return ok;
  }
}

function splitGate(g: string): { site: string; gate: string } {
  const [site = '', gate = ''] = g.split('/');
  return { site, gate };
}
