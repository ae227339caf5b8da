// Fixed-window counters for the public page: per client address, per phone number, per address's
// look-ups of unknown ids. Bounded: past `maxKeys` the windows that ended are dropped first, then the
// oldest, so a flood of new addresses costs memory it cannot grow.
export class WindowLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Counts one for `key`; false when that would pass the limit (nothing is counted then). */
  take(key: string, now: number): boolean {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, w);
      this.prune(now);
    }
    if (w.count >= this.max) return false;
    w.count++;
    return true;
  }

  /** Whether `key` is at its limit now, without counting. */
  spent(key: string, now: number): boolean {
    const w = this.windows.get(key);
    return w !== undefined && now - w.start < this.windowMs && w.count >= this.max;
  }

  /** Seconds until `key` may try again. */
  retryAfter(key: string, now: number): number {
    const w = this.windows.get(key);
    return w ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 1;
  }

  private prune(now: number): void {
    if (this.windows.size <= this.maxKeys) return;
    for (const [k, w] of this.windows) {
      if (now - w.start >= this.windowMs) this.windows.delete(k);
      if (this.windows.size <= this.maxKeys * 0.9) return;
    }
    // Insertion order: the first keys are the oldest windows.
    for (const k of this.windows.keys()) {
      this.windows.delete(k);
      if (this.windows.size <= this.maxKeys * 0.9) return;
    }
  }
}
