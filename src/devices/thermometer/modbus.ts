// An industrial IR sensor polled over Modbus RTU (RS485): function 0x03 or 0x04, one signed register,
// always a timeout. Our own master on the same serial code as the other drivers (one fd, closed on loss).
import { closeSerialPort, openSerialPort, type Port, reportLoss, type SerialBinding, serialPresent } from '../serial/open.js';
import type { DriverEvents, ThermometerDriver, ThermometerSample } from '../types.js';
import { round2, type TemperatureUnit } from './line-parser.js';
import { encodeReadRequest, type ModbusResult, type ReadFunction, type ReadRequest, ResponseReader } from './modbus-rtu.js';

export interface ModbusThermometerOptions {
  path: string;
  baudRate: number;
  slaveId: number;
  register: number;
  fn?: ReadFunction;
  scale: number;
  unit?: TemperatureUnit;
  pollMs: number;
  timeoutMs: number;
  /** Samples below this are the background (nobody in front of the sensor) and are not reported. */
  presenceCelsius: number;
  binding?: SerialBinding;
  /** Missed answers in a row before the sensor is declared faulty. */
  maxMisses?: number;
}

export function registerToCelsius(raw: number, scale: number, unit: TemperatureUnit = 'C'): number {
  const signed = raw > 0x7fff ? raw - 0x10000 : raw;
  const v = signed * scale;
  return round2(unit === 'F' ? ((v - 32) * 5) / 9 : v);
}

/** One request on the port, answered or timed out; `cancel` ends the wait at once (on close). */
function transact(port: Port, request: ReadRequest, timeoutMs: number, onCancel: (cancel: () => void) => void): Promise<ModbusResult> {
  return new Promise((resolve) => {
    const reader = new ResponseReader(request);
    const done = (r: ModbusResult): void => {
      clearTimeout(timer);
      port.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      const r = reader.push(chunk);
      if (r) done(r);
    };
    const timer = setTimeout(() => done(reader.end()), timeoutMs);
    onCancel(() => done(reader.end()));
    port.on('data', onData);
    port.write(encodeReadRequest(request));
  });
}

export function createModbusThermometer(options: ModbusThermometerOptions): ThermometerDriver {
  const request: ReadRequest = { slaveId: options.slaveId, fn: options.fn ?? 0x03, address: options.register, count: 1 };
  encodeReadRequest(request);
  let port: Port | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let cancel: (() => void) | undefined;
  return {
    present: () => serialPresent(options.path, options.binding),
    async open(events: DriverEvents<ThermometerSample>) {
      const p = await openSerialPort(options).catch((err: Error) => {
        throw new Error(`Modbus thermometer: ${err.message}`);
      });
      // Connected means answering: a sensor that is powered off or on the wrong id stays faulty, it does not flap.
      const first = await transact(p, request, options.timeoutMs, () => {});
      if (!first.ok) {
        await closeSerialPort(p);
        throw new Error(`${first.text.en} (slave ${options.slaveId} on ${options.path})`);
      }
      port = p;
      reportLoss(p, (reason) => events.lost(reason));
      let misses = 0;
      let present = false;
      const poll = async (): Promise<void> => {
        if (port !== p) return;
        const r = await transact(p, request, options.timeoutMs, (c) => {
          cancel = c;
        });
        cancel = undefined;
        if (port !== p) return;
        if (r.ok) {
          misses = 0;
          const celsius = registerToCelsius(r.registers[0] ?? 0, options.scale, options.unit);
          const nowPresent = celsius >= options.presenceCelsius;
          if (nowPresent && !present) events.data({ celsius });
          present = nowPresent;
        } else {
          misses++;
          if (r.code !== 'modbus.timeout') events.warning(r.code, r.text);
          if (misses >= (options.maxMisses ?? 3)) {
            events.lost(`${r.text.en} (slave ${options.slaveId}, ${misses} times in a row)`, 'faulty');
            return;
          }
        }
        timer = setTimeout(() => {
          running = poll();
        }, options.pollMs);
      };
      running = poll();
    },
    async close() {
      const p = port;
      port = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!p) return;
      p.removeAllListeners('close');
      p.removeAllListeners('error');
      p.on('error', () => {});
      cancel?.();
      await closeSerialPort(p);
      await running;
      running = undefined;
    },
  };
}
