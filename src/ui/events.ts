// The kiosk's events on the bus.
import type { Config } from '../config/schema.js';
import type { DaemonContext } from '../kernel/feature.js';
import type { GateEvents } from '../runtime/events.js';
import type { SyncEvents } from '../sync/events.js';

export interface KioskEvents {
  /** An operator acknowledged an alert on the kiosk. */
  'alert.acknowledged': { alertId: string; operatorId: string };
  /** A scanned declaration code is on the kiosk screens: the registration prefilled, or why it was refused. */
  'declaration.shown': { lane: string; ok: boolean; members: number; zh: string; en: string };
}

export type KioskEventMap = GateEvents & SyncEvents & KioskEvents;

export type KioskAppContext = DaemonContext<KioskEventMap, Config>;
