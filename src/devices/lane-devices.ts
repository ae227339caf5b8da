// One lane's devices: turns driver output into bus events (inputs, signals, warnings) and actions into outputs.
import type { EventBus } from '../kernel/bus.js';
import type { DeviceEvents } from './events.js';
import type { Direction, GateInput, Text } from './vocabulary.js';
import type { LaneConfig, ThermometerConfig } from './config.js';
import { Debouncer } from './gpio/debounce.js';
import { configuredInputs } from './gpio/lines.js';
import { LaneOutputs } from './gpio/outputs.js';
import type { ScanFilter } from './scanner/scan-filter.js';
import { type Calibration, calibrate } from './thermometer/calibration.js';
import type { GpioDriver, GpioInputName, ScanFrame, ThermometerSample } from './types.js';
import { WarningThrottle } from './warning-throttle.js';

export function calibrationOf(cfg: ThermometerConfig): Calibration {
  return {
    offset: cfg.offset,
    ambientCompensation: cfg.ambientCompensation,
    ...(cfg.ambientCelsius !== undefined ? { ambientCelsius: cfg.ambientCelsius } : {}),
    ambientReference: cfg.ambientReference,
    ambientCoefficient: cfg.ambientCoefficient,
  };
}

export class LaneDevices {
  readonly outputs: LaneOutputs;
  private readonly throttle: WarningThrottle;
  private readonly debouncers = new Map<GpioInputName, Debouncer>();
  private gpio: GpioDriver | undefined;

  constructor(
    private readonly lane: LaneConfig,
    private readonly bus: EventBus<DeviceEvents>,
    private readonly now: () => number,
    /** Where the lane's inputs go: straight to the gate in the daemon, else `device.input` on the bus. */
    private readonly toGate: (input: GateInput) => void = (input) => bus.emit('device.input', input),
  ) {
    this.throttle = new WarningThrottle(now);
    this.outputs = new LaneOutputs((o, on) => this.gpio?.write(o, on));
    for (const [name, cfg] of lane.gpio ? configuredInputs(lane.gpio) : []) {
      this.debouncers.set(name, new Debouncer(cfg.debounceMs, (active, initial) => {
          // The mask detector's idle level at open is not a passage input.
          if (!(initial && name === 'maskDetector')) this.signal(name, active);
        }));
    }
  }

  get id(): string {
    return this.lane.id;
  }

  warn(deviceId: string, code: string, text: Text): void {
    const passed = this.throttle.pass(deviceId, code, text);
    if (passed) this.bus.emit('device.warning', { deviceId, lane: this.lane.id, code, text: passed });
  }

  thermometerSink(cfg: ThermometerConfig, cal: () => Calibration): (s: ThermometerSample) => void {
    return (s) => {
      const celsius = calibrate(s.celsius, cal(), s.ambient);
      if (!(celsius >= cfg.plausibleMin && celsius <= cfg.plausibleMax)) {
        this.warn(cfg.id, 'thermo.implausible', {
          zh: `体温读数 ${celsius} ℃ 不合理（${cfg.plausibleMin}–${cfg.plausibleMax} ℃），请复测`,
          en: `Implausible reading ${celsius} °C (outside ${cfg.plausibleMin}–${cfg.plausibleMax} °C); measure again`,
        });
        return;
      }
      this.toGate({ type: 'temperature', lane: this.lane.id, celsius, source: 'device', deviceId: cfg.id });
    };
  }

  scannerSink(deviceId: string, filter: ScanFilter, configured?: Direction): (f: ScanFrame, direction?: Direction) => void {
    return (f, direction) => {
      const verdict = 'overflow' in f ? filter.tooLong(f.overflow) : filter.check(f.bytes);
      if (verdict.ok) {
        const dir = direction ?? configured;
        this.toGate({ type: 'scan', lane: this.lane.id, text: verdict.text, deviceId, ...(dir ? { direction: dir } : {}) });
      } else if (verdict.code === 'scan.duplicate') this.bus.emit('device.scan-repeat', { deviceId, lane: this.lane.id });
      else this.warn(deviceId, verdict.code, verdict.text);
    };
  }

  attachGpio(driver: GpioDriver | undefined): void {
    this.gpio = driver;
  }

  gpioInput(name: GpioInputName, active: boolean): void {
    this.debouncers.get(name)?.push(active);
  }

  /** After a GPIO reconnect the first level read is the state again. */
  resetInputs(): void {
    for (const d of this.debouncers.values()) d.reset();
  }

  /** Without debouncing, for mock controls on lanes without that GPIO input. */
  signal(name: GpioInputName, active: boolean): void {
    if (name === 'maskDetector') this.toGate({ type: 'mask', lane: this.lane.id, worn: active, source: 'sensor' });
    else this.bus.emit('device.signal', { lane: this.lane.id, deviceId: `${this.lane.id}-gpio`, signal: name === 'doorContact' ? 'door-contact' : 'exit-button', active });
  }

  get gpioId(): string {
    return `${this.lane.id}-gpio`;
  }

  get nowMs(): number {
    return this.now();
  }
}
