// GPIO over sysfs with onoff, numbering lines from the chip's base so it works on kernels ≥ 6.6.
import { existsSync } from 'node:fs';
import type { GpioConfig } from '../config.js';
import type { DriverEvents, GpioDriver, GpioInputName, GpioOutputName } from '../types.js';
import { findChipBase, sysfsNumber } from './chip-base.js';
import { configuredInputs, configuredOutputs, level } from './lines.js';

/** The part of onoff's Gpio we use; injectable so tests run without /sys/class/gpio. */
export interface OnoffGpio {
  writeSync(value: 0 | 1): void;
  readSync(): 0 | 1;
  watch(cb: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}
export type OnoffGpioCtor = new (gpio: number, direction: 'in' | 'out' | 'high' | 'low', edge?: 'none' | 'rising' | 'falling' | 'both') => OnoffGpio;

export async function loadOnoff(): Promise<OnoffGpioCtor> {
  const mod = (await import('onoff')) as unknown as { Gpio: OnoffGpioCtor & { accessible: boolean } };
  if (!mod.Gpio.accessible) throw new Error('sysfs GPIO is not accessible on this machine (no /sys/class/gpio or no permission: add the user to group "gpio"); use the gpiod driver');
  return mod.Gpio;
}

export function createOnoffGpio(options: { config: GpioConfig; Gpio?: OnoffGpioCtor }): GpioDriver {
  const cfg = options.config;
  const outs = new Map<GpioOutputName, { gpio: OnoffGpio; activeLow: boolean }>();
  const ins = new Map<GpioInputName, OnoffGpio>();
  return {
    present: () => existsSync(cfg.sysfsRoot),
    async open(events: DriverEvents<{ input: GpioInputName; active: boolean }>) {
      const chip = findChipBase(cfg.chipLabel, cfg.sysfsRoot);
      const Gpio = options.Gpio ?? (await loadOnoff());
      try {
        for (const [name, line] of configuredOutputs(cfg)) {
          // 'high'/'low' set the direction and the initial level in one write: no glitch on the relay.
          outs.set(name, { gpio: new Gpio(sysfsNumber(chip, line.line), line.activeLow ? 'high' : 'low'), activeLow: line.activeLow });
        }
        for (const [name, line] of configuredInputs(cfg)) {
          const g = new Gpio(sysfsNumber(chip, line.line), 'in', 'both');
          ins.set(name, g);
          events.data({ input: name, active: g.readSync() === level(true, line.activeLow) });
          g.watch((err, value) => {
            if (err) events.warning('gpio.read', { zh: `GPIO 读取出错：${err.message}`, en: `GPIO read error: ${err.message}` });
            else events.data({ input: name, active: value === level(true, line.activeLow) });
          });
        }
      } catch (err) {
        release();
        throw new Error(`Cannot set up GPIO on ${chip.label} (base ${chip.base}): ${(err as Error).message}`);
      }
    },
    write(output, on) {
      const o = outs.get(output);
      o?.gpio.writeSync(level(on, o.activeLow));
    },
    async close() {
      release();
    },
  };

  function release(): void {
    for (const o of outs.values()) {
      try {
        o.gpio.writeSync(level(false, o.activeLow));
        o.gpio.unexport();
      } catch {
        // Best effort on the way out: the line may already be gone.
      }
    }
    for (const g of ins.values()) {
      try {
        g.unwatchAll();
        g.unexport();
      } catch {
        // Same.
      }
    }
    outs.clear();
    ins.clear();
  }
}
