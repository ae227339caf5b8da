// Sets of seqs as sorted, disjoint, inclusive ranges [from, to]: what a hub holds of a gate's
// history, and what it is missing of 1..highest. Pure functions; one range is the usual case.
export type Range = [number, number];

/** `ranges` with every seq of `seqs` added (both unchanged). */
export function addSeqs(ranges: readonly Range[], seqs: Iterable<number>): Range[] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const added: Range[] = [];
  for (const s of sorted) {
    const last = added.at(-1);
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], s);
    else added.push([s, s]);
  }
  return mergeRanges(ranges, added);
}

export function mergeRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [from, to] of all) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** The gaps of 1..highest not covered by `held`. */
export function missingRanges(held: readonly Range[], highest: number): Range[] {
  const out: Range[] = [];
  let next = 1;
  for (const [from, to] of held) {
    if (from > highest) break;
    if (from > next) out.push([next, from - 1]);
    next = Math.max(next, to + 1);
  }
  if (next <= highest) out.push([next, highest]);
  return out;
}

export function countSeqs(ranges: readonly Range[]): number {
  return ranges.reduce((n, [from, to]) => n + (to - from + 1), 0);
}

/** The first `max` seqs of `ranges` (for a bounded resend request). */
export function takeSeqs(ranges: readonly Range[], max: number): Range[] {
  const out: Range[] = [];
  let left = max;
  for (const [from, to] of ranges) {
    if (left <= 0) break;
    const end = Math.min(to, from + left - 1);
    out.push([from, end]);
    left -= end - from + 1;
  }
  return out;
}

export function parseRanges(text: string | null | undefined): Range[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v.filter((r) => Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1])) as Range[]) : [];
  } catch {
    return [];
  }
}
