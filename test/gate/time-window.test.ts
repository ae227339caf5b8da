import { describe, expect, it } from 'vitest';
import { assertTimeZone, inWindows, localTime } from '../../src/gate/time-window.js';

const at = (iso: string) => Date.parse(iso);
const TZ = 'Asia/Shanghai';

describe('time windows in the site time zone', () => {
  it('reads local day and minutes, not UTC', () => {
    expect(localTime(at('2026-11-22T16:30:00Z'), TZ)).toEqual({ day: 1, minutes: 30 }); // Monday 00:30 in Shanghai
  });

  it('includes from and excludes to', () => {
    const w = [{ from: '08:00', to: '17:00' }];
    expect(inWindows(w, at('2026-11-23T08:00:00+08:00'), TZ)).toBe(true);
    expect(inWindows(w, at('2026-11-23T16:59:00+08:00'), TZ)).toBe(true);
    expect(inWindows(w, at('2026-11-23T17:00:00+08:00'), TZ)).toBe(false);
  });

  it('runs a window past midnight into the next day, counting the day it started', () => {
    const nightShift = [{ days: [5], from: '22:00', to: '06:00' }]; // Friday night
    expect(inWindows(nightShift, at('2026-11-27T23:00:00+08:00'), TZ)).toBe(true); // Fri 23:00
    expect(inWindows(nightShift, at('2026-11-28T05:59:00+08:00'), TZ)).toBe(true); // Sat 05:59
    expect(inWindows(nightShift, at('2026-11-28T06:00:00+08:00'), TZ)).toBe(false);
    expect(inWindows(nightShift, at('2026-11-28T23:00:00+08:00'), TZ)).toBe(false); // Sat 23:00
    expect(inWindows(nightShift, at('2026-11-27T05:00:00+08:00'), TZ)).toBe(false); // Fri 05:00 belongs to Thursday
    expect(inWindows([{ from: '21:00', to: '24:00' }], at('2026-11-27T23:59:00+08:00'), TZ)).toBe(true);
  });

  it('refuses an unknown time zone with a usable message', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(/IANA name such as Asia\/Shanghai/);
  });
});
