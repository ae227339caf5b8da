// `gate devices` on a machine tree built like a Pi's (no udevadm anywhere), and on this machine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/commands/devices.js';
import { listInputDevices, listSerialPorts } from '../../src/devices/inventory.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/devices/inventory/proc-bus-input-devices.txt');

function file(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), `${text}\n`);
}
function link(root: string, path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
}

/** A Pi with a CH340 USB-serial thermometer, a USB-CDC scanner, an unwired UART and a keyboard-wedge scanner. */
function machine(root: string): void {
  const usb = 'sys/devices/platform/usb1/1-1';
  file(root, `${usb}/1-1.2/idVendor`, '1a86');
  file(root, `${usb}/1-1.2/idProduct`, '7523');
  file(root, `${usb}/1-1.2/product`, 'USB Serial');
  file(root, `${usb}/1-1.2/1-1.2:1.0/ttyUSB0/port_number`, '0');
  mkdirSync(join(root, 'sys/bus/usb-serial/drivers/ch341-uart'), { recursive: true });
  link(root, `${usb}/1-1.2/1-1.2:1.0/ttyUSB0/driver`, join(root, 'sys/bus/usb-serial/drivers/ch341-uart'));
  link(root, 'sys/class/tty/ttyUSB0/device', join(root, `${usb}/1-1.2/1-1.2:1.0/ttyUSB0`));
  file(root, `${usb}/1-1.3/idVendor`, '0483');
  file(root, `${usb}/1-1.3/idProduct`, '5740');
  file(root, `${usb}/1-1.3/manufacturer`, 'Newland');
  file(root, `${usb}/1-1.3/serial`, 'NLS0042');
  mkdirSync(join(root, `${usb}/1-1.3/1-1.3:1.0`), { recursive: true });
  link(root, 'sys/class/tty/ttyACM0/device', join(root, `${usb}/1-1.3/1-1.3:1.0`));
  mkdirSync(join(root, 'sys/devices/platform/serial8250'), { recursive: true });
  link(root, 'sys/class/tty/ttyS1/device', join(root, 'sys/devices/platform/serial8250'));
  file(root, 'sys/class/tty/ttyS1/type', '0');
  mkdirSync(join(root, 'sys/class/tty/tty1'), { recursive: true });
  link(root, 'dev/serial/by-id/usb-1a86_USB_Serial-if00-port0', '../../ttyUSB0');
  link(root, 'dev/serial/by-id/usb-Newland_NLS0042-if00', '../../ttyACM0');
  file(root, 'proc/bus/input/devices', readFileSync(FIXTURE, 'utf8'));
  link(root, 'dev/input/by-id/usb-Newland_Auto-ID_NLS-FR40-event-kbd', '../event3');
  link(root, 'sys/class/gpio', join(import.meta.dirname, '../fixtures/devices/gpio/pi5-kernel-6.6'));
}

describe('device inventory without udevadm', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gate-inventory-'));
    machine(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists USB serial ports with their by-id paths, driver and USB ids; skips unwired UARTs and consoles', () => {
    expect(listSerialPorts(root)).toEqual([
      { path: '/dev/ttyACM0', byId: [join(root, 'dev/serial/by-id/usb-Newland_NLS0042-if00')], usb: { vendorId: '0483', productId: '5740', manufacturer: 'Newland', serial: 'NLS0042' } },
      { path: '/dev/ttyUSB0', byId: [join(root, 'dev/serial/by-id/usb-1a86_USB_Serial-if00-port0')], driver: 'ch341-uart', usb: { vendorId: '1a86', productId: '7523', product: 'USB Serial' } },
    ]);
  });

  it('lists input devices from /proc and flags the keyboard-wedge scanner, not the power button or mouse', () => {
    const input = listInputDevices(root);
    expect(input.map((d) => [d.name, d.path, d.keyboard])).toEqual([
      ['Power Button', '/dev/input/event0', false],
      ['Newland Auto-ID NLS-FR40 Scanner', '/dev/input/event3', true],
      ['USB Optical Mouse', '/dev/input/event4', false],
    ]);
    expect(input[1]?.byId).toEqual([join(root, 'dev/input/by-id/usb-Newland_Auto-ID_NLS-FR40-event-kbd')]);
  });

  it('falls back to /sys/class/input when /proc is not there', () => {
    const bare = mkdtempSync(join(tmpdir(), 'gate-inventory-sys-'));
    try {
      file(bare, 'sys/class/input/event2/device/name', 'HID 0581:0115');
      mkdirSync(join(bare, 'sys/class/input/mouse0'), { recursive: true });
      expect(listInputDevices(bare)).toEqual([{ name: 'HID 0581:0115', path: '/dev/input/event2', byId: [], handlers: ['event2'], keyboard: false }]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('`gate devices` prints the paths to configure, as text and as JSON', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const program = new Command('gate').exitOverride();
      register(program);
      await program.parseAsync(['devices', '--root', root], { from: 'user' });
      const text = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toContain('Serial ports (2):');
      expect(text).toMatch(/usb-1a86_USB_Serial-if00-port0 → \/dev\/ttyUSB0 \[ch341-uart\] USB 1a86:7523 USB Serial/);
      expect(text).toContain('GPIO chips (5):');
      expect(text).toContain('gpiochip571  label "pinctrl-rp1"  sysfs base 571, 54 lines');
      expect(text).toMatch(/usb-Newland_Auto-ID_NLS-FR40-event-kbd → \/dev\/input\/event3 {2}"Newland Auto-ID NLS-FR40 Scanner" {2}keyboard: a keyboard-wedge scanner\? use driver "hid"/);
      log.mockClear();
      await program.parseAsync(['devices', '--json', '--root', root], { from: 'user' });
      const json = JSON.parse(String(log.mock.calls[0]?.[0])) as { serial: unknown[]; input: unknown[]; gpio: { sysfs: unknown[] } };
      expect([json.serial.length, json.input.length, json.gpio.sysfs.length]).toEqual([2, 3, 5]);
    } finally {
      log.mockRestore();
    }
  });

  it('runs on this machine (no udevadm here) without throwing', () => {
    expect(Array.isArray(listSerialPorts('/'))).toBe(true);
    expect(Array.isArray(listInputDevices('/'))).toBe(true);
  });
});
