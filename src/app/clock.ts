// The daemon's clock: wall time for the ledger, a monotonic time for durations, and whether the wall
// clock is known to be right. A Raspberry Pi has no RTC: until NTP has synchronised, passages are
// marked so (DESIGN.md, time). systemd-timesyncd creates /run/systemd/timesync/synchronized once it
// has synchronised; chrony and ntpd users point `syncedFile` at their own marker or set assumeSynced.
import { existsSync } from 'node:fs';
import type { Clock } from '../gate/model.js';

export type AppClock = Clock & { mono(): number };

export interface SystemClockOptions {
  /** Treat the wall clock as synchronised (simulation, a box with an RTC). */
  assumeSynced?: boolean;
  syncedFile?: string;
  /** How long a "synchronised" answer is cached. */
  cacheMs?: number;
}

export function systemClock(opts: SystemClockOptions = {}): AppClock {
  const file = opts.syncedFile ?? '/run/systemd/timesync/synchronized';
  const cacheMs = opts.cacheMs ?? 10_000;
  let known = false;
  let checkedAt = Number.NEGATIVE_INFINITY;
  return {
    now: () => Date.now(),
    mono: () => performance.now(),
    synced() {
      if (opts.assumeSynced || known) return true;
      const t = performance.now();
      if (t - checkedAt >= cacheMs) {
        checkedAt = t;
        // Once synchronised, the clock stays trusted for the life of the process.
        known = existsSync(file);
      }
      return known;
    },
  };
}
