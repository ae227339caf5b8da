// Bad input is logged once per episode: the first message of a (reason, gate) logs a warning, the
// rest are counted, and when the episode goes quiet one line says how many there were.
import type { Logger } from 'pino';

export class Episodes {
  private readonly open = new Map<string, { count: number; last: number; first: number; detail: string }>();

  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    private readonly quietMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes one bad message; logs only when it starts an episode. */
  note(key: string, fields: Record<string, unknown>, detail: string): void {
    const t = this.now();
    const e = this.open.get(key);
    if (e && t - e.last < this.quietMs) {
      e.count++;
      e.last = t;
      return;
    }
    if (e) this.end(key, e);
    this.open.set(key, { count: 1, last: t, first: t, detail });
    this.logger.warn({ ...fields, episode: key }, `rejected: ${detail} (further ones of this kind are counted, not logged, until a quiet minute)`);
  }

  /** Ends the episodes quiet for long enough (called from a timer). */
  sweep(): void {
    const t = this.now();
    for (const [key, e] of this.open) if (t - e.last >= this.quietMs) this.end(key, e);
  }

  private end(key: string, e: { count: number; first: number; last: number }): void {
    this.open.delete(key);
    if (e.count > 1) this.logger.info({ episode: key, count: e.count, seconds: Math.round((e.last - e.first) / 1000) }, 'rejection episode ended');
  }
}
