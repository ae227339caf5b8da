// The kiosk keyboard's pinyin index is generated from pinyin-pro at development time, so the daemon
// never loads the dictionary: the committed file must be what the generator makes now.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinyinIndexSource } from '../../src/ui/text/pinyin-build.js';
import { pinyinCandidates } from '../../src/ui/text/pinyin.js';
import { ROOT } from '../helpers/daemon.js';

describe('the pinyin index', () => {
  it('is up to date with pinyin-pro (regenerate: npx tsx src/ui/text/pinyin-build.ts > src/ui/text/pinyin-index.ts)', () => {
    expect(readFileSync(join(ROOT, 'src/ui/text/pinyin-index.ts'), 'utf8')).toBe(pinyinIndexSource());
  });

  it('gives the exact syllable’s characters first, common ones first, then the syllables it begins', async () => {
    const wang = await pinyinCandidates('wang');
    expect(wang.slice(0, 8)).toContain('王');
    expect(await pinyinCandidates('WANG')).toEqual(wang);
    const w = await pinyinCandidates('w', 500);
    expect(w.indexOf('王')).toBeGreaterThan(-1);
    expect(await pinyinCandidates('lv')).toContain('绿');
    expect(await pinyinCandidates('zh', 5)).toHaveLength(5);
    expect(await pinyinCandidates('王')).toEqual([]);
    expect(await pinyinCandidates('constructor')).toEqual([]);
    expect(await pinyinCandidates('xyzq')).toEqual([]);
  });
});
