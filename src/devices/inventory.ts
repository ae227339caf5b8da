// What is plugged in: serial ports and input devices, read from /dev, /sys and /proc only — no udevadm
// (serialport's list() needs it and throws without it), so it works on a minimal image and in a mounted one.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type GpioChipInfo, listGpioChips } from './gpio/chip-base.js';

export interface SerialPortInfo {
  /** /dev/ttyUSB0 etc. */
  path: string;
  /** Stable names to put in the config (/dev/serial/by-id/…), when udev made them. */
  byId: string[];
  driver?: string;
  usb?: { vendorId?: string; productId?: string; manufacturer?: string; product?: string; serial?: string };
}

export interface InputDeviceInfo {
  name: string;
  /** /dev/input/eventN */
  path?: string;
  byId: string[];
  handlers: string[];
  /** Reports keys like a keyboard: a keyboard-wedge scanner looks like this (configure it with the "hid" driver). */
  keyboard: boolean;
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const list = (p: string): string[] => {
  try {
    return readdirSync(p).sort();
  } catch {
    return [];
  }
};
/** Where each symlink in a by-id folder points, by the target's base name. */
function links(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of list(dir)) {
    try {
      const target = basename(readlinkSync(join(dir, name)));
      out.set(target, [...(out.get(target) ?? []), join(dir, name)]);
    } catch {}
  }
  return out;
}

/** The USB device above a tty's sysfs device, found by its idVendor file. */
function usbInfo(deviceDir: string): SerialPortInfo['usb'] | undefined {
  let dir: string;
  try {
    dir = realpathSync(deviceDir);
  } catch {
    return undefined;
  }
  for (let i = 0; i < 6 && dir !== '/'; i++, dir = dirname(dir)) {
    const vendorId = read(join(dir, 'idVendor'));
    if (!vendorId) continue;
    const info: NonNullable<SerialPortInfo['usb']> = { vendorId };
    for (const [key, file] of [['productId', 'idProduct'], ['manufacturer', 'manufacturer'], ['product', 'product'], ['serial', 'serial']] as const) {
      const v = read(join(dir, file));
      if (v) info[key] = v;
    }
    return info;
  }
  return undefined;
}

export function listSerialPorts(root = '/'): SerialPortInfo[] {
  const byId = links(join(root, 'dev/serial/by-id'));
  const sysTty = join(root, 'sys/class/tty');
  const ports: SerialPortInfo[] = [];
  for (const name of list(sysTty)) {
    const dev = join(sysTty, name, 'device');
    if (!existsSync(dev)) continue;
    // Legacy 8250 UARTs exist whether or not a port is wired; type 0 means none is.
    if (/^ttyS\d+$/.test(name) && (read(join(sysTty, name, 'type')) ?? '0') === '0') continue;
    let driver: string | undefined;
    try {
      driver = basename(readlinkSync(join(dev, 'driver')));
    } catch {}
    const usb = usbInfo(dev);
    ports.push({ path: `/dev/${name}`, byId: byId.get(name) ?? [], ...(driver ? { driver } : {}), ...(usb ? { usb } : {}) });
  }
  // A by-id link whose tty is not in sysfs (a chroot, a container) is still worth showing.
  for (const [target, ids] of byId) if (!ports.some((p) => p.path === `/dev/${target}`)) ports.push({ path: `/dev/${target}`, byId: ids });
  return ports;
}

export function listInputDevices(root = '/'): InputDeviceInfo[] {
  const byId = links(join(root, 'dev/input/by-id'));
  const proc = read(join(root, 'proc/bus/input/devices'));
  if (proc !== undefined) {
    return proc
      .split(/\n\s*\n/)
      .filter((b) => b.trim())
      .map((block) => {
        const name = /^N: Name="(.*)"$/m.exec(block)?.[1] ?? '?';
        const handlers = (/^H: Handlers=(.*)$/m.exec(block)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
        const ev = Number.parseInt(/^B: EV=([0-9a-f]+)$/m.exec(block)?.[1] ?? '0', 16);
        const event = handlers.find((h) => /^event\d+$/.test(h));
        // EV_KEY (bit 1) and EV_REP (bit 20) with the kbd handler: something that types.
        const keyboard = handlers.includes('kbd') && (ev & 0x2) !== 0 && (ev & 0x100000) !== 0;
        return { name, ...(event ? { path: `/dev/input/${event}` } : {}), byId: event ? (byId.get(event) ?? []) : [], handlers, keyboard };
      });
  }
  // Without /proc (a mounted image), sysfs still names the event devices.
  const sysInput = join(root, 'sys/class/input');
  return list(sysInput)
    .filter((n) => /^event\d+$/.test(n))
    .map((n) => ({ name: read(join(sysInput, n, 'device/name')) ?? '?', path: `/dev/input/${n}`, byId: byId.get(n) ?? [], handlers: [n], keyboard: (byId.get(n) ?? []).some((l) => l.endsWith('-event-kbd')) }));
}

/** GPIO chips with the label to put in gpio.chipLabel; sysfs when the kernel has it, else the /dev nodes. */
export function listGpioChipsAt(root = '/'): { sysfs: GpioChipInfo[]; dev: string[] } {
  let sysfs: GpioChipInfo[] = [];
  try {
    sysfs = listGpioChips(join(root, 'sys/class/gpio'));
  } catch {}
  return { sysfs, dev: list(join(root, 'dev')).filter((n) => /^gpiochip\d+$/.test(n)).map((n) => `/dev/${n}`) };
}
