// Keeps one device open: watches that its node still exists (an unplugged port may say nothing), reports
// connected/disconnected/faulty on the bus, closes it fully when lost and reopens it with backoff.
import type { DeviceHealth, DeviceKind, DeviceState } from './events.js';
import type { Text } from './vocabulary.js';
import type { Driver } from './types.js';

export interface SupervisionTiming {
  /** How often the device node's existence is checked. */
  watchMs: number;
  backoffMinMs: number;
  /** Kept ≤ 2 s so a device that comes back is used again within 5 s. */
  backoffMaxMs: number;
}

export const DEFAULT_TIMING: SupervisionTiming = { watchMs: 1000, backoffMinMs: 250, backoffMaxMs: 2000 };

export interface SupervisorOptions<T> {
  id: string;
  kind: DeviceKind;
  lane: string;
  driverName: string;
  driver: Driver<T>;
  now: () => number;
  timing?: Partial<SupervisionTiming>;
  onData(value: T): void;
  onWarning(code: string, text: Text): void;
  onHealth(health: DeviceHealth): void;
  /** Called after each successful (re)open, e.g. to drive outputs to the safe state. */
  onOpen?(): void;
}

export class Supervisor<T> {
  private state: DeviceState = 'disconnected';
  private detail: string | undefined = 'not opened yet';
  private since: number;
  private readonly timing: SupervisionTiming;
  private watch: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoff: number;
  private running = false;
  private opening: Promise<void> | undefined;
  /** Bumped on every open and close, so late events from an old connection are ignored. */
  private generation = 0;
  /** The first outcome is always told, so a device missing at start is heard too. */
  private announced = false;

  constructor(private readonly o: SupervisorOptions<T>) {
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    this.backoff = this.timing.backoffMinMs;
    this.since = o.now();
  }

  get id(): string {
    return this.o.id;
  }

  health(): DeviceHealth {
    return { id: this.o.id, kind: this.o.kind, lane: this.o.lane, driver: this.o.driverName, state: this.state, ...(this.detail ? { detail: this.detail } : {}), since: this.since };
  }

  /** Tries once now; a failure is reported and retried, never thrown. */
  async start(): Promise<void> {
    this.running = true;
    this.watch = setInterval(() => this.check(), this.timing.watchMs);
    await this.tryOpen();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.watch) clearInterval(this.watch);
    if (this.retry) clearTimeout(this.retry);
    this.watch = this.retry = undefined;
    await this.opening;
    this.generation++;
    await this.safeClose();
  }

  private check(): void {
    if (this.state === 'connected' && !this.o.driver.present()) void this.lose('device node is gone (unplugged?)', 'disconnected');
  }

  private async tryOpen(): Promise<void> {
    if (!this.running || this.opening) return;
    this.opening = this.open().finally(() => {
      this.opening = undefined;
    });
    await this.opening;
  }

  private async open(): Promise<void> {
    if (!this.o.driver.present()) {
      this.set('disconnected', 'device node not present');
      this.schedule();
      return;
    }
    const gen = ++this.generation;
    const alive = () => gen === this.generation && this.running;
    try {
      await this.o.driver.open({
        data: (v) => {
          if (alive()) this.o.onData(v);
        },
        warning: (code, text) => {
          if (alive()) this.o.onWarning(code, text);
        },
        lost: (reason, state) => {
          if (alive()) void this.lose(reason, state ?? (this.o.driver.present() ? 'faulty' : 'disconnected'));
        },
      });
    } catch (err) {
      await this.safeClose();
      this.set(this.o.driver.present() ? 'faulty' : 'disconnected', (err as Error).message);
      this.schedule();
      return;
    }
    if (!alive()) {
      await this.safeClose();
      return;
    }
    this.backoff = this.timing.backoffMinMs;
    this.set('connected', undefined);
    this.o.onOpen?.();
  }

  private async lose(reason: string, state: 'disconnected' | 'faulty'): Promise<void> {
    if (this.state !== 'connected') return;
    this.generation++;
    this.set(state, reason);
    await this.safeClose();
    this.backoff = this.timing.backoffMinMs;
    this.schedule();
  }

  private schedule(): void {
    if (!this.running || this.retry) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.timing.backoffMaxMs);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.tryOpen();
    }, delay);
  }

  private async safeClose(): Promise<void> {
    try {
      await this.o.driver.close();
    } catch {
      // Closing a device that is already gone may fail; its descriptors are released either way.
    }
  }

  private set(state: DeviceState, detail: string | undefined): void {
    // The detail may change between retries (health() shows the latest); the bus hears state changes only.
    this.detail = detail;
    if (state === this.state && this.announced) return;
    this.announced = true;
    this.state = state;
    this.since = this.o.now();
    this.o.onHealth(this.health());
  }
}
