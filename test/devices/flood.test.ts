// Garbage from a device never crashes or wedges the daemon, and does not flood the bus with warnings.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';
import { WarningThrottle } from '../../src/devices/warning-throttle.js';
import { harness } from './helpers.js';
import { until } from './rigs.js';

describe('a device spewing garbage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-flood-'));
  const devs: PtyDevice[] = [];
  afterAll(async () => {
    await Promise.all(devs.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('256 KiB of random bytes into a thermometer and a scanner: both stay connected, warnings are held back, the next good frame counts', async () => {
    const thermo = await startPtyDevice({ kind: 'line-thermometer', dir, name: 'thermo' });
    const scanner = await startPtyDevice({ kind: 'scanner', dir, name: 'scanner' });
    devs.push(thermo, scanner);
    const h = harness([
      {
        id: 'main',
        thermometers: [{ id: 'thermo-1', driver: 'serial-line', path: thermo.path, preset: 't-equals' }],
        scanners: [{ id: 'scanner-1', driver: 'serial', path: scanner.path, dedupeWindowMs: 0 }],
      },
    ]);
    try {
      await h.devices.start();
      await until('both connected', () => h.devices.health().every((d) => d.state === 'connected'));
      const noise = randomBytes(256 * 1024);
      for (let off = 0; off < noise.length; off += 16 * 1024) {
        await thermo.sendRaw(noise.subarray(off, off + 16 * 1024));
        await scanner.sendRaw(noise.subarray(off, off + 16 * 1024));
      }
      // Past any half-line the noise left, then one good frame each.
      await thermo.sendRaw('\r\n');
      await scanner.sendRaw('\r');
      await thermo.sendTemperature(36.6);
      await scanner.sendScan('GP1.after-the-flood');
      const got = () => h.of('device.input').map((i) => (i.type === 'scan' ? i.text : i.type === 'temperature' ? i.celsius : i.type));
      await until('the good reading and scan', () => got().includes(36.6) && got().includes('GP1.after-the-flood'), 10_000);
      // Short runs of printable noise between two CRs are scans as far as any scanner knows (the gate refuses
      // them as unknown codes); nothing with a control character gets through.
      for (const i of h.of('device.input')) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: none may pass
        if (i.type === 'scan') expect(i.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        if (i.type === 'temperature') expect(i.celsius).toBeGreaterThanOrEqual(30);
      }
      expect(h.devices.health().map((d) => d.state)).toEqual(['connected', 'connected']);
      // About a thousand garbage frames went by in well under the window: a handful of warnings at most.
      const warnings = h.of('device.warning');
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings.length).toBeLessThanOrEqual(12);
    } finally {
      await h.devices.stop();
    }
  });
});

describe('WarningThrottle', () => {
  it('passes one noise warning per device and code per second, then says how many were held back', () => {
    let t = 0;
    const th = new WarningThrottle(() => t);
    const text = { zh: '乱码', en: 'garbage' };
    expect(th.pass('a', 'thermo.garbage', text)).toEqual(text);
    expect(th.pass('a', 'thermo.garbage', text)).toBeUndefined();
    expect(th.pass('a', 'thermo.garbage', text)).toBeUndefined();
    expect(th.pass('b', 'thermo.garbage', text)).toEqual(text);
    expect(th.pass('a', 'thermo.unparsable', text)).toEqual(text);
    expect(th.pass('a', 'thermo.implausible', text)).toEqual(text);
    expect(th.pass('a', 'thermo.implausible', text)).toEqual(text);
    t = 1000;
    expect(th.pass('a', 'thermo.garbage', text)).toEqual({ zh: '乱码（另有 2 条同类提示已合并）', en: 'garbage (2 more like this held back)' });
    t = 2500;
    expect(th.pass('a', 'thermo.garbage', text)).toEqual(text);
  });
});
