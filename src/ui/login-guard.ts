// Wrong-PIN delays that no stranger can hold against the kiosk (docs/security.md).
// The delay grows per operator AND address: a wrong PIN from one address delays that operator at that
// address, and wrong PINs from every address but the kiosk's own screen add up per operator too, so
// taking more addresses buys no more guesses. The kiosk's own screen (localhost or the configured
// kiosk.screenAddresses) counts only its own failures and waits at most kioskMaxDelayMs: whatever a
// stranger on the network does, the volunteer at the gate can log in after a short delay.

export interface LoginGuardOptions {
  now: () => number;
  /** True for the kiosk's own screen. */
  isKioskScreen: (address: string) => boolean;
  /** Wrong PINs from one address before the first delay. */
  freeFailures?: number;
  /** Wrong PINs from all other addresses together before the operator's shared delay starts. */
  freeFailuresShared?: number;
  /** The first delay; it doubles with each further wrong PIN. */
  firstDelayMs?: number;
  /** The longest delay anywhere but at the kiosk's own screen. */
  maxDelayMs?: number;
  /** The longest delay at the kiosk's own screen. */
  kioskMaxDelayMs?: number;
  /** A count is forgotten after this long without a wrong PIN. */
  forgetMs?: number;
}

interface Count {
  failures: number;
  lastAt: number;
  until: number;
}

export const LOGIN_DELAYS = {
  freeFailures: 3,
  freeFailuresShared: 10,
  firstDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  kioskMaxDelayMs: 30_000,
  forgetMs: 24 * 3_600_000,
} as const;

/** Entries kept at most (an attacker sending random operator ids and addresses cannot grow the map). */
const MAX_ENTRIES = 10_000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Loopback, or one of the configured screen addresses (an IPv4-mapped IPv6 form matches too). */
export function kioskScreenMatcher(configured: readonly string[]): (address: string) => boolean {
  const set = new Set(configured);
  return (a) => LOOPBACK.test(a) || set.has(a) || (a.startsWith('::ffff:') && set.has(a.slice(7)));
}

export class LoginGuard {
  private readonly counts = new Map<string, Count>();
  private readonly o: Required<LoginGuardOptions>;

  constructor(options: LoginGuardOptions) {
    this.o = { ...LOGIN_DELAYS, ...options };
  }

  /** Seconds before `operator` may try again from `address`, or 0. */
  lockedFor(operator: string, address: string): number {
    const now = this.o.now();
    let until = this.get(`${operator}\n${address}`, now)?.until ?? 0;
    if (!this.o.isKioskScreen(address)) until = Math.max(until, this.get(`${operator}\n*`, now)?.until ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a wrong PIN; returns the seconds the operator now waits at this address (0: none). */
  fail(operator: string, address: string): number {
    const kiosk = this.o.isKioskScreen(address);
    this.count(`${operator}\n${address}`, this.o.freeFailures, kiosk ? this.o.kioskMaxDelayMs : this.o.maxDelayMs);
    if (!kiosk) this.count(`${operator}\n*`, this.o.freeFailuresShared, this.o.maxDelayMs);
    return this.lockedFor(operator, address);
  }

  /** Wrong PINs `operator` may still enter at `address` before a delay starts (what the kiosk tells the volunteer). */
  triesBeforeDelay(operator: string, address: string): number {
    const now = this.o.now();
    let left = this.o.freeFailures - (this.get(`${operator}\n${address}`, now)?.failures ?? 0);
    if (!this.o.isKioskScreen(address)) left = Math.min(left, this.o.freeFailuresShared - (this.get(`${operator}\n*`, now)?.failures ?? 0));
    return Math.max(0, left);
  }

  /** The right PIN: that address starts afresh (the count over all addresses does not). */
  succeed(operator: string, address: string): void {
    this.counts.delete(`${operator}\n${address}`);
  }

  private get(key: string, now: number): Count | undefined {
    const c = this.counts.get(key);
    if (c && now - c.lastAt > this.o.forgetMs) {
      this.counts.delete(key);
      return undefined;
    }
    return c;
  }

  private count(key: string, free: number, maxDelayMs: number): void {
    const now = this.o.now();
    const c = this.get(key, now) ?? { failures: 0, lastAt: now, until: 0 };
    c.failures++;
    c.lastAt = now;
    const over = c.failures - free;
    if (over > 0) c.until = now + Math.min(maxDelayMs, this.o.firstDelayMs * 2 ** Math.min(over - 1, 30));
    this.counts.delete(key);
    this.counts.set(key, c);
    // Oldest first in insertion order: drop what has not failed for the longest.
    for (const k of this.counts.keys()) {
      if (this.counts.size <= MAX_ENTRIES) break;
      this.counts.delete(k);
    }
  }
}
