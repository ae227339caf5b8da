// Opening a serial port with the binding chosen by the caller (real, or serialport's mock binding in tests).
import { existsSync } from 'node:fs';
import { SerialPort, SerialPortMock } from 'serialport';

export type SerialBinding = 'native' | 'mock';
export type Port = SerialPort | SerialPortMock;

export async function openSerialPort(options: { path: string; baudRate: number; binding?: SerialBinding }): Promise<Port> {
  const Ctor = options.binding === 'mock' ? SerialPortMock : SerialPort;
  const port = new Ctor({ path: options.path, baudRate: options.baudRate, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new Error(`Cannot open serial port ${options.path}: ${err.message}. Check the cable and that the path (best /dev/serial/by-id/…) exists and is readable by the daemon's user (group dialout)`)) : resolve())),
  );
  return port;
}

export async function closeSerialPort(port: Port | undefined): Promise<void> {
  if (!port) return;
  port.removeAllListeners('data');
  if (!port.isOpen) {
    port.destroy();
    return;
  }
  await new Promise<void>((resolve) => port.close(() => resolve()));
  port.destroy();
}

/** Reports the port's loss to the driver: a serial error, or the port closing (an unplug). */
export function reportLoss(port: Port, lost: (reason: string) => void): void {
  port.on('error', (err: Error) => lost(`serial error: ${err.message}`));
  port.on('close', () => lost('port closed'));
}

/** Our own close: the loss is no longer reported, the parser unpiped, the port closed and destroyed. */
export async function closeReportedPort(port: Port | undefined): Promise<void> {
  if (!port) return;
  port.removeAllListeners('close');
  port.removeAllListeners('error');
  port.on('error', () => {});
  port.unpipe();
  await closeSerialPort(port);
}

export function serialPresent(path: string, binding?: SerialBinding): boolean {
  if (binding === 'mock') return SerialPortMock.binding !== undefined;
  return existsSync(path);
}
