// Drivers registered by kind and name (the binding-as-an-option idea of node-serialport): the real
// ones here, the mock ones by hardware-mocks/drivers.ts. The composition root chooses the set; a
// device whose driver is not in it is reported with why, like any device that cannot be opened.
import type { Direction } from './vocabulary.js';
import type { GpioConfig, ScannerConfig, ThermometerConfig } from './config.js';
import { createGpiodGpio, type GpiodTools } from './gpio/gpiod.js';
import { createOnoffGpio, type OnoffGpioCtor } from './gpio/onoff.js';
import type { LaneDevices } from './lane-devices.js';
import type { MockControls } from './mock-controls.js';
import { createHidScanner } from './scanner/hid-scanner.js';
import { createSerialScanner } from './scanner/serial-scanner.js';
import type { SerialBinding } from './serial/open.js';
import { lineProtocol } from './thermometer/line-parser.js';
import { createModbusThermometer } from './thermometer/modbus.js';
import { createSerialLineThermometer } from './thermometer/serial-line.js';
import type { Driver, GpioDriver, ScannerDriver, ThermometerDriver } from './types.js';

export interface DriverChoices {
  /** Runs every serial driver on this binding (serialport's MockBinding in tests). */
  serialBinding?: SerialBinding;
  onoff?: OnoffGpioCtor;
  gpiodTools?: Partial<GpiodTools>;
}

export type DriverFactory<C, D> = (cfg: C, choices: DriverChoices) => D;

/** What tests and the simulator do to the devices of a driver set that can be driven from outside (the mocks). */
export interface DriverControls extends MockControls {
  /** Whether any device of the set was made. */
  readonly empty: boolean;
  addThermometer(lane: string, id: string, driver: Driver<unknown>): void;
  addScanner(lane: string, id: string, driver: Driver<unknown>, inject: (text: string, direction?: Direction) => void): void;
  addGpio(lane: string, id: string, driver: Driver<unknown>): void;
}

export interface DriverSet {
  thermometer?: Record<string, DriverFactory<ThermometerConfig, ThermometerDriver>>;
  scanner?: Record<string, DriverFactory<ScannerConfig, ScannerDriver>>;
  gpio?: Record<string, DriverFactory<GpioConfig, GpioDriver>>;
  /** Controls over the devices this set makes, given the lanes they are on. */
  controls?: (lanes: ReadonlyMap<string, LaneDevices>) => DriverControls;
}

const needPath = (kind: string, id: string, path: string | undefined): string => {
  if (!path) throw new Error(`${kind} "${id}" needs a "path" (best /dev/serial/by-id/… or /dev/input/by-id/…)`);
  return path;
};

/** The drivers of real hardware. */
export const realDrivers: DriverSet = {
  thermometer: {
    'serial-line': (cfg, choices) =>
      createSerialLineThermometer({
        path: needPath('Thermometer', cfg.id, cfg.path),
        baudRate: cfg.baudRate,
        framing: cfg.framing,
        maxLineLength: cfg.maxLineLength,
        protocol: lineProtocol({ preset: cfg.preset, ...(cfg.pattern ? { pattern: cfg.pattern } : {}), ...(cfg.unit ? { unit: cfg.unit } : {}), scale: cfg.scale }),
        ...(choices.serialBinding ? { binding: choices.serialBinding } : {}),
      }),
    modbus: (cfg, choices) =>
      createModbusThermometer({
        path: needPath('Thermometer', cfg.id, cfg.path),
        baudRate: cfg.baudRate,
        slaveId: cfg.slaveId,
        register: cfg.register,
        fn: cfg.registerType === 'input' ? 0x04 : 0x03,
        scale: cfg.scale,
        ...(cfg.unit ? { unit: cfg.unit } : {}),
        pollMs: cfg.pollMs,
        timeoutMs: cfg.timeoutMs,
        presenceCelsius: cfg.plausibleMin - cfg.offset,
        ...(choices.serialBinding ? { binding: choices.serialBinding } : {}),
      }),
  },
  scanner: {
    serial: (cfg, choices) =>
      createSerialScanner({
        path: needPath('Scanner', cfg.id, cfg.path),
        baudRate: cfg.baudRate,
        suffix: cfg.suffix,
        interByteTimeoutMs: cfg.interByteTimeoutMs,
        maxLength: cfg.maxLength,
        ...(choices.serialBinding ? { binding: choices.serialBinding } : {}),
      }),
    hid: (cfg) => createHidScanner({ path: needPath('Scanner', cfg.id, cfg.path), grabCommand: cfg.grabCommand, suffix: cfg.suffix, interByteTimeoutMs: cfg.interByteTimeoutMs, maxLength: cfg.maxLength }),
  },
  gpio: {
    onoff: (cfg, choices) => createOnoffGpio({ config: cfg, ...(choices.onoff ? { Gpio: choices.onoff } : {}) }),
    gpiod: (cfg, choices) => createGpiodGpio({ config: cfg, ...(choices.gpiodTools ? { tools: choices.gpiodTools } : {}) }),
  },
};

