// A devices feature on a real bus with a silent logger, and a log of everything it said on the bus.
import pino from 'pino';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { validateConfig } from '../../src/config/load.js';
import type { LaneConfig } from '../../src/devices/config.js';
import { mockDrivers } from '../../hardware-mocks/drivers.js';
import { DriverRegistry, realDrivers } from '../../src/devices/drivers.js';
import { type CreateDevicesOptions, createDevices, type DeviceManager } from '../../src/devices/manager.js';

export function lanesFrom(raw: unknown[]): LaneConfig[] {
  const { config, problems } = validateConfig({ lanes: raw });
  if (!config) throw new Error(problems.join('\n'));
  return config.lanes;
}

export type Heard = { [K in keyof AppEvents]: { event: K; payload: AppEvents[K] } }[keyof AppEvents];

export function harness(rawLanes: unknown[], extra: Partial<Omit<CreateDevicesOptions, 'ctx' | 'lanes'>> = {}) {
  const lanes = lanesFrom(rawLanes);
  const { config } = validateConfig({ lanes: rawLanes });
  const bus = new EventBus<AppEvents>((e, err) => {
    throw new Error(`listener of ${e} threw: ${String(err)}`);
  });
  const heard: Heard[] = [];
  for (const e of ['device.input', 'device.health', 'device.warning', 'device.signal', 'device.scan-repeat'] as const) {
    bus.on(e, (payload) => heard.push({ event: e, payload } as Heard));
  }
  const ctx: AppContext = {
    config: config!,
    bus,
    logger: pino({ level: 'silent' }),
    clock: { now: () => Date.now(), synced: () => true, mono: () => performance.now() },
    dataDir: '/nonexistent',
  };
  const devices: DeviceManager = createDevices({ ctx, lanes, drivers: new DriverRegistry(realDrivers, mockDrivers), ...extra });
  const of = <K extends keyof AppEvents>(event: K): AppEvents[K][] => heard.filter((h) => h.event === event).map((h) => h.payload as AppEvents[K]);
  return { devices, bus, heard, of, ctx };
}

export const MOCK_LANE = {
  id: 'main',
  thermometers: [{ id: 'thermo-1', driver: 'mock' }],
  scanners: [{ id: 'scanner-1', driver: 'mock', dedupeWindowMs: 1000 }],
  gpio: { driver: 'mock', relay: { line: 17 }, lampGreen: { line: 27 }, lampRed: { line: 22 }, buzzer: { line: 23 }, doorContact: { line: 24 }, exitButton: { line: 25, debounceMs: 30 }, maskDetector: { line: 5 } },
};
