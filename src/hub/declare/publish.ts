// The site's live declarations down to its gates: one retained snapshot on
// <root>/v1/<site>/cmd/declarations, republished (debounced) after each new one, so a gate that
// reconnects gets the latest and a burst of phones costs one publish. The version is the wall clock
// in ms, kept rising; the gates answer on …/result like every update.
import type { Logger } from 'pino';
import { TOPIC_VERSION } from '../../sync/topics.js';

export interface PublisherOptions {
  site: string;
  topicRoot: string;
  /** The live declarations, each as its JSON (a DeclarationRecord): the snapshot is joined from them, not re-serialised. */
  liveJson: (now: number) => Promise<string[]>;
  publish: (topic: string, body: string, opts: { retain: boolean }) => Promise<void>;
  logger: Logger;
  now: () => number;
  debounceMs?: number;
  retryMs?: number;
}

export class DeclarationsPublisher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private version = 0;
  private stopped = false;
  /** Snapshots published (for tests and the bench). */
  published = 0;
  readonly topic: string;

  constructor(private readonly o: PublisherOptions) {
    this.topic = `${o.topicRoot}/${TOPIC_VERSION}/${o.site}/cmd/declarations`;
  }

  schedule(delayMs = this.o.debounceMs ?? 200): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.flush().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    try {
      const now = this.o.now();
      const declarations = await this.o.liveJson(now);
      this.version = Math.max(this.version + 1, now);
      const head = JSON.stringify({ site: this.o.site, version: this.version, id: `declarations-${this.version}`, issuedAt: now, declarations: [] });
      await this.o.publish(this.topic, `${head.slice(0, -3)}[${declarations.join(',')}]}`, { retain: true });
      this.published++;
    } catch (err) {
      // Broker away: the next try sends the whole snapshot, nothing is lost.
      this.o.logger.warn({ err: (err as Error).message }, 'declarations not sent to the gates yet; retrying');
      this.schedule(this.o.retryMs ?? 5000);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
