// Starts features in order and stops them in reverse, each stop bounded so the whole shutdown fits
// the 5 s budget even when one feature hangs.
import type { Logger } from 'pino';
import type { Feature } from './feature.js';

export interface LifecycleOptions {
  logger: Pick<Logger, 'info' | 'error' | 'warn'>;
  /** Total time allowed for stop(); each feature gets what is left. */
  stopBudgetMs?: number;
}

export class Lifecycle {
  private readonly features: Feature[] = [];
  private started: Feature[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: LifecycleOptions) {}

  add(feature: Feature): this {
    this.features.push(feature);
    return this;
  }

  /** Starts every feature in order. If one fails, the ones already started are stopped and the error is rethrown. */
  async start(): Promise<void> {
    for (const f of this.features) {
      try {
        await f.start();
        this.started.push(f);
        this.opts.logger.info({ feature: f.name }, 'started');
      } catch (err) {
        this.opts.logger.error({ feature: f.name, err }, 'failed to start; stopping what was started');
        await this.stop();
        throw new Error(`Could not start ${f.name}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** Stops started features in reverse order. Idempotent; never throws. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const deadline = Date.now() + (this.opts.stopBudgetMs ?? 4500);
    for (const f of [...this.started].reverse()) {
      const left = Math.max(50, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(() => f.stop(left)),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not stop within ${left} ms`)), left);
          }),
        ]);
        this.opts.logger.info({ feature: f.name }, 'stopped');
      } catch (err) {
        this.opts.logger.warn({ feature: f.name, err }, 'stop failed; going on with the others');
      } finally {
        clearTimeout(timer);
      }
    }
    this.started = [];
  }
}

export interface SignalTarget {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/**
 * SIGTERM/SIGINT stop the daemon cleanly, then `exit(0)`. A second signal while stopping, or a
 * shutdown that overruns `hardLimitMs`, exits with 1 so systemd does not wait forever.
 */
export function handleSignals(opts: { target?: SignalTarget; stop: () => Promise<void>; exit: (code: number) => void; hardLimitMs?: number; logger: Pick<Logger, 'info' | 'warn'> }): () => void {
  const target = opts.target ?? (process as unknown as SignalTarget);
  let stopping = false;
  const onSignal = (signal: string) => () => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal while stopping: exiting now');
      opts.exit(1);
      return;
    }
    stopping = true;
    opts.logger.info({ signal }, 'stopping');
    const hard = setTimeout(() => {
      opts.logger.warn('shutdown overran its limit: exiting now');
      opts.exit(1);
    }, opts.hardLimitMs ?? 5000);
    hard.unref?.();
    opts.stop().then(
      () => {
        clearTimeout(hard);
        opts.exit(0);
      },
      () => {
        clearTimeout(hard);
        opts.exit(1);
      },
    );
  };
  const term = onSignal('SIGTERM');
  const int = onSignal('SIGINT');
  target.on('SIGTERM', term);
  target.on('SIGINT', int);
  return () => {
    target.off('SIGTERM', term);
    target.off('SIGINT', int);
  };
}
