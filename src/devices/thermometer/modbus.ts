// An industrial IR sensor polled over Modbus RTU (RS485): function 0x03, one signed register, always a timeout.
import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { SerialPortMock } from 'serialport';
import { type SerialBinding, serialPresent } from '../serial/open.js';
import type { DriverEvents, ThermometerDriver, ThermometerSample } from '../types.js';
import { round2, type TemperatureUnit } from './line-parser.js';

// modbus-serial is CommonJS whose typings declare a default export it does not have under NodeNext.
const ModbusClient = createRequire(import.meta.url)('modbus-serial') as new () => ModbusRTU;

export interface ModbusThermometerOptions {
  path: string;
  baudRate: number;
  slaveId: number;
  register: number;
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

export function createModbusThermometer(options: ModbusThermometerOptions): ThermometerDriver {
  let client: ModbusRTU | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  return {
    present: () => serialPresent(options.path, options.binding),
    async open(events: DriverEvents<ThermometerSample>) {
      stopped = false;
      const c = new ModbusClient();
      client = c;
      c.setTimeout(options.timeoutMs);
      c.setID(options.slaveId);
      try {
        await c.connectRTUBuffered(options.path, {
          baudRate: options.baudRate,
          ...(options.binding === 'mock' ? { binding: SerialPortMock.binding } : {}),
        } as Parameters<ModbusRTU['connectRTUBuffered']>[1]);
      } catch (err) {
        client = undefined;
        await new Promise<void>((r) => c.close(() => r()));
        throw new Error(`Cannot open Modbus thermometer on ${options.path}: ${(err as Error).message}`);
      }
      (c as unknown as NodeJS.EventEmitter).on('close', () => {
        if (!stopped) events.lost('port closed');
      });
      (c as unknown as NodeJS.EventEmitter).on('error', () => {});
      let misses = 0;
      let present = false;
      const poll = async (): Promise<void> => {
        if (stopped || client !== c) return;
        try {
          const res = await c.readHoldingRegisters(options.register, 1);
          misses = 0;
          const celsius = registerToCelsius(res.data[0] ?? 0, options.scale, options.unit);
          const nowPresent = celsius >= options.presenceCelsius;
          if (nowPresent && !present) events.data({ celsius });
          present = nowPresent;
        } catch (err) {
          misses++;
          if (misses >= (options.maxMisses ?? 3)) {
            events.lost(`no answer from Modbus slave ${options.slaveId} (${(err as Error).message})`, 'faulty');
            return;
          }
        }
        if (!stopped && client === c) timer = setTimeout(() => void poll(), options.pollMs);
      };
      timer = setTimeout(() => void poll(), 0);
    },
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      if (!c) return;
      await new Promise<void>((r) => {
        try {
          c.close(() => r());
        } catch {
          r();
        }
      });
    },
  };
}
