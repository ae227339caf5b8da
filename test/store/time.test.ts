import { describe, expect, it } from 'vitest';
import { dayStart, localDateTime, localDay } from '../../src/store/time.js';

/** An independent answer: Intl alone (one formatter per zone: building one per call made this test take 38 s on a loaded CI machine). */
const formatters = new Map<string, Intl.DateTimeFormat>();
const dayByIntl = (ms: number, timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(new Date(ms));
};

describe('local days', () => {
  it('gives the village calendar day at and around midnight', () => {
    const midnight = Date.UTC(2026, 10, 22, 16); // 2026-11-23 00:00 in Shanghai
    expect(localDay(midnight - 1, 'Asia/Shanghai')).toBe('2026-11-22');
    expect(localDay(midnight, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(localDay(midnight - 1, 'Asia/Shanghai')).toBe('2026-11-22');
    expect(dayStart('2026-11-23', 'Asia/Shanghai')).toBe(midnight);
    expect(localDateTime(midnight + 3_723_000, 'Asia/Shanghai')).toBe('2026-11-23 01:02:03');
  });

  it('stays right across days, zones and daylight-saving changes, forwards and backwards', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/Santiago', 'America/Havana', 'UTC'];
    // Spans Europe's and Chile's 2026 changes (Chile's clocks change at midnight).
    const spans = [Date.UTC(2026, 2, 27), Date.UTC(2026, 3, 3), Date.UTC(2026, 8, 4), Date.UTC(2026, 9, 23)];
    for (const start of spans) {
      const instants = Array.from({ length: 1200 }, (_, i) => start + i * 7 * 60_000 + (i % 5) * 999);
      const wrong: string[] = [];
      for (const ms of [...instants, ...instants.reverse()]) for (const z of zones) if (localDay(ms, z) !== dayByIntl(ms, z)) wrong.push(`${new Date(ms).toISOString()} ${z}: ${localDay(ms, z)}, Intl ${dayByIntl(ms, z)}`);
      expect(wrong).toEqual([]);
    }
  });
});
