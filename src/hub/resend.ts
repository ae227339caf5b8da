// Closes the loop: every interval, the hub looks at each gate's current history; a seq range missing
// at two looks in a row (not merely in flight) is asked for on <gate>/cmd/resend, at most
// maxPerRequest seqs (1,000 ranges) in one request. The gate answers from its ledger (src/sync/resend.ts). A history
// whose gate has since started a new ledger cannot be resent any more: its gaps stay on show.
import type { Logger } from 'pino';
import type { ResendRequest } from '../sync/messages.js';
import { TOPIC_VERSION } from '../sync/topics.js';
import { type Range, takeSeqs } from './seqs.js';
import type { GateHistory } from './storage/read.js';

export interface ResendOptions {
  histories(): Promise<GateHistory[]>;
  publish(topic: string, body: string): Promise<void>;
  connected(): boolean;
  root: string;
  intervalMs: number;
  maxPerRequest: number;
  logger: Logger;
}

const overlaps = (a: Range[], b: Range[]) => a.some(([f, t]) => b.some(([g, u]) => f <= u && g <= t));

export class ResendAsker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Missing ranges at the last look, by history id. */
  private last = new Map<number, Range[]>();
  /** When a history was last asked (looks), so an answer under way is not asked for again at once. */
  private asked = new Map<number, number>();
  private looks = 0;
  requests = 0;

  constructor(private readonly o: ResendOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.look(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look (also called by tests). */
  async look(): Promise<number> {
    if (this.running || !this.o.connected()) return 0;
    this.running = true;
    let sent = 0;
    try {
      this.looks++;
      const all = await this.o.histories();
      // The current history of a gate is its most recently seen ledger.
      const current = new Map<string, GateHistory>();
      for (const h of all) {
        const k = `${h.site}/${h.gate}`;
        const c = current.get(k);
        if (!c || h.lastSeen > c.lastSeen || (h.lastSeen === c.lastSeen && h.id > c.id)) current.set(k, h);
      }
      const next = new Map<number, Range[]>();
      for (const h of current.values()) {
        if (h.missing.length === 0) continue;
        next.set(h.id, h.missing);
        const before = this.last.get(h.id);
        const askedAt = this.asked.get(h.id);
        // Asked within the last three looks: the answer may still be on its way.
        if (!before || !overlaps(before, h.missing) || (askedAt !== undefined && this.looks - askedAt < 3)) continue;
        // One request a look: every answer is a message with a seq of its own, so fewer is better.
        const ranges = takeSeqs(h.missing, this.o.maxPerRequest).slice(0, 1000);
        const req: ResendRequest = { site: h.site, gate: h.gate, ranges, id: `resend-${h.id}-${this.looks}` };
        if (h.ledger) req.ledger = h.ledger;
        // Not awaited: a look never waits on a PUBACK (an unanswered one would stall every later look).
        this.o.publish(`${this.o.root}/${TOPIC_VERSION}/${h.site}/${h.gate}/cmd/resend`, JSON.stringify(req)).catch((err: Error) => this.o.logger.warn({ err: err.message, site: h.site, gate: h.gate }, 'could not send a resend request; asking again later'));
        sent++;
        this.requests++;
        this.asked.set(h.id, this.looks);
        this.o.logger.info({ site: h.site, gate: h.gate, missing: h.missingCount, ranges: h.missing.length }, 'asked the gate to resend what the hub is missing');
      }
      this.last = next;
    } catch (err) {
      this.o.logger.warn({ err }, 'could not look for missing seqs this time');
    } finally {
      this.running = false;
    }
    return sent;
  }
}
