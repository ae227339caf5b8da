// scripts/install.sh in a real Debian root made with debootstrap (no running systemd there:
// --root implies no start; units are enabled with `systemctl --root`, the new version is checked
// with `gate check-config` and migrates the ledger as the service user). Install, idempotent
// rerun, upgrade (data kept, migration ran), failed upgrade (rolled back), uninstall (data kept).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { freePort } from '../helpers/mosquitto.js';
import { makeDebianRoot, need, removeDebianRoot } from './debian-root.js';
import { NotifySupervisor } from './notify-supervisor.js';

const REPO = join(import.meta.dirname, '../..');
const OPT = '/opt/checkpoint-gate';
const DATA = '/var/lib/checkpoint-gate';
let root = '';
let work = '';
const bundles = { v1: '', v2: '', broken: '' };
const ids = { v1: 'v1-test', v2: '', broken: 'broken-test' };

function install(args: string[], timeout = 180_000): { status: number | null; out: string } {
  const r = spawnSync('bash', [join(REPO, 'scripts/install.sh'), '--root', root, ...args], { encoding: 'utf8', timeout });
  if (r.error) throw new Error(`install.sh ${args.join(' ')}: ${r.error.message}\n${r.stdout}${r.stderr}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function inRoot(...cmd: string[]): string {
  return execFileSync('chroot', [root, ...cmd], { encoding: 'utf8', timeout: 30_000 });
}

function current(): string {
  return readlinkSync(join(root, OPT, 'current'));
}

function db(): Database.Database {
  return new Database(join(root, DATA, 'gate.db'));
}

const SLOW = { timeout: 180_000 };
/** Building a bundle, native modules included when the clone's .cache/ does not have them yet. */
const BUILD_MS = 1_200_000;
/** How esbuild writes src/store/migrations.ts's SCHEMA_VERSION into a chunk. */
const MIGRATIONS_LINE = 'var SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]';
/** One installer run, unpacking or deleting a few hundred MB on a busy 2-core machine. */
const STEP = 300_000;

/**
 * A copy of the bundle with another id and some files replaced. Unpacking is slow on a busy
 * machine, so the replacements are appended to an uncompressed copy: tar lets the last member
 * of a name win, on extraction and in install.sh's reading of BUNDLE-INFO.
 */
function variant(base: string, out: string, id: string, files: Record<string, (old: string) => string>): void {
  const dir = mkdtempSync(join(work, 'variant-'));
  const names = ['BUNDLE-INFO', ...Object.keys(files)].map((f) => `checkpoint-gate/${f}`);
  execFileSync('tar', ['-C', dir, '-xf', base, ...names], SLOW);
  const info = join(dir, 'checkpoint-gate/BUNDLE-INFO');
  writeFileSync(info, readFileSync(info, 'utf8').replace(/^id=.*$/m, `id=${id}`));
  for (const [f, edit] of Object.entries(files)) {
    const path = join(dir, 'checkpoint-gate', f);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
  }
  copyFileSync(base, out);
  execFileSync('tar', ['-C', dir, '-rf', out, ...names], SLOW);
  rmSync(dir, { recursive: true, force: true });
}

beforeAll(() => {
  need('chroot', 'coreutils');
  need('systemd-analyze', 'systemd');
  if (!existsSync(join(REPO, 'dist/packed/src/cli/main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
  work = mkdtempSync(join(tmpdir(), 'gate-install-test-'));
  const t0 = Date.now();
  // No Node.js in the root: the bundle brings its own, and everything must run on that one.
  root = makeDebianRoot((l) => console.log(l));
  inRoot('useradd', '-m', '-u', '1000', '-s', '/bin/bash', 'pi');
  // On a fresh clone this compiles the native modules for the bundle's Node first, taking turns
  // with the other builds for this architecture (test/node/): minutes on a loaded machine.
  const made = spawnSync('bash', [join(REPO, 'scripts/bundle.sh'), '--arch', 'host', '--no-build', '--out', work], { encoding: 'utf8', timeout: BUILD_MS });
  if (made.status !== 0) throw new Error(`bundle.sh failed (${made.error?.message ?? `status ${made.status}`}): ${made.stdout}${made.stderr}`);
  const file = /==> (\S+\.tar\.gz)/.exec(made.stdout)?.[1];
  if (!file) throw new Error(`bundle.sh printed no bundle file: ${made.stdout}`);
  bundles.v2 = file;
  ids.v2 = /^id=(.*)$/m.exec(execFileSync('tar', ['-xzOf', file, 'checkpoint-gate/BUNDLE-INFO'], { encoding: 'utf8', ...SLOW }))?.[1] ?? '';
  const base = join(work, 'base.tar');
  execFileSync('sh', ['-c', 'gzip -dc "$1" > "$2"', 'sh', file, base], SLOW);
  // v1: the same program one schema version behind, so upgrading to v2 must migrate. The daemon and
  // the installer run the packed code (dist/packed/): the chunk that holds the migrations is edited.
  const chunks = join(REPO, 'dist/packed/chunks');
  const holding = readdirSync(chunks).filter((f) => f.endsWith('.js') && readFileSync(join(chunks, f), 'utf8').includes(MIGRATIONS_LINE));
  if (holding.length !== 1) throw new Error(`expected one chunk in dist/packed/chunks with "${MIGRATIONS_LINE}", found ${holding.length}: the packing changed shape; update this test`);
  bundles.v1 = join(work, 'v1.tar');
  variant(base, bundles.v1, ids.v1, {
    [`dist/packed/chunks/${holding[0]}`]: (js) => js.replace(MIGRATIONS_LINE, `MIGRATIONS.splice(-1);\n${MIGRATIONS_LINE}`),
  });
  // broken: a version whose gate command cannot start at all.
  bundles.broken = join(work, 'broken.tar');
  variant(base, bundles.broken, ids.broken, {
    'bin/gate.js': () => "#!/usr/bin/env node\nconsole.error('gate: simulated broken release');\nprocess.exit(1);\n",
  });
  rmSync(base);
  console.log(`Debian root and bundles ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, BUILD_MS + 600_000);

afterAll(() => {
  if (root) removeDebianRoot(root);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the offline bundle (built for this machine by scripts/bundle.sh)', () => {
  it('holds the program, production modules with their native builds, BUNDLE-INFO, and no development tools', () => {
    const names = new Set(execFileSync('tar', ['-tzf', bundles.v2], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...SLOW }).split('\n'));
    const info = execFileSync('tar', ['-xzOf', bundles.v2, 'checkpoint-gate/BUNDLE-INFO'], { encoding: 'utf8', ...SLOW });
    expect(info).toMatch(/^arch=(amd64|arm64|armhf)$/m);
    expect(info).toMatch(/^node=bundled$/m);
    expect(info).toMatch(/^node_version=\d+\.\d+\.\d+$/m);
    expect(info).toMatch(/^node_abi=\d+$/m);
    expect(info).toMatch(/^version=\d+\.\d+\.\d+$/m);
    for (const f of [
      'checkpoint-gate/bin/gate.js',
      'checkpoint-gate/dist/packed/src/cli/main.js',
      'checkpoint-gate/dist/packed/src/store/db.js',
      'checkpoint-gate/scripts/install.sh',
      'checkpoint-gate/scripts/outputs-safe.sh',
      'checkpoint-gate/systemd/checkpoint-gate.service',
      'checkpoint-gate/config/default.yaml',
      // The voice clips rendered by the build (docs/voice.md).
      'checkpoint-gate/dist/clips/manifest.json',
      'checkpoint-gate/dist/clips/zh-CN/fever-wait.wav',
      'checkpoint-gate/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'checkpoint-gate/node_modules/unix-dgram/build/Release/unix_dgram.node',
      'checkpoint-gate/node_modules/epoll/build/Release/epoll.node',
      'checkpoint-gate/node_modules/@serialport/bindings-cpp/build/Release/bindings.node',
      'checkpoint-gate/node/bin/node',
      'checkpoint-gate/bin/gate',
      'checkpoint-gate/node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-100-400-normal.woff2',
      // The office's 24-hour chart: its page module and uPlot, served from node_modules.
      'checkpoint-gate/src/hub/public/chart.js',
      'checkpoint-gate/node_modules/uplot/dist/uPlot.iife.min.js',
    ]) {
      expect(names.has(f), f).toBe(true);
    }
    const all = [...names];
    expect(all.some((n) => n.startsWith('checkpoint-gate/node_modules/@serialport/bindings-cpp/'))).toBe(true);
    for (const dev of ['vitest', 'typescript', '@biomejs', 'playwright-core', 'tsx']) {
      expect(all.some((n) => n.startsWith(`checkpoint-gate/node_modules/${dev}/`)), dev).toBe(false);
    }
    expect(all.some((n) => n.startsWith('checkpoint-gate/dist/test/'))).toBe(false);
    expect(all.some((n) => n.includes('/build/Release/obj'))).toBe(false);
  }, STEP);
});

