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

export function serialPresent(path: string, binding?: SerialBinding): boolean {
  if (binding === 'mock') return SerialPortMock.binding !== undefined;
  return existsSync(path);
}
