// createDevices: every configured device of every lane, supervised, on the bus. A device that cannot be
// opened is reported and retried; it never stops the daemon from starting.
import type { Feature } from '../kernel/feature.js';
import type { Action, Direction, GateInput } from './vocabulary.js';
import type { LaneConfig } from './config.js';
import type { DeviceHealth, DevicesContext } from './events.js';
import { type DriverChoices, DriverRegistry, realDrivers } from './drivers.js';
import { calibrationOf, LaneDevices } from './lane-devices.js';
import type { MockControls } from './mock-controls.js';
import { ScanFilter } from './scanner/scan-filter.js';
import { Supervisor, type SupervisionTiming } from './supervisor.js';
import { type Calibration, validateCalibration } from './thermometer/calibration.js';
import type { Driver, GpioDriver, GpioInputName, ScanFrame } from './types.js';

export interface CreateDevicesOptions extends DriverChoices {
  ctx: DevicesContext;
  lanes: LaneConfig[];
  /** The drivers to make devices with; default: the real ones only. */
  drivers?: DriverRegistry;
  /** Where inputs go: the gate runtime, called directly (the scan's fast path); default `device.input` on the bus. */
  toGate?: (input: GateInput) => void;
  timing?: Partial<SupervisionTiming>;
}

export interface CalibrationPatch {
  offset?: number;
  ambientCompensation?: boolean;
  /** null forgets a configured ambient. */
  ambientCelsius?: number | null;
}

export interface DeviceManager extends Feature {
  /** The gate's actions for a lane (relay, lamps, buzzer), once its decision is committed; ignored while stopped. */
  act(lane: string, actions: Action[]): void;
  health(): DeviceHealth[];
  /** Thermometer calibration now in force. */
  calibration(deviceId: string): Calibration;
  /** Changes a thermometer's calibration at run time (the kiosk; the caller writes the audit entry). Throws on bad values. */
  calibrate(deviceId: string, patch: CalibrationPatch): Calibration;
  /** Present when any configured device uses the mock driver. */
  readonly mock: MockControls | undefined;
}

/** A driver whose construction failed (bad config): it reports why on every open attempt. As a GPIO, it writes nothing. */
function brokenDriver<T>(message: string): Driver<T> & Pick<GpioDriver, 'write'> {
  return {
    present: () => true,
    open: () => Promise.reject(new Error(message)),
    close: () => Promise.resolve(),
    write: () => {},
  };
}

function build<T>(make: () => Driver<T>): Driver<T> {
  try {
    return make();
  } catch (err) {
    return brokenDriver((err as Error).message);
  }
}

export function createDevices(options: CreateDevicesOptions): DeviceManager {
  const { ctx } = options;
  const log = ctx.logger.child({ module: 'devices' });
  const now = () => ctx.clock.now();
  const supervisors: Supervisor<unknown>[] = [];
  const lanes = new Map<string, LaneDevices>();
  const calibrations = new Map<string, Calibration>();
  const drivers = options.drivers ?? new DriverRegistry(realDrivers);
  const controls = drivers.controls(lanes);
  let running = false;

  const onHealth = (h: DeviceHealth): void => {
    if (h.state === 'connected') log.info({ device: h.id, lane: h.lane }, 'device connected');
    else log.warn({ device: h.id, lane: h.lane, state: h.state, detail: h.detail }, 'device not usable');
    ctx.bus.emit('device.health', h);
  };

  for (const lane of options.lanes) {
    const ld = new LaneDevices(lane, ctx.bus, now, options.toGate);
    lanes.set(lane.id, ld);
    const common = (id: string) => ({ id, lane: lane.id, now, onHealth, onWarning: (code: string, text: { zh: string; en: string }) => ld.warn(id, code, text), ...(options.timing ? { timing: options.timing } : {}) });

    for (const t of lane.thermometers) {
      calibrations.set(t.id, calibrationOf(t));
      const driver = build(() => drivers.thermometer(t, options));
      controls?.addThermometer(lane.id, t.id, driver);
      const sink = ld.thermometerSink(t, () => calibrations.get(t.id) ?? calibrationOf(t));
      supervisors.push(new Supervisor({ ...common(t.id), kind: 'thermometer', driverName: t.driver, driver, onData: sink }) as Supervisor<unknown>);
    }
    for (const s of lane.scanners) {
      const driver = build(() => drivers.scanner(s, options));
      const sink = ld.scannerSink(s.id, new ScanFilter({ maxLength: s.maxLength, dedupeWindowMs: s.dedupeWindowMs, now: () => ctx.clock.mono() }), s.direction);
      controls?.addScanner(lane.id, s.id, driver, (text: string, direction?: Direction) => sink({ bytes: text }, direction));
      supervisors.push(new Supervisor<ScanFrame>({ ...common(s.id), kind: 'scanner', driverName: s.driver, driver, onData: (f) => sink(f) }) as Supervisor<unknown>);
    }
    if (lane.gpio) {
      const gpio = lane.gpio;
      const driver = build(() => drivers.gpio(gpio, options));
      ld.attachGpio(driver as GpioDriver);
      controls?.addGpio(lane.id, ld.gpioId, driver);
      supervisors.push(
        new Supervisor<{ input: GpioInputName; active: boolean }>({
          ...common(ld.gpioId),
          kind: 'gpio',
          driverName: gpio.driver,
          driver,
          onData: (v) => ld.gpioInput(v.input, v.active),
          onHealth: (h) => {
            if (h.state !== 'connected') ld.resetInputs();
            onHealth(h);
          },
          onOpen: () => ld.outputs.safe(),
        }) as Supervisor<unknown>,
      );
    }
  }

  return {
    name: 'devices',
    async start() {
      running = true;
      await Promise.all(supervisors.map((s) => s.start()));
    },
    async stop() {
      running = false;
      for (const ld of lanes.values()) ld.outputs.safe();
      await Promise.all(supervisors.map((s) => s.stop()));
    },
    act(lane, actions) {
      if (!running) return;
      const ld = lanes.get(lane);
      if (!ld) log.warn({ lane }, 'gate actions for a lane without devices');
      else ld.outputs.apply(actions);
    },
    health: () => supervisors.map((s) => s.health()),
    calibration(deviceId) {
      const c = calibrations.get(deviceId);
      if (!c) throw new Error(`No thermometer "${deviceId}"; known: ${[...calibrations.keys()].join(', ') || 'none'}`);
      return { ...c };
    },
    calibrate(deviceId, patch) {
      const current = this.calibration(deviceId);
      const next: Calibration = { ...current, ...(patch.offset !== undefined ? { offset: patch.offset } : {}), ...(patch.ambientCompensation !== undefined ? { ambientCompensation: patch.ambientCompensation } : {}) };
      if (patch.ambientCelsius === null) delete next.ambientCelsius;
      else if (patch.ambientCelsius !== undefined) next.ambientCelsius = patch.ambientCelsius;
      validateCalibration(next);
      calibrations.set(deviceId, next);
      log.info({ device: deviceId, offset: next.offset, ambientCompensation: next.ambientCompensation, ambientCelsius: next.ambientCelsius }, 'thermometer calibration changed');
      return { ...next };
    },
    get mock() {
      return controls && !controls.empty ? controls : undefined;
    },
  };
}
