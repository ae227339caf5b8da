// Login attempts refused before the PIN is checked (the address's rate limit, or a wrong-PIN delay
// still running) leave one audit row per episode and address, not one per attempt: an episode ends
// after `quietMs` without a refused attempt from that address, or when the kiosk stops.
export interface RefusedLoginAuditOptions {
  now: () => number;
  /** Writes the aggregated row (action `login-throttled`). */
  write: (detail: Record<string, unknown>) => void;
  quietMs?: number;
}

interface Episode {
  from: number;
  to: number;
  rateLimited: number;
  delayed: number;
  operators: Set<string>;
  timer: NodeJS.Timeout;
}

/** Operator ids named in one row at most (whatever is typed as an id is not worth more). */
const MAX_OPERATORS = 10;

export class RefusedLoginAudit {
  private readonly episodes = new Map<string, Episode>();
  constructor(private readonly o: RefusedLoginAuditOptions) {}

  refused(address: string, why: 'rate-limit' | 'delay', operator?: string): void {
    const now = this.o.now();
    let e = this.episodes.get(address);
    if (e) e.timer.refresh();
    else {
      const timer = setTimeout(() => this.end(address), this.o.quietMs ?? 60_000);
      timer.unref();
      e = { from: now, to: now, rateLimited: 0, delayed: 0, operators: new Set(), timer };
      this.episodes.set(address, e);
    }
    e.to = now;
    if (why === 'rate-limit') e.rateLimited++;
    else e.delayed++;
    if (operator && e.operators.size < MAX_OPERATORS) e.operators.add(operator.slice(0, 32));
  }

  /** Writes every open episode (the kiosk is stopping). */
  flush(): void {
    for (const address of [...this.episodes.keys()]) this.end(address);
  }

  private end(address: string): void {
    const e = this.episodes.get(address);
    if (!e) return;
    clearTimeout(e.timer);
    this.episodes.delete(address);
    this.o.write({ ip: address, attempts: e.rateLimited + e.delayed, rateLimited: e.rateLimited, delayed: e.delayed, operators: [...e.operators], from: e.from, to: e.to });
  }
}
