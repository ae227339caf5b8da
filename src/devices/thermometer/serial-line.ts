// A thermometer that sends one ASCII line per measurement over a serial port.
import { DelimiterParser, type LineEnding } from '../framing/delimiter.js';
import type { Frame } from '../framing/frame.js';
import { closeReportedPort, openSerialPort, type Port, reportLoss, type SerialBinding, serialPresent } from '../serial/open.js';
import type { DriverEvents, ThermometerDriver, ThermometerSample } from '../types.js';
import { type LineProtocol, parseThermometerLine } from './line-parser.js';

export interface SerialLineThermometerOptions {
  path: string;
  baudRate: number;
  framing: LineEnding;
  maxLineLength: number;
  protocol: LineProtocol;
  binding?: SerialBinding;
}

export function createSerialLineThermometer(options: SerialLineThermometerOptions): ThermometerDriver & { readonly port: Port | undefined } {
  let port: Port | undefined;
  return {
    get port() {
      return port;
    },
    present: () => serialPresent(options.path, options.binding),
    async open(events: DriverEvents<ThermometerSample>) {
      port = await openSerialPort(options);
      const parser = new DelimiterParser({ ending: options.framing, maxLength: options.maxLineLength });
      const opened = port;
      reportLoss(opened, (reason) => events.lost(reason));
      opened.pipe(parser).on('data', (f: Frame) => {
        if (f.type === 'overflow') {
          events.warning('thermo.garbage', { zh: `体温计发来过长的数据（${f.length} 字节），已忽略`, en: `Thermometer sent an over-long line (${f.length} bytes); ignored` });
          return;
        }
        const parsed = parseThermometerLine(f.bytes, options.protocol);
        if (parsed.ok) events.data(parsed.ambient === undefined ? { celsius: parsed.celsius } : { celsius: parsed.celsius, ambient: parsed.ambient });
        else events.warning(parsed.code, parsed.text);
      });
    },
    async close() {
      const p = port;
      port = undefined;
      await closeReportedPort(p);
    },
  };
}
