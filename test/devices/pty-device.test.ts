// The pty simulator library's own edges: names in the way, wrong use, writes while unplugged.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';

describe('startPtyDevice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-ptydev-'));
  const devs: PtyDevice[] = [];
  afterAll(async () => {
    await Promise.all(devs.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
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
