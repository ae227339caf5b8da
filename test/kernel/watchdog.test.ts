import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotifier, watchdogIntervalMs } from '../../src/kernel/sd-notify.js';
import { Watchdog } from '../../src/kernel/watchdog.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('watchdog interval', () => {
  it('is half of WATCHDOG_USEC', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000' })).toBe(10_000);
  });
  it('is off without WATCHDOG_USEC or for another pid', () => {
    expect(watchdogIntervalMs({})).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '1' }, 4242)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '4242' }, 4242)).toBe(10_000);
  });
});

describe('notifier', () => {
  it('is a no-op without NOTIFY_SOCKET', () => {
    const sent: string[] = [];
    const n = createNotifier({}, (m) => sent.push(m));
    n.ready();
    n.watchdog();
    n.stopping();
    expect(n.enabled).toBe(false);
    expect(sent).toEqual([]);
  });
  it('speaks the sd_notify protocol', () => {
    const sent: string[] = [];
    const n = createNotifier({ NOTIFY_SOCKET: '/run/x' }, (m) => sent.push(m));
    n.ready('kiosk at http://127.0.0.1:8080/');
    n.watchdog();
    n.stopping();
    expect(sent).toEqual(['READY=1\nSTATUS=kiosk at http://127.0.0.1:8080/', 'WATCHDOG=1', 'STOPPING=1']);
  });
});

describe('Watchdog', () => {
  afterEach(() => vi.useRealTimers());

  it('pings at every interval while the event loop runs', async () => {
    vi.useFakeTimers();
    const pings: number[] = [];
    const wd = new Watchdog({ notifier: { watchdog: () => pings.push(Date.now()) }, intervalMs: 5000 });
    wd.start();
    await vi.advanceTimersByTimeAsync(20_000);
    wd.stop();
    expect(pings).toHaveLength(5);
  });

  it('stops pinging when the event loop stalls', async () => {
    vi.useFakeTimers();
    let pings = 0;
    const wd = new Watchdog({ notifier: { watchdog: () => pings++ }, intervalMs: 5000 });
    wd.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings).toBe(3);
    // A synchronous stall: the clock moves 30 s while no timer can fire.
    vi.setSystemTime(Date.now() + 30_000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(pings).toBe(3);
    expect(wd.skipped).toBeGreaterThanOrEqual(1);
    // Back to normal: pings resume.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings).toBe(5);
    wd.stop();
  });

  it('skips the ping when a health check fails', async () => {
    vi.useFakeTimers();
    let pings = 0;
    let ok = true;
    const wd = new Watchdog({ notifier: { watchdog: () => pings++ }, intervalMs: 1000, healthy: () => ok });
    wd.start();
    await vi.advanceTimersByTimeAsync(2000);
    ok = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(pings).toBe(3);
    wd.stop();
  });
});

describe('notifier over a real unix datagram socket', () => {
  it('delivers READY=1 and WATCHDOG=1 to $NOTIFY_SOCKET', async () => {
    const { createRequire } = await import('node:module');
    const { join } = await import('node:path');
    const require = createRequire(import.meta.url);
    const unix = require('unix-dgram') as { createSocket(t: string, cb: (buf: Buffer) => void): { bind(p: string): void; close(): void } };
    const path = join(tempDir('notify-'), 'notify.sock');
    const got: string[] = [];
    const server = unix.createSocket('unix_dgram', (buf) => got.push(buf.toString()));
    server.bind(path);
    const n = createNotifier({ NOTIFY_SOCKET: path });
    n.ready();
    n.watchdog();
    await vi.waitFor(() => expect(got).toEqual(['READY=1', 'WATCHDOG=1']));
    n.close();
    server.close();
  });
});
