// Clock synchronisation with fakes: probes that answer as timesyncd, timedatectl and chrony do,
// a wall clock that NTP steps, a monotonic clock that does not, and fake timers for the polling.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ClockCorrection, type ClockProbe, ClockSync, chronyProbe, DEFAULT_NOT_BEFORE, recordClockCorrection, timedatectlProbe, timesyncdFlagProbe } from '../../src/app/clock-sync.js';

/** A fake machine clock: wall = mono + offset; `step` is what NTP does. */
function machine(startWall: number) {
  let mono = 1000;
  let offset = startWall - mono;
  return {
    wall: () => mono + offset,
    mono: () => mono,
    advance(ms: number) {
      mono += ms;
    },
    step(ms: number) {
      offset += ms;
    },
  };
}

function switchable(name: string, initial: boolean | undefined) {
  let answer = initial;
  const probe: ClockProbe & { set(v: boolean | undefined): void; calls: number } = {
    name,
    calls: 0,
    async check() {
      probe.calls++;
      return answer;
    },
    set(v) {
      answer = v;
    },
  };
  return probe;
}

const FAKE_HWCLOCK = Date.UTC(2026, 10, 20, 8, 0, 0); // the time saved at the last shutdown
const HOUR = 3_600_000;

describe('probes', () => {
  it('timesyncd: the flag file means synchronised; its absence says nothing', async () => {
    expect(await timesyncdFlagProbe('/run/x', () => true).check()).toBe(true);
    expect(await timesyncdFlagProbe('/run/x', () => false).check()).toBeUndefined();
  });

  it('timedatectl: NTPSynchronized yes/no; a failing command says nothing', async () => {
    const calls: string[][] = [];
    const yes = timedatectlProbe(async (cmd, args) => {
      calls.push([cmd, ...args]);
      return 'yes\n';
    });
    expect(await yes.check()).toBe(true);
    expect(calls[0]).toEqual(['timedatectl', 'show', '--property=NTPSynchronized', '--value']);
    expect(await timedatectlProbe(async () => 'no\n').check()).toBe(false);
    expect(
      await timedatectlProbe(async () => {
        throw new Error('Failed to connect to bus: No such file or directory');
      }).check(),
    ).toBeUndefined();
  });

  it('chrony: the leap status of `chronyc -n tracking`', async () => {
    const tracking = (leap: string) => `Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\nLeap status     : ${leap}\n`;
    expect(await chronyProbe(async () => tracking('Normal')).check()).toBe(true);
    expect(await chronyProbe(async () => tracking('Not synchronised')).check()).toBe(false);
    expect(await chronyProbe(async () => 'garbage').check()).toBeUndefined();
  });
});

describe('ClockSync', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('boots unsynced on the fake-hwclock time, reports the NTP step as a correction once synced', async () => {
    const m = machine(FAKE_HWCLOCK);
    const flag = switchable('timesyncd', undefined);
    const ntp = switchable('timedatectl', false);
    const corrections: ClockCorrection[] = [];
    const clock = new ClockSync({ probes: [flag, ntp], now: m.wall, monotonic: m.mono, pollUnsyncedMs: 15_000, onSynced: (c) => corrections.push(c) });
    const bootWall = m.wall();
    await clock.start();
    expect(clock.synced()).toBe(false);
    // Passages are written for a while on the wrong time.
    m.advance(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(clock.synced()).toBe(false);
    expect(ntp.calls).toBeGreaterThanOrEqual(4);
    // The network comes up: NTP steps the clock 3 days and 2 hours forward and says synchronised.
    const step = 3 * 24 * HOUR + 2 * HOUR;
    m.step(step);
    flag.set(true);
    m.advance(15_000);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(clock.synced()).toBe(true);
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toEqual({ syncedAt: m.wall(), offsetMs: step, unsyncedSince: bootWall, source: 'timesyncd' });
    expect(clock.now()).toBe(m.wall());
    clock.stop();
  });

  it('a clock before the plausibility floor is unsynced whatever the probes say', async () => {
    const m = machine(Date.UTC(1970, 0, 1, 0, 0, 5));
    const clock = new ClockSync({ probes: [switchable('timedatectl', true)], now: m.wall, monotonic: m.mono });
    expect(await clock.checkNow()).toBe(false);
    expect(m.wall()).toBeLessThan(DEFAULT_NOT_BEFORE);
  });

  it('no probe can tell: not synchronised (never claims a good clock it cannot vouch for)', async () => {
    const m = machine(FAKE_HWCLOCK);
    const clock = new ClockSync({ probes: [switchable('timesyncd', undefined), switchable('chrony', undefined)], now: m.wall, monotonic: m.mono });
    expect(await clock.checkNow()).toBe(false);
  });

  it('synced from the first check: no correction to send', async () => {
    const m = machine(FAKE_HWCLOCK);
    const onSynced = vi.fn();
    const clock = new ClockSync({ probes: [switchable('timedatectl', true)], now: m.wall, monotonic: m.mono, onSynced });
    await clock.start();
    expect(clock.synced()).toBe(true);
    expect(onSynced).not.toHaveBeenCalled();
    clock.stop();
  });

  it('losing sync marks records unsynced again and a later sync reports the new step only', async () => {
    const m = machine(FAKE_HWCLOCK);
    const ntp = switchable('timedatectl', true);
    const corrections: ClockCorrection[] = [];
    const lost = vi.fn();
    const clock = new ClockSync({ probes: [ntp], now: m.wall, monotonic: m.mono, pollSyncedMs: 60_000, pollUnsyncedMs: 10_000, onSynced: (c) => corrections.push(c), onLost: lost });
    await clock.start();
    expect(clock.synced()).toBe(true);
    ntp.set(false);
    m.advance(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(clock.synced()).toBe(false);
    expect(lost).toHaveBeenCalledWith('timedatectl');
    const lostAt = m.wall();
    m.step(-1500);
    ntp.set(true);
    m.advance(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(clock.synced()).toBe(true);
    expect(corrections).toEqual([{ syncedAt: m.wall(), offsetMs: -1500, unsyncedSince: lostAt, source: 'timedatectl' }]);
    clock.stop();
  });

  it('stop() ends the polling', async () => {
    const m = machine(FAKE_HWCLOCK);
    const ntp = switchable('timedatectl', false);
    const clock = new ClockSync({ probes: [ntp], now: m.wall, monotonic: m.mono, pollUnsyncedMs: 1000 });
    await clock.start();
    clock.stop();
    const calls = ntp.calls;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ntp.calls).toBe(calls);
  });

  it('assumeSynced (simulation) trusts the clock and probes nothing', async () => {
    const ntp = switchable('timedatectl', false);
    const clock = new ClockSync({ probes: [ntp], assumeSynced: true });
    await clock.start();
    expect(clock.synced()).toBe(true);
    expect(ntp.calls).toBe(0);
  });

  it('the correction goes to the outbox as a "correction" row for the hub', () => {
    const enqueue = vi.fn((_kind: string, _payload: Record<string, unknown>) => ({ seq: 42 }));
    const c: ClockCorrection = { syncedAt: 1_800_000_000_000, offsetMs: 7_200_000, unsyncedSince: 1_799_990_000_000, source: 'chrony' };
    expect(recordClockCorrection({ enqueue }, c)).toEqual({ seq: 42 });
    expect(enqueue).toHaveBeenCalledWith('correction', { type: 'clock', ...c });
  });
});
