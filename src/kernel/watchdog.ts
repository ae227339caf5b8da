// Pings the systemd watchdog from the event loop. A stalled loop stops the pings (the timer cannot
// fire), and so does a loop that fires late: a ping is only sent when the loop's lag is healthy,
// so a daemon that is alive but wedged on a long synchronous job is restarted too.
import type { Notifier } from './sd-notify.js';

export interface WatchdogOptions {
  notifier: Pick<Notifier, 'watchdog'>;
  intervalMs: number;
  /** Extra liveness checks (e.g. the ledger still writable); a false skips the ping. */
  healthy?: () => boolean;
  now?: () => number;
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  pings = 0;
  skipped = 0;

  constructor(private readonly opts: WatchdogOptions) {}

  start(): void {
    if (this.timer) return;
    const now = this.opts.now ?? Date.now;
    this.last = now();
    this.opts.notifier.watchdog();
    this.pings++;
    this.timer = setInterval(() => {
      const t = now();
      const lag = t - this.last - this.opts.intervalMs;
      this.last = t;
      // Late by more than a whole interval: the loop was stalled; let systemd see the gap.
      if (lag > this.opts.intervalMs || (this.opts.healthy && !this.opts.healthy())) {
        this.skipped++;
        return;
      }
      this.opts.notifier.watchdog();
      this.pings++;
    }, this.opts.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
