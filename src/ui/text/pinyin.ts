// Chinese by pinyin for the kiosk's own keyboard (a touch-only box has no input method): the characters
// read as a syllable, common ones first. Readings come from pinyin-pro, indexed at development time
// (src/ui/text/pinyin-build.ts → pinyin-index.ts, 75 KB): the daemon neither loads the dictionary nor
// indexes 20,000 characters, and reads the index on the first question only.

type Index = Readonly<Record<string, string>>;
let index: Promise<Index> | undefined;

/** The index, imported on the first question (its own chunk in the packed program). */
function pinyinIndex(): Promise<Index> {
  index ??= import('./pinyin-index.js').then((m) => m.PINYIN_INDEX);
  return index;
}

/**
 * Characters for what was typed: the exact syllable's first, then syllables it begins (w → wa, wang …).
 * Lower case a–z only (ü typed as v); anything else gives nothing.
 */
export async function pinyinCandidates(typed: string, limit = 48): Promise<string[]> {
  const q = typed.toLowerCase();
  if (!/^[a-z]{1,6}$/.test(q)) return [];
  const idx = await pinyinIndex();
  const out = new Set(Object.hasOwn(idx, q) ? Array.from(idx[q] as string) : []);
  if (out.size < limit) {
    for (const [syllable, chars] of Object.entries(idx)) {
      if (syllable !== q && syllable.startsWith(q)) for (const ch of Array.from(chars).slice(0, 6)) out.add(ch);
      if (out.size >= limit) break;
    }
  }
  return [...out].slice(0, limit);
}
