// Chooses the implementation of each device from its config (the binding-as-an-option idea).
import { MockGpio, MockScanner, MockThermometer } from '../../hardware-mocks/in-process.js';
import type { GpioConfig, ScannerConfig, ThermometerConfig } from './config.js';
import { createGpiodGpio, type GpiodTools } from './gpio/gpiod.js';
import { configuredInputs } from './gpio/lines.js';
import { createOnoffGpio, type OnoffGpioCtor } from './gpio/onoff.js';
import { createHidScanner } from './scanner/hid-scanner.js';
import { createSerialScanner } from './scanner/serial-scanner.js';
import type { SerialBinding } from './serial/open.js';
import { lineProtocol } from './thermometer/line-parser.js';
import { createModbusThermometer } from './thermometer/modbus.js';
import { createSerialLineThermometer } from './thermometer/serial-line.js';
import type { GpioDriver, ScannerDriver, ThermometerDriver } from './types.js';

export interface DriverChoices {
  /** 'mock' runs every serial driver on serialport's MockBinding (tests). */
  serialBinding?: SerialBinding;
  onoff?: OnoffGpioCtor;
  gpiodTools?: Partial<GpiodTools>;
}

const needPath = (kind: string, id: string, path: string | undefined): string => {
  if (!path) throw new Error(`${kind} "${id}" needs a "path" (best /dev/serial/by-id/… or /dev/input/by-id/…)`);
  return path;
};

export function thermometerDriver(cfg: ThermometerConfig, choices: DriverChoices = {}): ThermometerDriver {
  const binding = choices.serialBinding ? { binding: choices.serialBinding } : {};
  switch (cfg.driver) {
    case 'mock':
      return new MockThermometer();
    case 'serial-line':
      return createSerialLineThermometer({
        path: needPath('Thermometer', cfg.id, cfg.path),
        baudRate: cfg.baudRate,
        framing: cfg.framing,
        maxLineLength: cfg.maxLineLength,
        protocol: lineProtocol({ preset: cfg.preset, ...(cfg.pattern ? { pattern: cfg.pattern } : {}), ...(cfg.unit ? { unit: cfg.unit } : {}), scale: cfg.scale }),
        ...binding,
      });
    case 'modbus':
      return createModbusThermometer({
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
        ...binding,
      });
  }
}

export function scannerDriver(cfg: ScannerConfig, choices: DriverChoices = {}): ScannerDriver {
  switch (cfg.driver) {
    case 'mock':
      return new MockScanner();
    case 'serial':
      return createSerialScanner({
        path: needPath('Scanner', cfg.id, cfg.path),
        baudRate: cfg.baudRate,
        suffix: cfg.suffix,
        interByteTimeoutMs: cfg.interByteTimeoutMs,
        maxLength: cfg.maxLength,
        ...(choices.serialBinding ? { binding: choices.serialBinding } : {}),
      });
    case 'hid':
      return createHidScanner({ path: needPath('Scanner', cfg.id, cfg.path), grabCommand: cfg.grabCommand, suffix: cfg.suffix, interByteTimeoutMs: cfg.interByteTimeoutMs, maxLength: cfg.maxLength });
  }
}

export function gpioDriver(cfg: GpioConfig, choices: DriverChoices = {}): GpioDriver {
  switch (cfg.driver) {
    case 'mock':
      return new MockGpio(configuredInputs(cfg).map(([n]) => n));
    case 'onoff':
      return createOnoffGpio({ config: cfg, ...(choices.onoff ? { Gpio: choices.onoff } : {}) });
    case 'gpiod':
      return createGpiodGpio({ config: cfg, ...(choices.gpiodTools ? { tools: choices.gpiodTools } : {}) });
  }
}
