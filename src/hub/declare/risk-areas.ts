// The risk-area list the declaration page tells its outcome from: the one the office last sent to the
// site's gates (the `risk-areas` downlink, issue 21, its newest version in the hub's storage), so the
// phone says what the gate will do; the config's declare.riskAreas only while the office never sent one.
// Read again when the office sends (refresh()) and, for a list written by another process, after ttlMs.

export interface RiskAreaList {
  areas: string[];
  /** Where the list comes from: the office's downlink (its version) or the hub's config. */
  source: 'office' | 'config';
  version?: number;
}

export class RiskAreas {
  private cached: { at: number; list: Promise<RiskAreaList> } | undefined;

  constructor(
    private readonly o: {
      fromConfig: string[];
      /** The newest `risk-areas` downlink of the site, if the office ever sent one. */
      read: () => Promise<{ version: number; areas: string[] } | undefined>;
      now?: () => number;
      ttlMs?: number;
    },
  ) {}

  current(): Promise<RiskAreaList> {
    const now = (this.o.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.o.ttlMs ?? 30_000)) return this.cached.list;
    const list = this.o.read().then((sent): RiskAreaList => (sent ? { areas: sent.areas, source: 'office', version: sent.version } : { areas: this.o.fromConfig, source: 'config' }));
    this.cached = { at: now, list };
    // A failed read is not kept: the next request tries again.
    list.catch(() => {
      if (this.cached?.list === list) this.cached = undefined;
    });
    return list;
  }

  /** The office sent a new list: the next request reads it. */
  refresh(): void {
    this.cached = undefined;
  }
}
