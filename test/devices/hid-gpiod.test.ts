// The drivers that run helper programs: the HID scanner's grab helper and the libgpiod tools. Stand-ins
// replay recorded bytes and output (test/fixtures/devices/tools/); the real python3 helper is run too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeEventSize } from '../../src/devices/scanner/hid-decode.js';
import { harness } from './helpers.js';
import { until } from './rigs.js';

const FIX = join(import.meta.dirname, '../fixtures/devices');
const TOOLS = join(FIX, 'tools');
// The kernel's struct input_event is 24 bytes on 64-bit and 16 on 32-bit (armhf Raspberry Pi OS).
const RECORDED = join(FIX, `hid/scans-${nativeEventSize() === 24 ? 64 : 32}bit.bin`);
const SLOW_RETRY = { watchMs: 60_000, backoffMinMs: 60_000, backoffMaxMs: 60_000 };

describe('USB-HID keyboard-wedge scanner', () => {
  it('turns grabbed key events into scans and refuses a Ctrl combination', async () => {
    const h = harness([{ id: 'main', scanners: [{ id: 'hid-1', driver: 'hid', path: RECORDED, grabCommand: join(TOOLS, 'fake-grab.sh'), dedupeWindowMs: 0 }] }], { timing: SLOW_RETRY });
    try {
      await h.devices.start();
      expect(h.devices.health()[0]?.state).toBe('connected');
      await until('two scans', () => h.of('device.input').length === 2);
      expect(h.of('device.input').map((i) => (i.type === 'scan' ? i.text : i.type))).toEqual(['GP1.ab-9', 'a']);
      expect(h.of('device.warning').map((w) => w.code)).toEqual(['scan.control-chars']);
    } finally {
      await h.devices.stop();
    }
  });

  it('with the real python3 helper, a node that cannot be grabbed is a faulty scanner saying why', async () => {
    const h = harness([{ id: 'main', scanners: [{ id: 'hid-1', driver: 'hid', path: RECORDED }] }], { timing: SLOW_RETRY });
    try {
      await h.devices.start();
      expect(h.devices.health()[0]).toMatchObject({ state: 'faulty', detail: expect.stringMatching(/Exclusive grab \(EVIOCGRAB\) of .*scans-\d\dbit\.bin failed: Inappropriate ioctl/) });
    } finally {
      await h.devices.stop();
    }
  });

  it('a missing event device is disconnected, not faulty', async () => {
    const h = harness([{ id: 'main', scanners: [{ id: 'hid-1', driver: 'hid', path: '/dev/input/by-id/usb-none-event-kbd' }] }], { timing: SLOW_RETRY });
    try {
      await h.devices.start();
      expect(h.devices.health()[0]).toMatchObject({ state: 'disconnected', detail: 'device node not present' });
    } finally {
      await h.devices.stop();
    }
  });
});

describe('libgpiod driver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-gpiod-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tools = { gpiodetect: join(TOOLS, 'gpiodetect'), gpioget: join(TOOLS, 'gpioget'), gpioset: join(TOOLS, 'gpioset'), gpiomon: join(TOOLS, 'gpiomon') };

  it('finds pinctrl-rp1 on a Pi 5, holds outputs safe, pulses the relay, reports the exit button, and leaves lines safe', async () => {
    const log = join(dir, 'gpiod.log');
    process.env.GPIOD_LOG = log;
    const h = harness(
      [{ id: 'main', gpio: { driver: 'gpiod', chipLabel: 'pinctrl-rp1', relay: { line: 17, activeLow: true }, buzzer: { line: 23 }, exitButton: { line: 25, activeLow: true, debounceMs: 0 } } }],
      { gpiodTools: tools, timing: SLOW_RETRY },
    );
    try {
      await h.devices.start();
      expect(h.devices.health()[0]?.state).toBe('connected');
      h.devices.act('main', [{ kind: 'relay', lane: 'main', pulseMs: 50 }]);
      await new Promise((r) => setTimeout(r, 100));
      await until('the button pressed and released', () => h.of('device.signal').filter((s) => s.signal === 'exit-button').length >= 3, 3000);
      expect(h.of('device.signal').map((s) => s.active)).toEqual([false, true, false]);
      expect(h.of('device.warning').map((w) => w.code)).toEqual(['gpio.read']);
    } finally {
      await h.devices.stop();
      delete process.env.GPIOD_LOG;
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toContain('gpioset -c gpiochip4 -i 17=1 23=0');
    expect(lines).toContain('gpioget -c gpiochip4 --numeric 25');
    expect(lines).toContain('gpiomon -c gpiochip4 -e both --format %o %E 25');
    // Safe at open (active-low relay off = pin high), on = low for the pulse, off again after it.
    expect(lines.filter((l) => l.startsWith('set 17=')).slice(0, 3)).toEqual(['set 17=1', 'set 17=0', 'set 17=1']);
    expect(lines.slice(-2)).toEqual(['set 17=1 23=0', 'exit']);
  });

  it('without the gpiod tools, the GPIO is faulty with an install hint', async () => {
    const h = harness([{ id: 'main', gpio: { driver: 'gpiod', relay: { line: 17 } } }], { gpiodTools: { gpiodetect: join(dir, 'no-such-gpiodetect') }, timing: SLOW_RETRY });
    try {
      await h.devices.start();
      expect(h.devices.health()[0]).toMatchObject({ state: 'faulty', detail: expect.stringMatching(/Install Debian's "gpiod" package/) });
    } finally {
      await h.devices.stop();
    }
  });
});
