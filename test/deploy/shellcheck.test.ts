// shellcheck on every shell script we ship: scripts/*.sh (following what they source), bin/gate and
// the kiosk autostart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { need } from './debian-root.js';

const REPO = join(import.meta.dirname, '../..');
const scripts = readdirSync(join(REPO, 'scripts'))
  .filter((f) => f.endsWith('.sh'))
  .map((f) => join('scripts', f))
  .concat('bin/gate');

function shellcheck(files: string[], shell?: string): { code: number | null; out: string } {
  need('shellcheck', 'shellcheck');
  const r = spawnSync('shellcheck', ['-x', '--severity=style', ...(shell ? ['--shell', shell] : []), ...files], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('shellcheck', () => {
  it('finds the scripts', () => {
    expect(scripts).toEqual(expect.arrayContaining(['scripts/install.sh', 'scripts/bundle.sh', 'scripts/kiosk.sh', 'scripts/with-node.sh', 'bin/gate']));
  });

  it.each(scripts)('%s is clean', (file) => {
    const r = shellcheck([file]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the labwc autostart is clean (sh)', () => {
    const r = shellcheck(['systemd/kiosk/labwc-autostart'], 'sh');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the check can fail: an unquoted variable is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-sc-'));
    try {
      writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\nrm -rf $1/data\n');
      const r = shellcheck([join(dir, 'bad.sh')]);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('SC2086');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
