// A feature is a unit with start()/stop() on the bus (zigbee2mqtt's extension idea).
// The composition root starts features in order and stops them in reverse.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../gate/model.js';
import type { EventBus } from './bus.js';

export interface AppContext {
  config: Config;
  bus: EventBus;
  logger: Logger;
  clock: Clock & { mono(): number };
  /** Where the daemon keeps its state (database, keys); derived from storage.path. */
  dataDir: string;
}

export interface Feature {
  readonly name: string;
  start(): Promise<void> | void;
  /** `budgetMs`: what the shutdown has left for this feature; past it the next one stops anyway. */
  stop(budgetMs?: number): Promise<void> | void;
}
