// A feature is a unit with start()/stop() on the bus (zigbee2mqtt's extension idea).
// The composition root starts features in order and stops them in reverse (lifecycle.ts).
import type { Logger } from 'pino';
import type { EventBus } from './bus.js';
import type { DaemonClock } from './clock.js';

/**
 * What a daemon hands each of its features: its configuration, its bus, its logger, its clock and
 * where it keeps its state. A part names the events it uses and the config it reads; the daemon's
 * context, carrying more of both, is passed where the part's narrower one is asked for.
 */
export interface DaemonContext<Events extends object, Config> {
  config: Config;
  bus: EventBus<Events>;
  logger: Logger;
  clock: DaemonClock;
  /** Where the daemon keeps its state (database, keys); derived from its storage path. */
  dataDir: string;
}

export interface Feature {
  readonly name: string;
  start(): Promise<void> | void;
  /** `budgetMs`: what the shutdown has left for this feature; past it the next one stops anyway. */
  stop(budgetMs?: number): Promise<void> | void;
}
