// Login rate limits that cannot lock the real user out. Failures are counted per address and per
// account; past the account's limit, only browsers that have signed in to that account before (a
// signed "known device" cookie) may still try. So a stranger guessing at the duty officer's account
// from anywhere slows down only strangers: the officer's own browser keeps its way in, and an
// address that guesses at many accounts is stopped by its own limit.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface GuardLimits {
  /** Failures per address within the window before that address waits. */
  perAddress: number;
  /** Failures per account within the window before unknown browsers wait. */
  perAccount: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: GuardLimits = { perAddress: 20, perAccount: 5, windowMs: 15 * 60_000 };

interface Bucket {
  failures: number[];
}

export class LoginGuard {
  private readonly addresses = new Map<string, Bucket>();
  private readonly accounts = new Map<string, Bucket>();
  constructor(
    /** Signs the known-device cookies (kept in the database, so they outlive a restart). */
    private readonly key: Buffer = randomBytes(32),
    private readonly limits: GuardLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(map: Map<string, Bucket>, k: string): number[] {
    const b = map.get(k);
    if (!b) return [];
    const since = this.now() - this.limits.windowMs;
    b.failures = b.failures.filter((t) => t > since);
    if (!b.failures.length) map.delete(k);
    return b.failures;
  }

  /** Milliseconds to wait before this attempt may be checked, or 0. */
  waitMs(account: string, address: string, device: string | undefined): number {
    const waitFor = (fails: number[], limit: number) => (fails.length >= limit ? (fails[fails.length - limit] as number) + this.limits.windowMs - this.now() : 0);
    const byAddress = waitFor(this.recent(this.addresses, address), this.limits.perAddress);
    const byAccount = this.knows(account, device) ? 0 : waitFor(this.recent(this.accounts, account.toLowerCase()), this.limits.perAccount);
    return Math.max(0, byAddress, byAccount);
  }

  failed(account: string, address: string): void {
    for (const [map, k] of [[this.addresses, address], [this.accounts, account.toLowerCase()]] as const) {
      const b = map.get(k) ?? { failures: [] };
      b.failures.push(this.now());
      if (b.failures.length > 1000) b.failures.shift();
      map.set(k, b);
    }
    if (this.addresses.size > 100_000) this.addresses.clear();
  }

  /** The known-device cookie's value for this account, set after a successful sign-in. */
  deviceToken(account: string): string {
    const nonce = randomBytes(9).toString('base64url');
    return `${nonce}.${this.sign(account, nonce)}`;
  }

  knows(account: string, device: string | undefined): boolean {
    if (!device) return false;
    const [nonce, mac] = device.split('.');
    if (!nonce || !mac) return false;
    const want = Buffer.from(this.sign(account, nonce));
    const got = Buffer.from(mac);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private sign(account: string, nonce: string): string {
    return createHmac('sha256', this.key).update(`${account.toLowerCase()}\n${nonce}`).digest('base64url');
  }
}
