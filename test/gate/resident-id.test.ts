import { describe, expect, it } from 'vitest';
import { maskResidentId, residentIdCheckDigit, validateResidentId } from '../../src/gate/credentials/resident-id.js';

// The worked examples published in GB 11643-1999 (the standard itself).
const PUBLISHED = ['11010519491231002X', '440524188001010014'];

describe('GB 11643 resident ID numbers', () => {
  it.each(PUBLISHED)('accepts the published example %s', (id) => {
    expect(validateResidentId(id)).toMatchObject({ ok: true, id });
  });

  it('reads birth date and sex', () => {
    expect(validateResidentId('11010519491231002X')).toEqual({ ok: true, id: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' });
    expect(validateResidentId('440524188001010014')).toMatchObject({ birthDate: '1880-01-01', sex: 'male' });
  });

  it('accepts lower-case x and normalises it', () => {
    expect(validateResidentId(' 11010519491231002x ')).toMatchObject({ ok: true, id: '11010519491231002X' });
  });

  it.each(PUBLISHED)('refuses every one-digit corruption of %s', (id) => {
    let tried = 0;
    for (let pos = 0; pos < 18; pos++) {
      const alphabet = pos === 17 ? '0123456789X' : '0123456789';
      for (const c of alphabet) {
        if (c === id[pos]) continue;
        const bad = id.slice(0, pos) + c + id.slice(pos + 1);
        tried++;
        const r = validateResidentId(bad);
        expect(r.ok, bad).toBe(false);
        if (!r.ok) expect(['check-digit', 'region', 'birth-date']).toContain(r.reason);
      }
    }
    expect(tried).toBe(17 * 9 + 10);
  });

  it('gives the exact reason', () => {
    expect(validateResidentId('1101051949123100')).toMatchObject({ ok: false, reason: 'format' });
    expect(validateResidentId('11010519491231002Y')).toMatchObject({ ok: false, reason: 'format' });
    expect(validateResidentId('990105194912310023')).toMatchObject({ ok: false, reason: 'region' });
    const feb30 = `11010519490230002`;
    expect(validateResidentId(feb30 + residentIdCheckDigit(feb30))).toMatchObject({ ok: false, reason: 'birth-date', text: { zh: expect.stringContaining('出生日期') } });
    const future = '11010520990101002';
    expect(validateResidentId(future + residentIdCheckDigit(future), Date.parse('2026-11-23'))).toMatchObject({ ok: false, reason: 'birth-date' });
    expect(validateResidentId('110105194912310021')).toMatchObject({ ok: false, reason: 'check-digit', text: { en: expect.stringContaining('check digit') } });
  });

  it('masks all but the first and last four characters', () => {
    expect(maskResidentId('310101199001011234')).toBe('3101**********1234');
    expect(maskResidentId('11010519491231002x')).toBe('1101**********002X');
    expect(maskResidentId('1234')).toBe('****');
  });
});
