// `systemd-analyze verify` on every unit, in a temporary root holding this machine's systemd units
// and the paths the units execute (so a missing ExecStart binary is an error, as on the Pi).
// Any output — an unknown key, a bad value, a missing dependency — fails the test.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need } from './debian-root.js';

const REPO = join(import.meta.dirname, '../..');
const SERVICE = join(REPO, 'systemd/checkpoint-gate.service');
const KIOSK = join(REPO, 'systemd/kiosk/checkpoint-gate-kiosk.service');
let root = '';

function executable(path: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), '#!/bin/sh\n');
  chmodSync(join(root, path), 0o755);
}

/** Verifies a unit file installed into the temporary root under `name`. */
function verify(file: string, name = file.split('/').pop() ?? ''): { code: number | null; out: string } {
  copyFileSync(file, join(root, 'etc/systemd/system', name));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, name], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function directives(file: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (hit?.[1]) m.set(hit[1], [...(m.get(hit[1]) ?? []), hit[2] ?? '']);
  }
  return m;
}

beforeAll(() => {
  need('systemd-analyze', 'systemd');
  const units = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'multi-user.target')));
  if (!units) throw new Error('No systemd system units on this machine (multi-user.target): install the Debian package systemd');
  root = mkdtempSync(join(tmpdir(), 'gate-units-'));
  cpSync(units, join(root, 'usr/lib/systemd/system'), { recursive: true, dereference: false });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  executable('usr/bin/node');
  executable('opt/checkpoint-gate/current/scripts/kiosk.sh');
  executable('opt/checkpoint-gate/current/scripts/outputs-safe.sh');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('systemd units', () => {
  it('the daemon unit verifies cleanly', () => {
    const r = verify(SERVICE);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the kiosk unit verifies cleanly (as a system unit: systemd-analyze cannot verify user units in a root)', () => {
    const r = verify(KIOSK);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the hub unit verifies cleanly and keeps the contract: notify + watchdog, restart, its own state dir, `gate hub run`', () => {
    const hub = join(REPO, 'systemd/checkpoint-hub.service');
    const r = verify(hub);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
    const d = directives(hub);
    expect(d.get('Type')).toEqual(['notify']);
    expect(Number(d.get('WatchdogSec')?.[0])).toBeGreaterThan(0);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('StateDirectory')).toEqual(['checkpoint-hub']);
    expect(d.get('ExecStart')?.[0]).toMatch(/bin\/gate\.js hub run --config /);
    expect(d.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('the check can fail: an unknown key and a missing ExecStart binary are reported', () => {
    const bad = join(root, 'bad.service');
    writeFileSync(bad, `${readFileSync(SERVICE, 'utf8').replace('[Service]', '[Service]\nWatchdogSecs=20')}`);
    expect(verify(bad, 'bad-key.service').out).toContain("Unknown key 'WatchdogSecs'");
    writeFileSync(bad, readFileSync(SERVICE, 'utf8').replace('ExecStart=/usr/bin/node', 'ExecStart=/usr/bin/nodejs-missing'));
    const missing = verify(bad, 'bad-exec.service');
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain('/usr/bin/nodejs-missing');
  });

  it('the daemon unit keeps the contract: notify + watchdog, restart, state dir, user with device groups, hardening Node survives', () => {
    const d = directives(SERVICE);
    expect(d.get('Type')).toEqual(['notify']);
    expect(Number(d.get('WatchdogSec')?.[0])).toBeGreaterThan(0);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('StateDirectory')).toEqual(['checkpoint-gate']);
    expect(d.get('User')).toEqual(['checkpoint']);
    expect(d.get('SupplementaryGroups')?.[0]?.split(/\s+/)).toEqual(expect.arrayContaining(['dialout', 'gpio', 'input']));
    // V8 needs W+X pages; PrivateDevices hides /dev/tty*, /dev/input and /dev/gpiochip*.
    expect(d.has('MemoryDenyWriteExecute')).toBe(false);
    expect(d.has('PrivateDevices')).toBe(false);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
    const allowed = (d.get('DeviceAllow') ?? []).join(' ');
    for (const dev of ['char-ttyUSB', 'char-ttyACM', 'char-input', 'char-gpiochip']) expect(allowed).toContain(dev);
    // Outputs made safe after every stop, crash or watchdog kill.
    expect(d.get('ExecStopPost')?.[0]).toMatch(/scripts\/outputs-safe\.sh /);
  });
});
