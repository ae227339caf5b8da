// The kernel pieces the hub stands on, imported in this one place (the shared kernel is moving
// out of the gate's root folder; the hub's parts import it from here).
export type { Feature } from '../kernel/feature.js';
export { handleSignals, Lifecycle } from '../kernel/lifecycle.js';
export { createLogger } from '../kernel/logger.js';
export { createNotifier, type Notifier, watchdogIntervalMs } from '../kernel/sd-notify.js';
export { lockDataDir } from '../kernel/single-instance.js';
export { Watchdog } from '../kernel/watchdog.js';
