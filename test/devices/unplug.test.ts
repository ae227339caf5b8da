// Integration: simulated devices on pseudo-terminals are removed and recreated 20 times while the device
// manager runs. Each loss is seen within 5 s, each return used again within 5 s, and no descriptor leaks.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';
import { DEFAULT_TIMING } from '../../src/devices/supervisor.js';
import { harness } from './helpers.js';
import { until } from './rigs.js';

const CYCLES = 20;
const openFds = () => readdirSync('/proc/self/fd').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('unplug and replug pty devices while the device manager runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-unplug-'));
  const devices: PtyDevice[] = [];
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${CYCLES} cycles: detection ≤ 5 s, recovery ≤ 5 s, used again, open fds stable`, async () => {
    const thermo = await startPtyDevice({ kind: 'line-thermometer', dir, name: 'thermo', preset: 'temp-colon' });
    const scanner = await startPtyDevice({ kind: 'scanner', dir, name: 'scanner' });
    const modbus = await startPtyDevice({ kind: 'modbus-thermometer', dir, name: 'modbus', holdMs: 400 });
    devices.push(thermo, scanner, modbus);
    const h = harness(
      [
        {
          id: 'main',
          thermometers: [
            { id: 'thermo-1', driver: 'serial-line', path: thermo.path, preset: 'temp-colon' },
            { id: 'modbus-1', driver: 'modbus', path: modbus.path, scale: 0.1, pollMs: 50, timeoutMs: 100 },
          ],
          scanners: [{ id: 'scanner-1', driver: 'serial', path: scanner.path, dedupeWindowMs: 0 }],
        },
      ],
      // Shortened so 20 cycles fit in seconds; the default timing is held to the same 5 s below.
      { timing: { watchMs: 200, backoffMinMs: 50, backoffMaxMs: 500 } },
    );
    const state = (id: string) => h.devices.health().find((d) => d.id === id)?.state;
    try {
      await h.devices.start();
      await until('all connected', () => ['thermo-1', 'scanner-1', 'modbus-1'].every((id) => state(id) === 'connected'));
      const fdsBefore = openFds();
      const detect: number[] = [];
      const recover: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
        const [dev, id] = ([[thermo, 'thermo-1'], [scanner, 'scanner-1'], [modbus, 'modbus-1']] as const)[i % 3];
        await dev.unplug();
        detect.push(await until(`cycle ${i}: ${id} disconnected`, () => state(id) === 'disconnected'));
        await sleep(100);
        await dev.replug();
        recover.push(await until(`cycle ${i}: ${id} connected`, () => state(id) === 'connected'));
        h.heard.length = 0;
        if (dev === scanner) await scanner.sendScan(`GP1.cycle-${i}`);
        else await dev.sendTemperature(36.4 + (i % 5) / 10);
        await until(`cycle ${i}: input from ${id}`, () => h.of('device.input').length === 1);
      }
      // Descriptors settle once the closed ports are released: waited for (a leak times out here).
      await until('the closed ports\' descriptors released', () => openFds() <= fdsBefore).catch(() => {});
      const fdsAfter = openFds();
      console.log(`unplug cycles=${CYCLES} detect max=${Math.max(...detect).toFixed(0)} ms recover max=${Math.max(...recover).toFixed(0)} ms fds ${fdsBefore}→${fdsAfter}`);
      expect(Math.max(...detect)).toBeLessThanOrEqual(5000);
      expect(Math.max(...recover)).toBeLessThanOrEqual(5000);
      expect(fdsAfter - fdsBefore).toBeLessThanOrEqual(0);
      expect(h.devices.health().map((d) => d.state)).toEqual(['connected', 'connected', 'connected']);
    } finally {
      await h.devices.stop();
    }
  }, 60_000);

  it('with the default timing, a device gone long enough for the longest backoff is back within 5 s', async () => {
    const dev = await startPtyDevice({ kind: 'scanner', dir, name: 'scanner-default' });
    devices.push(dev);
    const h = harness([{ id: 'main', scanners: [{ id: 'scanner-1', driver: 'serial', path: dev.path }] }]);
    const state = () => h.devices.health()[0]?.state;
    try {
      await h.devices.start();
      await until('connected', () => state() === 'connected');
      await dev.unplug();
      const detect = await until('disconnected', () => state() === 'disconnected');
      // Long enough for the retries to back off to their maximum.
      await sleep(DEFAULT_TIMING.backoffMinMs + 2 * DEFAULT_TIMING.backoffMaxMs);
      await dev.replug();
      const recover = await until('connected again', () => state() === 'connected', 5000);
      console.log(`default timing: detect ${detect.toFixed(0)} ms, recover ${recover.toFixed(0)} ms`);
      expect(detect).toBeLessThanOrEqual(5000);
      expect(recover).toBeLessThanOrEqual(DEFAULT_TIMING.backoffMaxMs + 500);
      expect(h.of('device.health').map((x) => x.state)).toEqual(['connected', 'disconnected', 'connected']);
    } finally {
      await h.devices.stop();
    }
  }, 30_000);
});
