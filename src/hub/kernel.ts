// The kernel pieces the hub stands on (src/kernel/), imported in this one place.
export type { Feature } from '../kernel/feature.js';
export { handleSignals, Lifecycle } from '../kernel/lifecycle.js';
export { createLogger } from '../kernel/logger.js';
export { createNotifier, type Notifier, watchdogIntervalMs } from '../kernel/sd-notify.js';
export { lockDataDir } from '../kernel/single-instance.js';
export { VERSION } from '../kernel/version.js';
export { Watchdog } from '../kernel/watchdog.js';
