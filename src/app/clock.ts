// The daemon's clock: wall time for the ledger, a monotonic time for durations, and whether the wall
// clock is known to be right (a Raspberry Pi has no RTC; see clock-sync.ts and DESIGN.md, time).
import type { Clock } from '../gate/model.js';
import type { ClockSync } from './clock-sync.js';

export type AppClock = Clock & { mono(): number };

export function appClock(sync: ClockSync): AppClock {
  return { now: () => sync.now(), synced: () => sync.synced(), mono: () => performance.now() };
}
