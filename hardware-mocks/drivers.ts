// The mock drivers, registered by kind under the name "mock", with the controls that drive them.
// Loaded only by the composition root (src/app/app.ts, a dynamic import) in simulation or when a lane names the mock driver, and by tests.
import type { DriverSet } from '../src/devices/drivers.js';
import { configuredInputs } from '../src/devices/gpio/lines.js';
import { MockRegistry } from './controls.js';
import { MockGpio, MockScanner, MockThermometer } from './in-process.js';

export const mockDrivers: DriverSet = {
  thermometer: { mock: () => new MockThermometer() },
  scanner: { mock: () => new MockScanner() },
  gpio: { mock: (cfg) => new MockGpio(configuredInputs(cfg).map(([n]) => n)) },
  controls: (lanes) => new MockRegistry(lanes),
};
