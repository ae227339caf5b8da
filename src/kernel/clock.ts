// A daemon's clock: wall time for records, a monotonic time for durations, and whether the wall
// clock is known to be right (a Raspberry Pi has no RTC; see DESIGN.md, time).
export interface DaemonClock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Whether the wall clock is known to be synchronised. */
  synced(): boolean;
  /** Monotonic milliseconds, for durations only. */
  mono(): number;
}

/** A daemon clock from a source of wall time and its synchronisation (e.g. the gate's ClockSync). */
export function daemonClock(wall: { now(): number; synced(): boolean }): DaemonClock {
  return { now: () => wall.now(), synced: () => wall.synced(), mono: () => performance.now() };
}
