// Chinese by pinyin for the kiosk's own keyboard (a touch-only box has no input method): the characters
// read as a syllable, common ones first. Readings come from pinyin-pro (its dictionary, polyphones
// included). The order: characters as they first appear in pinyin-pro's two-character words (listed
// most common first), then GB 2312's first level (the 3,755 常用字), its second level, then the rest of
// the CJK block. Built once, on the first question (about 20,000 characters, a second or two).
import iconv from 'iconv-lite';
import { pinyin } from 'pinyin-pro';
import DICT2 from 'pinyin-pro/dist/esm/data/dict2.mjs';

type Index = Map<string, string[]>;
let index: Index | undefined;

/** The characters of GB 2312 level 1 (rows 16–55) and level 2 (rows 56–87), in its order. */
function gb2312(levelRows: [number, number]): string[] {
  const out: string[] = [];
  for (let hi = 0xa0 + levelRows[0]; hi <= 0xa0 + levelRows[1]; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = iconv.decode(Buffer.from([hi, lo]), 'gbk');
      if (/^\p{Script=Han}$/u.test(ch)) out.push(ch);
    }
  }
  return out;
}

function build(): Index {
  const seen = new Set<string>();
  const order: string[] = [];
  const add = (ch: string) => {
    if (!seen.has(ch)) {
      seen.add(ch);
      order.push(ch);
    }
  };
  for (const word of Object.keys(DICT2)) for (const ch of word) if (/^\p{Script=Han}$/u.test(ch)) add(ch);
  for (const ch of gb2312([16, 55])) add(ch);
  for (const ch of gb2312([56, 87])) add(ch);
  for (let cp = 0x4e00; cp <= 0x9fa5; cp++) add(String.fromCodePoint(cp));
  const idx: Index = new Map();
  for (const ch of order) {
    const readings = pinyin(ch, { toneType: 'none', multiple: true, type: 'array' }) as string[];
    for (const r of new Set(readings.map((x) => x.replace(/ü/g, 'v')))) {
      if (!/^[a-z]+$/.test(r)) continue;
      let list = idx.get(r);
      if (!list) {
        list = [];
        idx.set(r, list);
      }
      list.push(ch);
    }
  }
  return idx;
}

/**
 * Characters for what was typed: the exact syllable's first, then syllables it begins (w → wa, wang …).
 * Lower case a–z only (ü typed as v); anything else gives nothing.
 */
export function pinyinCandidates(typed: string, limit = 48): string[] {
  const q = typed.toLowerCase();
  if (!/^[a-z]{1,6}$/.test(q)) return [];
  index ??= build();
  const out = new Set(index.get(q) ?? []);
  if (out.size < limit) {
    for (const [syllable, chars] of index) {
      if (syllable !== q && syllable.startsWith(q)) for (const ch of chars.slice(0, 6)) out.add(ch);
      if (out.size >= limit) break;
    }
  }
  return [...out].slice(0, limit);
}
