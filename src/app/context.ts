// The gate daemon's bus and context: every part's events on one bus.
import type { Config } from '../config/schema.js';
import type { DaemonContext } from '../kernel/feature.js';
import type { KioskEventMap } from '../ui/events.js';

export type AppEvents = KioskEventMap;

export type AppContext = DaemonContext<AppEvents, Config>;
