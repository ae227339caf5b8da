// The sync's events on the bus.
import type { Config } from '../config/schema.js';
import type { DaemonContext } from '../kernel/feature.js';
import type { GateEvents } from '../runtime/events.js';

export interface SyncEvents {
  /** MQTT link state. */
  'sync.state': { connected: boolean; outboxDepth: number; detail?: string };
}

export type SyncContext = DaemonContext<GateEvents & SyncEvents, Config>;
