// The watchdog end to end: the real daemon (`gate run`, simulation) under a supervisor that speaks
// the notify protocol like systemd and takes Restart=, WatchdogSignal= from our unit. A frozen
// daemon (SIGSTOP) stops pinging, is killed and started again, and the new one serves the kiosk.
// Times are scaled down from the unit's (WatchdogSec=20 → 2 s) so the test stays short.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { GATE_BIN, testConfig } from '../helpers/daemon.js';
import { NotifySupervisor, parseUnit, type UnitTimes } from './notify-supervisor.js';

const REPO = join(import.meta.dirname, '../..');
const unit = parseUnit(readFileSync(join(REPO, 'systemd/checkpoint-gate.service'), 'utf8'));
const WATCHDOG_MS = 2000;
const times: UnitTimes = {
  watchdogMs: WATCHDOG_MS,
  restartMs: 500,
  timeoutStartMs: 30_000,
  watchdogSignal: (unit.get('WatchdogSignal') ?? 'SIGABRT') as NodeJS.Signals,
  restart: unit.get('Restart') ?? 'no',
};

const dirs: string[] = [];
const supervisors: NotifySupervisor[] = [];
afterAll(async () => {
  for (const s of supervisors) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'gate-watchdog-'));
  dirs.push(d);
  return d;
}

/** The kiosk URL the current process prints (READY=1 may come just before the banner). */
async function healthz(sup: NotifySupervisor): Promise<number> {
  const until = performance.now() + 10_000;
  let url: string | undefined;
  while (!url && performance.now() < until) {
    url = /Kiosk[^\n]*?(http:\/\/\S+)/.exec(sup.currentOutput())?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error(`the daemon printed no kiosk URL within 10 s:\n${sup.currentOutput().slice(-2000)}`);
  const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(5000) });
  return res.status;
}

describe('watchdog restart under a notify supervisor', () => {
  it('the unit asks for what the harness does: notify, watchdog, SIGKILL on expiry, restart on failure', () => {
    expect(unit.get('Type')).toBe('notify');
    expect(Number(unit.get('WatchdogSec'))).toBeGreaterThan(0);
    expect(times.watchdogSignal).toBe('SIGKILL');
    expect(times.restart).toBe('on-failure');
  });

  it('a frozen daemon (SIGSTOP) is killed and started again; the new one serves the kiosk', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(config, stringify(testConfig(dir, { logging: { level: 'warn', pretty: false } })));
    const sup = new NotifySupervisor({ command: process.execPath, args: [GATE_BIN, 'run', '--config', config], cwd: dir, env: { NO_COLOR: '1' }, times, runDir: dir });
    supervisors.push(sup);
    await sup.start();
    const first = await sup.waitFor('ready', 30_000);
    const readyMs = first.at - (sup.events[0]?.at ?? first.at);
    // Healthy: it keeps pinging (every half period), and three watchdog periods' worth of pings come
    // without a kill. Counted, not timed: a loaded machine gives fewer pings in a fixed time.
    const pings = () => sup.events.filter((e) => e.type === 'watchdog' && e.pid === first.pid).length;
    const gone = () => sup.events.some((e) => e.type === 'kill' || e.type === 'exit');
    await vi.waitUntil(() => pings() >= 6 || gone(), { timeout: 30_000, interval: 50 });
    expect(gone()).toBe(false);
    expect(pings()).toBeGreaterThanOrEqual(6);
    expect(await healthz(sup)).toBe(200);

    const mark = sup.events.length;
    const frozenAt = performance.now();
    process.kill(first.pid, 'SIGSTOP');
    const expired = await sup.waitFor('watchdog-timeout', 4 * WATCHDOG_MS, () => true, mark);
    const killed = await sup.waitFor('kill', 1000, (e) => e.pid === first.pid, mark);
    const exit = await sup.waitFor('exit', 5000, (e) => e.pid === first.pid, mark);
    const again = await sup.waitFor('ready', 30_000, (e) => e.pid !== first.pid, mark);
    expect(killed.signal).toBe('SIGKILL');
    expect(exit).toMatchObject({ signal: 'SIGKILL', result: 'watchdog' });
    // Expiry comes one watchdog period after the last ping: at most WatchdogSec after the freeze.
    expect(expired.at - frozenAt).toBeLessThanOrEqual(WATCHDOG_MS + 250);
    expect(await healthz(sup)).toBe(200);
    const figures = {
      startToReadyMs: Math.round(readyMs),
      freezeToKillMs: Math.round(killed.at - frozenAt),
      freezeToReadyAgainMs: Math.round(again.at - frozenAt),
      restartToReadyMs: Math.round(again.at - exit.at - times.restartMs),
    };
    console.log(`watchdog (WatchdogSec=${WATCHDOG_MS / 1000}s, RestartSec=${times.restartMs / 1000}s): ${JSON.stringify(figures)}`);
    expect(figures.freezeToReadyAgainMs).toBeLessThan(WATCHDOG_MS + times.restartMs + 30_000);
  }, 90_000);

  it('a daemon wedged on a synchronous job (event loop stalled, process running) is restarted too', async () => {
    const dir = tempDir();
    const sup = new NotifySupervisor({ command: process.execPath, args: [join(import.meta.dirname, 'fixtures/busy-daemon.mjs')], cwd: dir, times, runDir: dir });
    supervisors.push(sup);
    await sup.start();
    const first = await sup.waitFor('ready', 10_000);
    await sup.waitFor('watchdog', 3 * WATCHDOG_MS, (e) => e.pid === first.pid);
    const mark = sup.events.length;
    process.kill(first.pid, 'SIGUSR2');
    await sup.waitFor('watchdog-timeout', 4 * WATCHDOG_MS, () => true, mark);
    const exit = await sup.waitFor('exit', 5000, (e) => e.pid === first.pid, mark);
    expect(exit.result).toBe('watchdog');
    const again = await sup.waitFor('ready', 10_000, (e) => e.pid !== first.pid, mark);
    expect(again.pid).not.toBe(first.pid);
  }, 60_000);

  it('a clean exit (code 0) is not restarted: Restart=on-failure', async () => {
    const dir = tempDir();
    const script = join(dir, 'exit0.mjs');
    writeFileSync(script, 'setTimeout(() => process.exit(0), 200);\n');
    const sup = new NotifySupervisor({ command: process.execPath, args: [script], cwd: dir, times: { ...times, timeoutStartMs: 5000 }, runDir: dir });
    supervisors.push(sup);
    await sup.start();
    const exit = await sup.waitFor('exit', 5000);
    expect(exit).toMatchObject({ code: 0, result: 'success' });
    await new Promise((r) => setTimeout(r, times.restartMs + 500));
    expect(sup.events.filter((e) => e.type === 'spawn')).toHaveLength(1);
  }, 20_000);
});
