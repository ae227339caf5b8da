// Is the wall clock right? A Pi has no RTC: it boots with the time fake-hwclock saved at the last
// shutdown (or 1970) until NTP steps it. Records written before that are marked unsynced, and when
// sync arrives the step is measured against the monotonic clock and reported as a correction, so
// the hub can shift the unsynced records of this gate by `offsetMs`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Clock } from '../gate/model.js';
import type { Ledger } from '../store/api.js';

/** One way of asking whether the clock is synchronised: true, false, or undefined (cannot tell). */
export interface ClockProbe {
  name: string;
  check(): Promise<boolean | undefined>;
}

export interface ClockCorrection {
  /** Wall ms when sync was seen (correct time). */
  syncedAt: number;
  /** How far the wall clock moved against the monotonic clock while unsynced: add to unsynced times. */
  offsetMs: number;
  /** Wall ms, as the unsynced clock read it, from which records were written unsynced. */
  unsyncedSince: number;
  /** The probe that said so, e.g. "timedatectl". */
  source: string;
}

export type RunCommand = (cmd: string, args: string[]) => Promise<string>;

export interface ClockSyncOptions {
  probes?: ClockProbe[];
  now?: () => number;
  /** Monotonic ms (performance.now by default). */
  monotonic?: () => number;
  /** Re-check interval while unsynced (default 15 s) and once synced (default 5 min). */
  pollUnsyncedMs?: number;
  pollSyncedMs?: number;
  /** A wall clock before this (ms) is wrong whatever the probes say (default 2026-01-01). */
  notBefore?: number;
  /** Development and simulation: trust the clock, probe nothing. */
  assumeSynced?: boolean;
  onSynced?: (c: ClockCorrection) => void;
  onLost?: (source: string) => void;
  onError?: (err: unknown) => void;
}

export const DEFAULT_NOT_BEFORE = Date.UTC(2026, 0, 1);

const runFile: RunCommand = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 3000, encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/** systemd-timesyncd touches this file once it has synchronised (systemd ≥ 239). */
export function timesyncdFlagProbe(path = '/run/systemd/timesync/synchronized', exists: (p: string) => boolean = existsSync): ClockProbe {
  return { name: 'timesyncd', check: async () => (exists(path) ? true : undefined) };
}

/** The kernel's view (adjtimex STA_UNSYNC), whoever disciplines the clock: timesyncd, chrony or ntpd. */
export function timedatectlProbe(run: RunCommand = runFile): ClockProbe {
  return {
    name: 'timedatectl',
    async check() {
      try {
        const v = (await run('timedatectl', ['show', '--property=NTPSynchronized', '--value'])).trim();
        return v === 'yes' ? true : v === 'no' ? false : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** chrony without systemd (or when timedatectl cannot reach timedated). */
export function chronyProbe(run: RunCommand = runFile): ClockProbe {
  return {
    name: 'chrony',
    async check() {
      try {
        const out = await run('chronyc', ['-n', 'tracking']);
        const leap = /^Leap status\s*:\s*(.+)$/m.exec(out)?.[1]?.trim();
        if (!leap) return undefined;
        return leap !== 'Not synchronised';
      } catch {
        return undefined;
      }
    },
  };
}

export function defaultProbes(run: RunCommand = runFile): ClockProbe[] {
  return [timesyncdFlagProbe(), timedatectlProbe(run), chronyProbe(run)];
}

/** The clock given to the gate and the ledger: `now()` and whether it is synchronised. */
export class ClockSync implements Clock {
  private isSynced: boolean;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** wall - monotonic when the unsynced period was last measured from. */
  private skew: number;
  private unsyncedSince: number | undefined;
  /** A probe said "not synchronised" during the current unsynced period. */
  private sawUnsynced = false;
  private readonly wall: () => number;
  private readonly mono: () => number;
  private checking: Promise<boolean> | undefined;

  constructor(private readonly o: ClockSyncOptions = {}) {
    this.wall = o.now ?? Date.now;
    this.mono = o.monotonic ?? (() => performance.now());
    this.isSynced = o.assumeSynced === true;
    this.skew = this.wall() - this.mono();
    // Until the first check, everything written is unsynced: measure from the start.
    if (!this.isSynced) this.unsyncedSince = this.wall();
  }

  now(): number {
    return this.wall();
  }

  synced(): boolean {
    return this.isSynced;
  }

  /** Checks once now, then keeps checking; resolves after the first check. */
  async start(): Promise<void> {
    if (this.running || this.o.assumeSynced) return;
    this.running = true;
    await this.checkNow();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Asks the probes; the first definite answer wins; no answer means not synchronised. */
  checkNow(): Promise<boolean> {
    this.checking ??= this.probe().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private schedule(): void {
    if (!this.running) return;
    const ms = this.isSynced ? (this.o.pollSyncedMs ?? 300_000) : (this.o.pollUnsyncedMs ?? 15_000);
    this.timer = setTimeout(() => {
      this.checkNow()
        .catch((err: unknown) => this.o.onError?.(err))
        .finally(() => this.schedule());
    }, ms);
    this.timer.unref?.();
  }

  private async probe(): Promise<boolean> {
    let answer: boolean | undefined;
    let source = 'none';
    if (this.wall() < (this.o.notBefore ?? DEFAULT_NOT_BEFORE)) {
      answer = false;
      source = 'plausibility';
    } else {
      for (const p of this.o.probes ?? defaultProbes()) {
        answer = await p.check().catch(() => undefined);
        if (answer !== undefined) {
          source = p.name;
          break;
        }
      }
    }
    this.update(answer === true, source);
    return this.isSynced;
  }

  private update(nowSynced: boolean, source: string): void {
    const skew = this.wall() - this.mono();
    if (!nowSynced) {
      if (this.isSynced) this.o.onLost?.(source);
      if (this.isSynced || this.unsyncedSince === undefined) {
        // Measure the coming step from here.
        this.unsyncedSince = this.wall();
        this.skew = skew;
      }
      this.isSynced = false;
      this.sawUnsynced = true;
      return;
    }
    if (this.isSynced) return;
    this.isSynced = true;
    const saw = this.sawUnsynced;
    this.sawUnsynced = false;
    if (this.unsyncedSince === undefined || !saw) {
      this.unsyncedSince = undefined;
      return;
    }
    const correction: ClockCorrection = { syncedAt: this.wall(), offsetMs: Math.round(skew - this.skew), unsyncedSince: this.unsyncedSince, source };
    this.unsyncedSince = undefined;
    this.o.onSynced?.(correction);
  }
}

/** The outbox row for the hub ('correction', sent in order with the passages). */
export function recordClockCorrection(ledger: Pick<Ledger, 'enqueue'>, c: ClockCorrection): { seq: number } {
  return ledger.enqueue('correction', { type: 'clock', ...c });
}
