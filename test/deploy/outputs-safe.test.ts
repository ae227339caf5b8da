// scripts/outputs-safe.sh (the unit's ExecStopPost) on a sysfs GPIO tree laid out as a Pi 4 on
// kernel 6.6 shows it (gpiochip512, pinctrl-bcm2711): outputs left ON by a killed daemon are
// switched off at their physical level (active-low relay boards: high), unexported lines are left
// alone, and an unusable configuration fails with a message.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const REPO = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'gate-outputs-safe-'));
const sysfs = join(dir, 'sys/class/gpio');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportLine(n: number, direction: string, value: string): void {
  mkdirSync(join(sysfs, `gpio${n}`), { recursive: true });
  writeFileSync(join(sysfs, `gpio${n}/direction`), direction);
  writeFileSync(join(sysfs, `gpio${n}/value`), value);
}

function run(config: string): { code: number | null; out: string } {
  const r = spawnSync('sh', [join(REPO, 'scripts/outputs-safe.sh'), config], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('outputs-safe.sh', () => {
  it('switches exported outputs off at their physical level and leaves unexported lines alone', () => {
    mkdirSync(join(sysfs, 'gpiochip512'), { recursive: true });
    writeFileSync(join(sysfs, 'gpiochip512/label'), 'pinctrl-bcm2711\n');
    writeFileSync(join(sysfs, 'gpiochip512/base'), '512\n');
    writeFileSync(join(sysfs, 'gpiochip512/ngpio'), '58\n');
    exportLine(512 + 17, 'out', '0'); // relay, active low: 0 = pulled in = door open
    exportLine(512 + 27, 'out', '1'); // green lamp, active high: on
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      stringify({
        site: { id: 'v' },
        gate: { id: 'g' },
        storage: { path: join(dir, 'gate.db') },
        lanes: [{ id: 'main', gpio: { driver: 'onoff', chipLabel: 'pinctrl-bcm2711', sysfsRoot: sysfs, relay: { line: 17, activeLow: true }, lampGreen: { line: 27 }, buzzer: { line: 23 } } }],
      }),
    );
    const r = run(config);
    expect(r.code, r.out).toBe(0);
    // sysfs "high"/"low" on direction: output at that level, in one write (no glitch).
    expect(readFileSync(join(sysfs, 'gpio529/direction'), 'utf8')).toBe('high');
    expect(readFileSync(join(sysfs, 'gpio539/direction'), 'utf8')).toBe('low');
    expect(r.out).toContain('main.relay: line 17 (sysfs 529) set 1 = off');
    expect(r.out).toContain('main.buzzer: line 23 not exported');
  });

  it('a chip that is not there: exit 1 and a message naming the setting to fix', () => {
    const config = join(dir, 'pi5.yaml');
    writeFileSync(config, stringify({ site: { id: 'v' }, gate: { id: 'g' }, lanes: [{ id: 'main', gpio: { driver: 'onoff', chipLabel: 'pinctrl-rp1', sysfsRoot: sysfs, relay: { line: 5 } } }] }));
    const r = run(config);
    expect(r.code).toBe(1);
    expect(r.out).toContain('main.relay: could not make line 5 safe: No gpiochip labelled "pinctrl-rp1"');
  });
});
