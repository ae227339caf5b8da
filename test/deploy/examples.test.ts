// The hardware configuration examples load with the real schema (`gate check-config`), and every
// /dev/gate-* name they use is one the udev rules create.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const REPO = join(import.meta.dirname, '../..');
const DIR = join(REPO, 'config/examples');
const examples = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const rules = readFileSync(join(REPO, 'systemd/udev/99-checkpoint-gate.rules'), 'utf8');
const udevNames = rules
  .split('\n')
  .filter((l) => !l.startsWith('#'))
  .flatMap((l) => [...l.matchAll(/SYMLINK\+="([^"$%]+)/g)].map((m) => `/dev/${m[1]}`));

describe('config/examples', () => {
  it('has the presets the field needs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const all = examples.map((f) => readFileSync(join(DIR, f), 'utf8')).join('\n');
    for (const driver of ['driver: hid', 'driver: serial-line', 'driver: modbus', 'driver: onoff', 'driver: gpiod']) expect(all).toContain(driver);
  });

  it.each(examples)('%s is a valid configuration with real devices (no mocks, no simulation)', (f) => {
    const c = loadConfig(join(DIR, f), {});
    expect(c.simulation).toBe(false);
    expect(c.lanes.length).toBeGreaterThan(0);
    for (const lane of c.lanes) {
      for (const d of [...lane.thermometers, ...lane.scanners]) expect(d.driver).not.toBe('mock');
      if (lane.gpio) expect(lane.gpio.driver).not.toBe('mock');
      if (lane.voice) expect(lane.voice.driver).not.toBe('mock');
    }
  });

  it.each(examples)('%s uses only /dev/gate-* names the udev rules create', (f) => {
    const used = [...readFileSync(join(DIR, f), 'utf8').matchAll(/\/dev\/(?:input\/)?gate-[a-z-]+/g)].map((m) => m[0]);
    for (const name of used) {
      const known = udevNames.some((n) => n === name || (n.endsWith('-') && name.startsWith(n)));
      expect(known, `${name} (udev creates: ${udevNames.join(', ')})`).toBe(true);
    }
  });
});