type Kind = 'thermometer' | 'scanner' | 'gpio';
const KIND_NAME: Record<Kind, string> = { thermometer: 'Thermometer', scanner: 'Scanner', gpio: 'GPIO' };

/** The driver sets a daemon was given, merged; later sets add names (a name given twice is refused). */
export class DriverRegistry {
  private readonly sets: DriverSet[];

  constructor(...sets: DriverSet[]) {
    for (const kind of Object.keys(KIND_NAME) as Kind[]) {
      const seen = new Set<string>();
      for (const name of sets.flatMap((s) => Object.keys(s[kind] ?? {}))) {
        if (seen.has(name)) throw new Error(`Two ${kind} drivers named "${name}"`);
        seen.add(name);
      }
    }
    this.sets = sets;
  }

  thermometer(cfg: ThermometerConfig, choices: DriverChoices = {}): ThermometerDriver {
    return this.factory('thermometer', cfg.driver, cfg.id)(cfg, choices);
  }

  scanner(cfg: ScannerConfig, choices: DriverChoices = {}): ScannerDriver {
    return this.factory('scanner', cfg.driver, cfg.id)(cfg, choices);
  }

  gpio(cfg: GpioConfig, choices: DriverChoices = {}): GpioDriver {
    return this.factory('gpio', cfg.driver, 'gpio')(cfg, choices);
  }

  /** Controls over the devices made, when a set offers them (the mocks). */
  controls(lanes: ReadonlyMap<string, LaneDevices>): DriverControls | undefined {
    const set = this.sets.find((s) => s.controls);
    return set?.controls?.(lanes);
  }

  private factory<K extends Kind>(kind: K, name: string, id: string): NonNullable<DriverSet[K]>[string] {
    for (const set of this.sets) {
      const f = set[kind]?.[name];
      if (f) return f as NonNullable<DriverSet[K]>[string];
    }
    const known = this.sets.flatMap((s) => Object.keys(s[kind] ?? {}));
    const hint = name === 'mock' ? ' (the mock drivers come with the simulation: gate run --simulation)' : '';
    throw new Error(`${KIND_NAME[kind]} "${id}": no driver "${name}" here${hint}; drivers: ${known.join(', ') || 'none'}`);
  }
}

/** Whether a lane's config names a mock driver (only a simulation or a test bench does). */
export function usesMockDriver(lanes: ReadonlyArray<{ thermometers: Array<{ driver: string }>; scanners: Array<{ driver: string }>; gpio?: { driver: string } | undefined }>): boolean {
  return lanes.some((l) => l.thermometers.some((t) => t.driver === 'mock') || l.scanners.some((s) => s.driver === 'mock') || l.gpio?.driver === 'mock');
}
