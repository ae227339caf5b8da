import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Feature } from '../../src/kernel/feature.js';
import { handleSignals, Lifecycle } from '../../src/kernel/lifecycle.js';

const logger = pino({ level: 'silent' });

function recorder(log: string[], name: string, opts: { failStart?: boolean; hang?: boolean } = {}): Feature {
  return {
    name,
    async start() {
      log.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} broke`);
    },
    stop() {
      log.push(`stop ${name}`);
      if (opts.hang) return new Promise<void>(() => {});
    },
  };
}

describe('Lifecycle', () => {
  afterEach(() => vi.useRealTimers());

  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const lc = new Lifecycle({ logger });
    for (const n of ['storage', 'devices', 'gate', 'sync', 'kiosk']) lc.add(recorder(log, n));
    await lc.start();
    await lc.stop();
    expect(log).toEqual([
      'start storage', 'start devices', 'start gate', 'start sync', 'start kiosk',
      'stop kiosk', 'stop sync', 'stop gate', 'stop devices', 'stop storage',
    ]);
  });

  it('a failed start stops what was started, in reverse, and never half-starts', async () => {
    const log: string[] = [];
    const lc = new Lifecycle({ logger });
    lc.add(recorder(log, 'storage')).add(recorder(log, 'devices')).add(recorder(log, 'sync', { failStart: true })).add(recorder(log, 'kiosk'));
    await expect(lc.start()).rejects.toThrow(/Could not start sync: sync broke/);
    expect(log).toEqual(['start storage', 'start devices', 'start sync', 'stop devices', 'stop storage']);
  });

  it('a hanging stop does not keep the others from stopping within the budget', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const lc = new Lifecycle({ logger, stopBudgetMs: 4000 });
    lc.add(recorder(log, 'storage')).add(recorder(log, 'sync', { hang: true })).add(recorder(log, 'kiosk'));
    await lc.start();
    let done = false;
    const stopped = lc.stop().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(3999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    await stopped;
    expect(log.slice(-3)).toEqual(['stop kiosk', 'stop sync', 'stop storage']);
  });

  it('stop is idempotent', async () => {
    const log: string[] = [];
    const lc = new Lifecycle({ logger }).add(recorder(log, 'a'));
    await lc.start();
    await Promise.all([lc.stop(), lc.stop()]);
    expect(log.filter((l) => l === 'stop a')).toHaveLength(1);
  });
});

describe('handleSignals', () => {
  afterEach(() => vi.useRealTimers());

  it('SIGTERM stops then exits 0', async () => {
    const target = new EventEmitter();
    const exit = vi.fn();
    const stop = vi.fn(async () => {});
    handleSignals({ target, stop, exit, logger });
    target.emit('SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('a second signal while stopping exits 1 at once', async () => {
    const target = new EventEmitter();
    const exit = vi.fn();
    handleSignals({ target, stop: () => new Promise<void>(() => {}), exit, logger });
    target.emit('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    target.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('a shutdown that overruns the hard limit exits 1', async () => {
    vi.useFakeTimers();
    const target = new EventEmitter();
    const exit = vi.fn();
    handleSignals({ target, stop: () => new Promise<void>(() => {}), exit, logger, hardLimitMs: 5000 });
    target.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(4999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
