// GPIO line numbering against captured /sys/class/gpio trees of a Pi 4 and a Pi 5 (test/fixtures/devices/gpio/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChipBase, listGpioChips, sysfsNumber } from '../../src/devices/gpio/chip-base.js';
import { chipFromDetect } from '../../src/devices/gpio/gpiod.js';
import type { OnoffGpio, OnoffGpioCtor } from '../../src/devices/gpio/onoff.js';
import { harness } from './helpers.js';

const TREES = join(import.meta.dirname, '../fixtures/devices/gpio');
const tree = (name: string) => join(TREES, name);

describe('gpiochip base from sysfs', () => {
  it.each([
    ['pi4-kernel-6.1', 'pinctrl-bcm2711', 0, 58, 17],
    ['pi4-kernel-6.6', 'pinctrl-bcm2711', 512, 58, 529],
    ['pi5-kernel-6.1', 'pinctrl-rp1', 399, 54, 416],
    ['pi5-kernel-6.6', 'pinctrl-rp1', 571, 54, 588],
  ])('%s: %s starts at %i (%i lines); BCM 17 is sysfs %i', (name, label, base, ngpio, gpio17) => {
    const chip = findChipBase(label, tree(name));
    expect(chip).toMatchObject({ label, base, ngpio });
    expect(sysfsNumber(chip, 17)).toBe(gpio17);
  });

  it('lists every chip of a Pi 5 in base order', () => {
    expect(listGpioChips(tree('pi5-kernel-6.6')).map((c) => `${c.base}:${c.label}`)).toEqual([
      '512:gpio-brcmstb@107d508500',
      '544:gpio-brcmstb@107d508500',
      '548:gpio-brcmstb@107d517c00',
      '565:gpio-brcmstb@107d517c20',
      '571:pinctrl-rp1',
    ]);
  });

  it('says what it found when the label is wrong (a Pi 4 config on a Pi 5)', () => {
    expect(() => findChipBase('pinctrl-bcm2711', tree('pi5-kernel-6.6'))).toThrow(/No gpiochip labelled "pinctrl-bcm2711".*pinctrl-rp1 \(base 571\).*Pi 5: pinctrl-rp1/);
  });

  it('refuses a line that is not on the chip, and a machine without sysfs GPIO', () => {
    expect(() => sysfsNumber(findChipBase('pinctrl-rp1', tree('pi5-kernel-6.6')), 54)).toThrow(/GPIO line 54 is not on pinctrl-rp1 \(54 lines\)/);
    expect(() => listGpioChips(join(TREES, 'no-such-dir'))).toThrow(/No sysfs GPIO at .*ENOENT.*gpiod driver/);
  });

  it('finds the chip in gpiodetect output for the gpiod driver', () => {
    expect(chipFromDetect(readFileSync(tree('pi5-gpiodetect.txt'), 'utf8'), 'pinctrl-rp1')).toBe('gpiochip4');
    expect(chipFromDetect(readFileSync(tree('pi4-gpiodetect.txt'), 'utf8'), 'pinctrl-bcm2711')).toBe('gpiochip0');
    expect(chipFromDetect(readFileSync(tree('pi4-gpiodetect.txt'), 'utf8'), 'pinctrl-rp1')).toBeUndefined();
  });
});

describe('onoff driver numbering on captured trees', () => {
  /** Records what onoff would be asked to export, with levels as sysfs would hold them. */
  function fakeOnoff() {
    const made: { gpio: number; direction: string; edge?: string }[] = [];
    const values = new Map<number, 0 | 1>();
    const Gpio = class implements OnoffGpio {
      constructor(
        private readonly gpio: number,
        direction: 'in' | 'out' | 'high' | 'low',
        edge?: 'none' | 'rising' | 'falling' | 'both',
      ) {
        made.push({ gpio, direction, ...(edge ? { edge } : {}) });
        values.set(gpio, direction === 'high' ? 1 : direction === 'in' ? 1 : 0);
      }
      writeSync(v: 0 | 1) {
        values.set(this.gpio, v);
      }
      readSync() {
        return values.get(this.gpio) ?? 0;
      }
      watch() {}
      unwatchAll() {}
      unexport() {}
    } as OnoffGpioCtor;
    return { Gpio, made, values };
  }

  it.each([
    ['pi4-kernel-6.6', 'pinctrl-bcm2711', 512],
    ['pi5-kernel-6.6', 'pinctrl-rp1', 571],
  ])('%s: relay, lamps and exit button on %s lines from base %i, outputs safe at open', async (name, chipLabel, base) => {
    const { Gpio, made, values } = fakeOnoff();
    const h = harness([{ id: 'main', gpio: { driver: 'onoff', chipLabel, sysfsRoot: tree(name), relay: { line: 17, activeLow: true }, lampGreen: { line: 27 }, exitButton: { line: 25, activeLow: true } } }], { onoff: Gpio });
    await h.devices.start();
    expect(h.devices.health()[0]?.state).toBe('connected');
    expect(made).toEqual([
      { gpio: base + 17, direction: 'high' },
      { gpio: base + 27, direction: 'low' },
      { gpio: base + 25, direction: 'in', edge: 'both' },
    ]);
    // Active-low relay: locked (off) is a high pin.
    expect(values.get(base + 17)).toBe(1);
    h.devices.act('main', [{ kind: 'relay', lane: 'main', pulseMs: 50 }]);
    expect(values.get(base + 17)).toBe(0);
    await h.devices.stop();
    expect(values.get(base + 17)).toBe(1);
  });

  it('a Pi 4 config on a Pi 5 is a faulty device with the reason, and the daemon carries on', async () => {
    const { Gpio } = fakeOnoff();
    const h = harness([{ id: 'main', gpio: { driver: 'onoff', sysfsRoot: tree('pi5-kernel-6.6'), relay: { line: 17 } } }], { onoff: Gpio, timing: { watchMs: 60_000, backoffMinMs: 60_000, backoffMaxMs: 60_000 } });
    await h.devices.start();
    expect(h.devices.health()[0]).toMatchObject({ state: 'faulty', detail: expect.stringMatching(/pinctrl-rp1 \(base 571\)/) });
    await h.devices.stop();
  });
});
