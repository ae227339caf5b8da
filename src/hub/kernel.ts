// The kernel pieces the hub stands on, imported in this one place (the shared kernel is moving
// out of the gate's root folder; the hub's parts import it from here).
export type { Feature } from '../app/feature.js';
export { handleSignals, Lifecycle } from '../app/lifecycle.js';
export { createLogger } from '../app/logger.js';
export { createNotifier, type Notifier, watchdogIntervalMs } from '../app/sd-notify.js';
export { lockDataDir } from '../app/single-instance.js';
export { Watchdog } from '../app/watchdog.js';
