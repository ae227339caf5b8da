// A barcode/QR scanner on a serial port (USB-CDC or UART): scans end with a suffix or a silence.
import type { Transform } from 'node:stream';
import { DelimiterParser } from '../framing/delimiter.js';
import type { Frame } from '../framing/frame.js';
import { InterByteTimeoutParser } from '../framing/inter-byte.js';
import { closeReportedPort, openSerialPort, type Port, reportLoss, type SerialBinding, serialPresent } from '../serial/open.js';
import type { DriverEvents, ScanFrame, ScannerDriver } from '../types.js';

export interface SerialScannerOptions {
  path: string;
  baudRate: number;
  suffix: 'CR' | 'LF' | 'CRLF' | 'timeout';
  interByteTimeoutMs: number;
  maxLength: number;
  binding?: SerialBinding;
}

export function scanFramer(options: Pick<SerialScannerOptions, 'suffix' | 'interByteTimeoutMs' | 'maxLength'>): Transform {
  return options.suffix === 'timeout'
    ? new InterByteTimeoutParser({ intervalMs: options.interByteTimeoutMs, maxLength: options.maxLength })
    : new DelimiterParser({ ending: options.suffix, maxLength: options.maxLength });
}

export function createSerialScanner(options: SerialScannerOptions): ScannerDriver & { readonly port: Port | undefined } {
  let port: Port | undefined;
  let framer: Transform | undefined;
  return {
    get port() {
      return port;
    },
    present: () => serialPresent(options.path, options.binding),
    async open(events: DriverEvents<ScanFrame>) {
      port = await openSerialPort(options);
      framer = scanFramer(options);
      reportLoss(port, (reason) => events.lost(reason));
      port.pipe(framer).on('data', (f: Frame) => events.data(f.type === 'frame' ? { bytes: f.bytes } : { overflow: f.length }));
    },
    async close() {
      const p = port;
      port = undefined;
      framer?.destroy();
      framer = undefined;
      await closeReportedPort(p);
    },
  };
}
