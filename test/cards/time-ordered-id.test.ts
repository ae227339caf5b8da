import { describe, expect, it } from 'vitest';
import { createTimeOrderedIds } from '../../src/cards/time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds a version-7 UUID carries in its first 48 bits. */
const msOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('time-ordered ids (UUIDv7)', () => {
  it('are version-7 UUIDs carrying the wall time', () => {
    const at = Date.UTC(2026, 11, 1, 2, 30);
    const next = createTimeOrderedIds(() => at);
    const id = next();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBe(at);
  });

  it('sort in the order they were made, within a millisecond and across', () => {
    let t = Date.UTC(2026, 11, 1);
    const next = createTimeOrderedIds(() => t);
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 700 === 0) t += 1;
      ids.push(next());
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('keep counting up when the clock is stepped back, and stay unique', () => {
    let t = Date.UTC(2026, 11, 1, 8);
    const next = createTimeOrderedIds(() => t);
    const before = [next(), next()];
    t -= 3_600_000; // an NTP step back by an hour
    const after = [next(), next(), next()];
    const all = [...before, ...after];
    expect([...all].sort()).toEqual(all);
    expect(msOf(after[2] as string)).toBe(Date.UTC(2026, 11, 1, 8));
  });

  it('borrow the next millisecond when 4,096 ids fall in one', () => {
    const t = Date.UTC(2026, 11, 1);
    const next = createTimeOrderedIds(() => t);
    const ids = Array.from({ length: 10_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(msOf(ids.at(-1) as string)).toBeGreaterThan(t);
  });

  it('differ between two generators started in the same millisecond (random tail)', () => {
    const t = Date.UTC(2026, 11, 1);
    const a = createTimeOrderedIds(() => t);
    const b = createTimeOrderedIds(() => t);
    const tails = (n: () => string) => Array.from({ length: 100 }, () => n().slice(19));
    const fromA = new Set(tails(a));
    expect(tails(b).filter((x) => fromA.has(x))).toEqual([]);
  });
});
