// The pty simulator library's own edges: names in the way, wrong use, writes while unplugged.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';
import { harness } from './helpers.js';
import { until } from './rigs.js';

describe('startPtyDevice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-ptydev-'));
  const devs: PtyDevice[] = [];
  afterAll(async () => {
    await Promise.all(devs.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which daemon config opens it, and the daemon reads it with that config', async () => {
    const cases = [
      { opts: { kind: 'line-thermometer', preset: 'fahrenheit', ending: 'CR' }, config: { driver: 'serial-line', preset: 'fahrenheit', framing: 'CR' } },
      { opts: { kind: 'modbus-thermometer', slaveId: 9, register: 4, scale: 0.01 }, config: { driver: 'modbus', slaveId: 9, register: 4, registerType: 'holding', scale: 0.01 } },
      { opts: { kind: 'scanner', ending: 'none' }, config: { driver: 'serial', suffix: 'timeout', interByteTimeoutMs: 50 } },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const d = await startPtyDevice({ ...c.opts, dir, name: `cfg-${i}` });
      devs.push(d);
      expect(d.config).toEqual({ ...c.config, path: d.path });
      const entry = { id: 'dev-1', ...d.config };
      const h = harness([{ id: 'main', ...(d.kind === 'scanner' ? { scanners: [entry] } : { thermometers: [{ ...entry, pollMs: 50, timeoutMs: 200 }] }) }]);
      try {
        await h.devices.start();
        await until(`${d.kind} connected`, () => h.devices.health()[0]?.state === 'connected');
        if (d.kind === 'scanner') await d.sendScan('GP1.config');
        else await d.sendTemperature(36.8);
        await until(`input from ${d.kind}`, () => h.of('device.input').length === 1);
        const got = h.of('device.input')[0];
        expect(got?.type === 'scan' ? got.text : got?.type === 'temperature' ? Math.round(got.celsius * 10) / 10 : undefined).toBe(d.kind === 'scanner' ? 'GP1.config' : 36.8);
      } finally {
        await h.devices.stop();
      }
    }
  });

  it('leaves no socat and no link behind when its process is killed (SIGKILL)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pty-child.ts'), dir, 'killed'], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      await until('the child simulator', () => out.includes('ready'), 15_000);
      expect(existsSync(join(dir, 'killed'))).toBe(true);
      child.kill('SIGKILL');
      // socat sees its stdin close and ends, removing the link: a restarted daemon finds the name free.
      await until('the link to go', () => !existsSync(join(dir, 'killed')), 5000);
      const again = await startPtyDevice({ kind: 'scanner', dir, name: 'killed' });
      devs.push(again);
      expect(existsSync(again.path)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('replaces a stale link left by a killed simulator, and refuses a live one', async () => {
    symlinkSync('/dev/pts/987654', join(dir, 'stale'));
    const d = await startPtyDevice({ kind: 'scanner', dir, name: 'stale' });
    devs.push(d);
    expect(existsSync(d.path)).toBe(true);
    await expect(startPtyDevice({ kind: 'scanner', dir, name: 'stale' })).rejects.toThrow(/already exists and leads to a live pseudo-terminal/);
  });

  it('says what a device kind cannot do, and that an unplugged device takes no bytes', async () => {
    const d = await startPtyDevice({ kind: 'line-thermometer', dir, name: 'thermo' });
    devs.push(d);
    await expect(d.sendScan('x')).rejects.toThrow(/A simulated line-thermometer cannot scan/);
    expect(() => d.mute(true)).toThrow(/cannot be muted/);
    await d.unplug();
    expect(d.plugged).toBe(false);
    expect(existsSync(d.path)).toBe(false);
    await expect(d.sendTemperature(36.5)).rejects.toThrow(/is unplugged/);
    await d.replug();
    expect(existsSync(d.path)).toBe(true);
    await expect(startPtyDevice({ kind: 'printer' as 'scanner', dir, name: 'p' })).rejects.toThrow(/Unknown simulated device kind "printer"/);
    await expect(startPtyDevice({ kind: 'line-thermometer', preset: 'kelvin' as 'body', dir, name: 'k' })).rejects.toThrow(/Unknown thermometer preset "kelvin"/);
  });
});
