// Session idle lock and login lockout, on a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { LoginGuard, Sessions } from '../../src/ui/sessions.js';

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
  it('locks after N failures for the lock time, then counts afresh', () => {
    let t = 0;
    const g = new LoginGuard(3, 60_000, () => t);
    expect(g.fail('v01')).toBe(false);
    expect(g.fail('v01')).toBe(false);
    expect(g.fail('v01')).toBe(true);
    expect(g.lockedFor('v01')).toBe(60);
    expect(g.lockedFor('v02')).toBe(0);
    t = 60_001;
    expect(g.lockedFor('v01')).toBe(0);
    expect(g.fail('v01')).toBe(false);
    g.succeed('v01');
    expect(g.fail('v01')).toBe(false);
  });
});
