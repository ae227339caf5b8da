// The kiosk's events on the bus.
import type { Config } from '../config/schema.js';
import type { DaemonContext } from '../kernel/feature.js';
import type { GateEvents } from '../runtime/events.js';
import type { SyncEvents } from '../sync/events.js';

export interface KioskEvents {
  /** An operator acknowledged an alert on the kiosk. */
  'alert.acknowledged': { alertId: string; operatorId: string };
}

export type KioskEventMap = GateEvents & SyncEvents & KioskEvents;

export type KioskAppContext = DaemonContext<KioskEventMap, Config>;
