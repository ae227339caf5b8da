// Session idle lock and login lockout, on a hand-driven clock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusedLoginAudit } from '../../src/ui/login-audit.js';
import { kioskScreenMatcher, LOGIN_DELAYS, LoginGuard } from '../../src/ui/login-guard.js';
import { Sessions } from '../../src/ui/sessions.js';

describe('Sessions', () => {
  it('locks a session idle longer than the limit; the event stream does not keep it awake', () => {
    let t = 0;
    const s = new Sessions(300_000, () => t);
    const a = s.create({ id: 'v01', name: '甲', role: 'volunteer' });
    t = 200_000;
    expect(s.lookup(a.token, true).state).toBe('ok');
    t = 450_000;
    expect(s.lookup(a.token, false).state).toBe('ok');
    t = 501_000;
    expect(s.lookup(a.token, false).state).toBe('locked');
    expect(s.lookup('forged', true).state).toBe('none');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps a locked session its screen still watches (the live view), and sweeps one nobody watches', () => {
    let t = 0;
    const s = new Sessions(300_000, () => t);
    const watched = s.create({ id: 'v01', name: '甲', role: 'volunteer' });
    const left = s.create({ id: 'v02', name: '乙', role: 'volunteer' });
    s.lock(watched.token);
    expect(s.lookup(watched.token, true).state).toBe('locked');
    for (t = 0; t <= 8 * 3_600_000; t += 15_000) expect(s.viewing(watched.token)).toBe('locked');
    s.sweep();
    expect(s.lookup(watched.token, false).state).toBe('locked');
    expect(s.lookup(left.token, false).state).toBe('none');
  });

  it('ends every session of a deactivated operator', () => {
    const s = new Sessions(1000, () => 0);
    const a = s.create({ id: 'v01', name: '甲', role: 'volunteer' });
    const b = s.create({ id: 'admin', name: '乙', role: 'admin' });
    s.destroyOperator('v01');
    expect(s.lookup(a.token, true).state).toBe('none');
    expect(s.lookup(b.token, true).state).toBe('ok');
  });
});

describe('LoginGuard', () => {
  const setup = () => {
    const clock = { t: 0 };
    const g = new LoginGuard({ now: () => clock.t, isKioskScreen: kioskScreenMatcher(['192.168.1.20']) });
    return { g, clock };
  };

  it('doubles the delay after the free wrong PINs, per operator and address, up to the cap', () => {
    const { g, clock } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      waits.push(g.fail('v01', '10.0.0.5'));
      clock.t += waits.at(-1)! * 1000;
    }
    expect(waits.slice(0, 7)).toEqual([0, 0, 0, 2, 4, 8, 16]);
    expect(waits.at(-1)).toBe(LOGIN_DELAYS.maxDelayMs / 1000);
    expect(g.lockedFor('v02', '10.0.0.5')).toBe(0);
  });

  it('never holds the kiosk screen (loopback or configured) longer than its short cap, whatever others do', () => {
    const { g, clock } = setup();
    for (let i = 0; i < 40; i++) g.fail('admin', `10.0.0.${i % 4}`);
    expect(g.lockedFor('admin', '10.0.0.99')).toBeGreaterThan(0); // every address counts for the operator
    for (const screen of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '192.168.1.20', '::ffff:192.168.1.20']) expect(g.lockedFor('admin', screen)).toBe(0);
    let wait = 0;
    for (let i = 0; i < 20; i++) {
      clock.t += wait * 1000;
      wait = g.fail('admin', '127.0.0.1');
    }
    expect(wait).toBe(LOGIN_DELAYS.kioskMaxDelayMs / 1000);
    g.succeed('admin', '127.0.0.1');
    expect(g.lockedFor('admin', '127.0.0.1')).toBe(0);
  });

  it('forgets a count a day after its last wrong PIN', () => {
    const { g, clock } = setup();
    for (let i = 0; i < 5; i++) g.fail('v01', '10.0.0.5');
    clock.t += LOGIN_DELAYS.forgetMs + 1;
    expect(g.lockedFor('v01', '10.0.0.5')).toBe(0);
    expect(g.fail('v01', '10.0.0.5')).toBe(0);
  });
});

describe('RefusedLoginAudit', () => {
  afterEach(() => vi.useRealTimers());

  it('writes one row per address and episode, when the address has been quiet for a while', async () => {
    vi.useFakeTimers();
    const rows: Array<Record<string, unknown>> = [];
    const a = new RefusedLoginAudit({ now: () => Date.now(), write: (d) => rows.push(d), quietMs: 60_000 });
    for (let i = 0; i < 145; i++) {
      a.refused('10.0.0.5', i % 2 ? 'rate-limit' : 'delay', 'admin');
      await vi.advanceTimersByTimeAsync(10_000);
    }
    a.refused('10.0.0.6', 'delay', 'v01');
    expect(rows).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ ip: '10.0.0.5', attempts: 145, rateLimited: 72, delayed: 73, operators: ['admin'] });
    a.refused('10.0.0.5', 'delay');
    a.flush();
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ ip: '10.0.0.5', attempts: 1 });
  });
});
