// Where a gpiochip's lines start in the sysfs numbering: 0 on old kernels, 512+ since 6.6 (Pi 5: 571).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GpioChipInfo {
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export function listGpioChips(sysfsRoot = '/sys/class/gpio'): GpioChipInfo[] {
  let names: string[];
  try {
    names = readdirSync(sysfsRoot).filter((n) => n.startsWith('gpiochip'));
  } catch (err) {
    throw new Error(`No sysfs GPIO at ${sysfsRoot} (${(err as NodeJS.ErrnoException).code}): this kernel may lack CONFIG_GPIO_SYSFS; use the gpiod driver`);
  }
  const chips: GpioChipInfo[] = [];
  for (const name of names) {
    const read = (f: string): string => readFileSync(join(sysfsRoot, name, f), 'utf8').trim();
    try {
      chips.push({ name, label: read('label'), base: Number.parseInt(read('base'), 10), ngpio: Number.parseInt(read('ngpio'), 10) });
    } catch {
      // A chip directory without label/base is not usable for numbering; skip it.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

export function findChipBase(label: string, sysfsRoot = '/sys/class/gpio'): GpioChipInfo {
  const chips = listGpioChips(sysfsRoot);
  const chip = chips.find((c) => c.label === label);
  if (!chip) {
    throw new Error(`No gpiochip labelled "${label}" in ${sysfsRoot}; found: ${chips.map((c) => `${c.label} (base ${c.base})`).join(', ') || 'none'}. Set gpio.chipLabel (Pi 4: pinctrl-bcm2711, Pi 5: pinctrl-rp1)`);
  }
  return chip;
}

/** The sysfs number of a chip line, checked against the chip's size. */
export function sysfsNumber(chip: GpioChipInfo, line: number): number {
  if (line < 0 || line >= chip.ngpio) throw new Error(`GPIO line ${line} is not on ${chip.label} (${chip.ngpio} lines)`);
  return chip.base + line;
}
