// The suite for one supported Node.js version other than the one running this suite: its official
// build from the npm registry (scripts/node-lib.sh), the native modules compiled for it and cached
// in the clone's .cache/, then the tests that can differ between Node versions, run on it in a
// copy of the tree (scripts/with-node.sh): the native addons, the ledger, and the system test.
// The rest of the suite is plain JavaScript on APIs all supported versions share; it runs once, on
// this Node. Each version is its own test file, so vitest spreads them over its workers.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

export const REPO = join(import.meta.dirname, '../..');

/** The test files that run on every supported Node (kept short: each version pays their time). */
export const PER_VERSION_TESTS = [
  // native addons: unix-dgram (sd_notify); the serialport binding, against pseudo-terminal simulators
  // (line and Modbus thermometers, scanners, unplugged and replugged). Its Modbus cases wait for the
  // simulated sensor to have been read back at the background (they waited a fixed hold time until
  // 2026-12-06, and failed twice in this matrix under the suite's load).
  'test/kernel/watchdog.test.ts',
  'test/devices/drivers.test.ts',
  // the ledger (better-sqlite3). Not checkpointer.test.ts: it waits on time (a 150 ms sleep for a
  // 30 ms poll) and failed on a machine at load 24; its checkpoint policy is the same on every Node.
  'test/store/ledger.test.ts',
  'test/store/migrations.test.ts',
  'test/store/wal-barrier.test.ts',
  'test/store/shared-file.test.ts',
  'test/store/outbox-fresh.test.ts',
  // the whole daemon: devices, kiosk in Chromium, MQTT to a hub
  'test/system/morning.test.ts',
];

/** NODE_VERSIONS from scripts/node-lib.sh: the exact version per supported major. */
export function supportedVersions(): string[] {
  const m = /^NODE_VERSIONS=\(([^)]*)\)$/m.exec(readFileSync(join(REPO, 'scripts/node-lib.sh'), 'utf8'));
  if (!m?.[1]) throw new Error('scripts/node-lib.sh has no NODE_VERSIONS=(...) line');
  return m[1].trim().split(/\s+/);
}

/** The folder of that Node's official build (bin/node, include/node), fetched once into .cache/. */
export function nodeDist(major: number): string {
  const r = spawnSync('bash', ['-c', 'set -e; source scripts/node-lib.sh; node_dist "$1" host', 'node-dist', String(major)], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, HERE: REPO },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`fetching Node ${major} from the npm registry failed: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout.trim();
}

/** The environment for a child that must not look like a vitest worker. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TINYPOOL_WORKER_ID') delete env[k];
  return env;
}

/** npm ci as a dry run on that Node, in a folder holding only package.json and the lockfile. */
export function npmCiWarnings(major: number): { status: number | null; out: string } {
  const dir = tempDir(`gate-engines-${major}-`);
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(REPO, f), join(dir, f));
  const bin = join(nodeDist(major), 'bin');
  const r = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnv({ PATH: `${bin}:${process.env.PATH ?? ''}` }),
    timeout: 300_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs a command on that Node in .cache/matrix/node<N>/ (scripts/with-node.sh). */
export function withNode(major: number, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO, 'scripts/with-node.sh'), String(major), ...args], { cwd: REPO, env: cleanEnv({ NO_COLOR: '1' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), out });
    });
  });
}

/** The last lines of a long output, for a failure message. */
const tail = (s: string, n = 60): string => s.trim().split('\n').slice(-n).join('\n');

/** The tests of one supported Node version: all of them on another Node, the engines check on this one. */
export function versionSuite(major: number): void {
  const version = supportedVersions().find((v) => v.startsWith(`${major}.`));
  const here = process.versions.node.split('.')[0] === String(major);
  describe(`Node ${version ?? major}${here ? ' (the Node running the whole suite)' : ' (official build from the npm registry)'}`, () => {
    it('is a supported version in scripts/node-lib.sh', () => {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it('npm ci warns of no package engine (EBADENGINE)', () => {
      const r = npmCiWarnings(major);
      expect(r.out).not.toContain('EBADENGINE');
      expect(r.status, r.out).toBe(0);
    }, 300_000);

    if (here) return;

    it('loads every native addon, compiled for it', async () => {
      const r = await withNode(
        major,
        [
          'node',
          '-e',
          `const db = new (require('better-sqlite3'))(':memory:'); db.prepare('select 1').get(); db.close();
           require('@serialport/bindings-cpp'); require('unix-dgram').createSocket('unix_dgram').close();
           const { Epoll } = require('epoll'); new Epoll(() => {}).close();
           console.log('loaded on ' + process.version);`,
        ],
        600_000,
      );
      expect(r.out.trim().split('\n').pop(), tail(r.out)).toBe(`loaded on v${version}`);
      expect(r.code).toBe(0);
    }, 600_000);

    it('passes the native-addon, ledger and system tests', async () => {
      const r = await withNode(major, ['node', 'node_modules/vitest/vitest.mjs', 'run', '--maxWorkers=1', ...PER_VERSION_TESTS], 900_000);
      expect(r.code, tail(r.out)).toBe(0);
      expect(r.out).toMatch(new RegExp(`Test Files +${PER_VERSION_TESTS.length} passed`));
    }, 900_000);
  });
}