describe('install.sh in a Debian root', () => {
  let pin = '';

  it('installs: user and groups, release + current link, config, PIN, units enabled, udev rules, kiosk autostart', () => {
    const r = install(['--bundle', bundles.v1, '--no-packages', '--kiosk-user', 'pi']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('installed version 0.1.0-v1-test');
    expect(r.out).toMatch(/Node\.js \d+\.\d+\.\d+ comes with the bundle/);
    expect(existsSync(join(root, 'usr/bin/node'))).toBe(false);
    expect(current()).toBe('releases/0.1.0-v1-test');
    const groups = inRoot('id', '-nG', 'checkpoint').trim().split(/\s+/);
    expect(groups).toEqual(expect.arrayContaining(['checkpoint', 'dialout', 'gpio', 'input', 'audio']));
    const secrets = join(root, 'etc/checkpoint-gate/secrets.env');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    pin = /^GATE_ADMIN_PIN=(\d+)$/m.exec(readFileSync(secrets, 'utf8'))?.[1] ?? '';
    expect(pin).toMatch(/^\d{8}$/);
    expect(r.out).toContain(`admin PIN generated in /etc/checkpoint-gate/secrets.env: ${pin}`);
    expect(r.out).toContain('Next: describe your lanes and devices in /etc/checkpoint-gate/config.yaml');
    const config = readFileSync(join(root, 'etc/checkpoint-gate/config.yaml'), 'utf8');
    expect(config).toContain(`path: ${DATA}/gate.db`);
    expect(config).toContain(`keyDir: ${DATA}/keys`);
    expect(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/checkpoint-gate.service')).isSymbolicLink()).toBe(true);
    expect(execFileSync('systemctl', [`--root=${root}`, 'is-enabled', 'checkpoint-gate.service'], { encoding: 'utf8' }).trim()).toBe('enabled');
    expect(existsSync(join(root, 'etc/udev/rules.d/99-checkpoint-gate.rules'))).toBe(true);
    expect(readFileSync(join(root, 'home/pi/.config/labwc/autostart'), 'utf8')).toContain(`${OPT}/current/scripts/kiosk.sh &`);
    expect(readlinkSync(join(root, 'usr/local/bin/gate'))).toBe(`${OPT}/current/bin/gate`);
    expect(inRoot('/usr/local/bin/gate', 'version')).toMatch(/^gate 0\.1\.0 \(node v\d+\.\d+\.\d+, linux-x64\)/);
    // The check ran as the service user and created the ledger at v1's schema (one behind).
    const d = db();
    expect(d.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION - 1);
    d.exec("CREATE TABLE deploy_marker (note TEXT); INSERT INTO deploy_marker VALUES ('written by v1')");
    d.close();
    inRoot('chown', '-R', 'checkpoint:checkpoint', DATA);
    expect(statSync(join(root, DATA, 'gate.db')).uid).toBe(Number(inRoot('id', '-u', 'checkpoint').trim()));
  }, STEP);

  it('the installed units verify with systemd-analyze in the Debian root', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'checkpoint-gate.service'], { encoding: 'utf8', timeout: 30_000 });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  }, STEP);

  it('running it again changes nothing', () => {
    const before = readFileSync(join(root, 'etc/checkpoint-gate/secrets.env'), 'utf8');
    const r = install(['--bundle', bundles.v1, '--no-packages', '--kiosk-user', 'pi']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('is installed already; nothing to change');
    expect(r.out).toContain('kept /etc/checkpoint-gate/config.yaml');
    expect(readFileSync(join(root, 'etc/checkpoint-gate/secrets.env'), 'utf8')).toBe(before);
    expect(readFileSync(join(root, 'home/pi/.config/labwc/autostart'), 'utf8').match(/kiosk\.sh/g)).toHaveLength(1);
  }, STEP);

  it('--admin-pin-only changes the PIN and nothing else', () => {
    const r = install(['--admin-pin', '24681357', '--admin-pin-only']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('admin PIN set in /etc/checkpoint-gate/secrets.env: 24681357');
    expect(r.out).not.toContain('Program in');
    pin = '24681357';
    const secrets = readFileSync(join(root, 'etc/checkpoint-gate/secrets.env'), 'utf8');
    expect(secrets.match(/^GATE_ADMIN_PIN=/gm)).toHaveLength(1);
    expect(secrets).toContain('GATE_ADMIN_PIN=24681357');
    expect(install(['--admin-pin', '12ab', '--admin-pin-only']).out).toContain('--admin-pin must be 6 to 12 digits');
  }, STEP);

  it('upgrades with apt packages: data and config kept, the ledger migrated, the old release kept for rollback', () => {
    const cfg = join(root, 'etc/checkpoint-gate/config.yaml');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\n# edited by the electrician\n`);
    const r = install(['--bundle', bundles.v2, '--no-kiosk'], 400_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`bundle checksum matches ${basename(bundles.v2)}.sha256`);
    expect(r.out).toContain(`Upgrading 0.1.0-v1-test -> 0.1.0-${ids.v2}`);
    expect(r.out).toContain(`version 0.1.0-${ids.v2} is ready`);
    // The Debian packages the daemon needs came from the mirror with apt-get.
    for (const p of ['gpiod', 'fake-hwclock', 'curl', 'python3', 'systemd-timesyncd', 'alsa-utils', 'espeak-ng']) {
      expect(inRoot('dpkg-query', '-W', `-f=${'$'}{Status}`, p)).toBe('install ok installed');
    }
    expect(current()).toBe(`releases/0.1.0-${ids.v2}`);
    expect(readlinkSync(join(root, OPT, 'previous'))).toBe('releases/0.1.0-v1-test');
    expect(existsSync(join(root, OPT, 'releases/0.1.0-v1-test'))).toBe(true);
    expect(readFileSync(cfg, 'utf8')).toContain('# edited by the electrician');
    expect(readFileSync(join(root, 'etc/checkpoint-gate/secrets.env'), 'utf8')).toContain(`GATE_ADMIN_PIN=${pin}`);
    expect(existsSync(join(root, DATA, 'backup/gate.db.0.1.0-v1-test'))).toBe(true);
    const d = db();
    expect(d.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(d.prepare('SELECT note FROM deploy_marker').pluck().all()).toEqual(['written by v1']);
    d.close();
  }, STEP);

  it('the installed release runs as the service user with the generated configuration and reports READY=1', async () => {
    // What the unit does, minus systemd: the service user, the config in /etc, the data in
    // /var/lib, the notify socket; the kiosk on a free port so parallel tests do not collide.
    // The electrician describes a lane (the installed default has none, and the daemon refuses to run without).
    const cfg = join(root, 'etc/checkpoint-gate/config.yaml');
    const text = readFileSync(cfg, 'utf8');
    expect(text).toMatch(/^lanes: \[\]$/m);
    writeFileSync(cfg, text.replace(/^lanes: \[\]$/m, 'lanes:\n  - id: main\n    name: 主通道'));
    const port = await freePort();
    mkdirSync(join(root, 'run'), { recursive: true });
    execFileSync('mount', ['-t', 'proc', 'proc', join(root, 'proc')], { timeout: 10_000 });
    const sup = new NotifySupervisor({
      command: 'chroot',
      args: [root, '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'NODE_ENV=production', 'NOTIFY_SOCKET=/run/notify.sock', `GATE_KIOSK_PORT=${port}`, `GATE_ADMIN_PIN=${pin}`,
        'setpriv', '--reuid=checkpoint', '--regid=checkpoint', '--init-groups', '--', `${OPT}/current/node/bin/node`, `${OPT}/current/bin/gate.js`, 'run', '--config', '/etc/checkpoint-gate/config.yaml'],
      cwd: '/',
      times: { watchdogMs: 60_000, restartMs: 1000, timeoutStartMs: 60_000, watchdogSignal: 'SIGKILL', restart: 'no' },
      runDir: join(root, 'run'),
    });
    try {
      await sup.start();
      const ready = await sup.waitFor('ready', 60_000);
      expect(ready.pid).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${ready.pid}/status`, 'utf8'))?.[1];
      expect(uid).toBe(inRoot('id', '-u', 'checkpoint').trim());
    } finally {
      await sup.stop();
      spawnSync('umount', ['-l', join(root, 'proc')], { timeout: 10_000 });
    }
  }, STEP);

  it('rolls back an upgrade whose version does not become ready, data intact', () => {
    const r = install(['--bundle', bundles.broken, '--no-packages', '--no-kiosk']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`version 0.1.0-${ids.broken} did not become ready: rolling back to 0.1.0-${ids.v2}`);
    expect(current()).toBe(`releases/0.1.0-${ids.v2}`);
    expect(existsSync(join(root, OPT, `releases/0.1.0-${ids.broken}.failed`))).toBe(true);
    const d = db();
    expect(d.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(d.prepare('SELECT note FROM deploy_marker').pluck().all()).toEqual(['written by v1']);
    d.close();
  }, STEP);

  it('refuses a bundle for another architecture, changing nothing', () => {
    // install.sh reads BUNDLE-INFO before unpacking: a bundle of that file alone is enough here.
    const dir = mkdtempSync(join(work, 'other-arch-'));
    execFileSync('mkdir', [join(dir, 'checkpoint-gate')]);
    writeFileSync(join(dir, 'checkpoint-gate/BUNDLE-INFO'), `name=checkpoint-gate\nversion=0.1.0\nid=other-arch\narch=riscv64\nnode_major=20\nnode_abi=${process.versions.modules}\n`);
    const other = join(work, 'other-arch.tar.gz');
    execFileSync('tar', ['-C', dir, '-czf', other, 'checkpoint-gate'], SLOW);
    const r = install(['--bundle', other, '--no-packages', '--no-kiosk']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/the bundle is for riscv64 but this machine is \w+/);
    expect(current()).toBe(`releases/0.1.0-${ids.v2}`);
  }, STEP);

  it('refuses a copy that does not match its checksum file (cut short on the USB stick), changing nothing', () => {
    const damaged = join(work, 'damaged.tar.gz');
    const size = statSync(bundles.v2).size;
    copyFileSync(bundles.v2, damaged);
    truncateSync(damaged, size - 4096);
    copyFileSync(`${bundles.v2}.sha256`, `${damaged}.sha256`);
    const r = install(['--bundle', damaged, '--no-packages', '--no-kiosk']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`${damaged} does not match ${damaged}.sha256`);
    expect(current()).toBe(`releases/0.1.0-${ids.v2}`);
  }, STEP);

  it('uninstalls: program, units, udev rules and autostart gone; data, config and user kept', () => {
    const r = install(['--uninstall']);
    expect(r.status, r.out).toBe(0);
    expect(existsSync(join(root, OPT))).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/system/checkpoint-gate.service'))).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/checkpoint-gate.service'))).toBe(false);
    expect(existsSync(join(root, 'etc/udev/rules.d/99-checkpoint-gate.rules'))).toBe(false);
    expect(readFileSync(join(root, 'home/pi/.config/labwc/autostart'), 'utf8')).not.toContain('kiosk.sh');
    expect(existsSync(join(root, 'etc/checkpoint-gate/config.yaml'))).toBe(true);
    const d = db();
    expect(d.prepare('SELECT note FROM deploy_marker').pluck().all()).toEqual(['written by v1']);
    d.close();
    expect(inRoot('getent', 'passwd', 'checkpoint')).toContain('checkpoint');
    expect(r.out).toContain('Kept: /var/lib/checkpoint-gate');
  }, STEP);
});
