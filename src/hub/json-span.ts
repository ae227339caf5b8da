// Where one member's value lies in the bytes of a JSON object, and whether those bytes are already
// what JSON.stringify would write for it: then the hub can store a record's `data` as the gate sent
// it instead of parsing it and writing it out again (a tenth of the hub's CPU per message, and a
// second copy of every queued record's text). The gates send their data as JSON.stringify wrote it,
// so the stored text is the same either way: the office's field filters (read.ts) match it as
// before.
//
// Only for bytes JSON.parse has already accepted (decoded as UTF-8): the scan trusts the syntax and
// looks only at the ASCII bytes that give it its structure. Those are the same in the bytes as in
// the decoded text: UTF-8 never puts an ASCII byte inside a multi-byte character, and a malformed
// sequence decodes to U+FFFD without taking the ASCII byte after it. Whatever the scan is not sure
// of gives undefined, and the caller falls back to JSON.stringify.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** The index just past the string whose opening quote is at `i`. */
function skipString(b: Uint8Array, i: number): number {
  i++;
  for (;;) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === undefined) return -1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

/** The index just past the value that starts at `i` (an object or array with all it holds). */
function skipValue(b: Uint8Array, i: number): number {
  const first = b[i];
  if (first === QUOTE) return skipString(b, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    while (i < b.length) {
      const c = b[i];
      if (c === QUOTE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  while (i < b.length) {
    const c = b[i];
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    i++;
  }
  return i;
}

/** The escapes JSON.stringify writes for a character it must escape, but for \u00XX: \" \\ \b \f \n \r \t. */
const SHORT_ESCAPE = new Uint8Array(128);
for (const c of '"\\bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;

/**
 * The index past the string at `i` if JSON.stringify would write it so, else -1: its characters as
 * they are, but for the short escapes. A \u escape gives -1 (JSON.stringify writes one only for a
 * rare control character or a lone surrogate; the fallback handles those).
 */
function compactString(b: Uint8Array, i: number): number {
  const n = b.length;
  for (i++; i < n; i++) {
    const c = b[i] as number;
    // Most bytes: letters, the ASCII above the backslash, every byte of a multi-byte character.
    if (c > BACKSLASH) continue;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = b[i + 1];
      if (e === undefined || e >= 128 || SHORT_ESCAPE[e] !== 1) return -1;
      i++;
    } else if (c < 0x20) return -1;
  }
  return -1;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= NINE;

/**
 * The index past the number at `i` if it is written as JSON.stringify writes it, else -1. Decimals
 * of up to 15 significant digits, without an exponent, a leading zero or a trailing zero in the
 * fraction, are their own shortest form (below 1e21 and from 1e-6 Number's text is not exponential);
 * anything else is compared with String(Number(text)).
 */
function compactNumber(b: Buffer, i: number): number {
  const start = i;
  if (b[i] === MINUS) i++;
  const intStart = i;
  while (isDigit(b[i])) i++;
  const intLength = i - intStart;
  if (intLength === 0 || (b[intStart] === ZERO && intLength > 1)) return -1;
  let significant = b[intStart] === ZERO ? 0 : intLength;
  let leadingZeros = 0;
  let plain = intLength <= 15;
  if (b[i] === 0x2e) {
    i++;
    const fracStart = i;
    while (isDigit(b[i])) i++;
    if (i === fracStart || b[i - 1] === ZERO) return -1;
    if (significant === 0) while (b[fracStart + leadingZeros] === ZERO) leadingZeros++;
    significant += i - fracStart - leadingZeros;
    plain = significant <= 15 && leadingZeros <= 5;
  } else if (b[intStart] === ZERO && intStart > start) plain = false; // -0 is written "0"
  const c = b[i];
  if (c === 0x65 || c === 0x45) {
    plain = false;
    i++;
    while (isDigit(b[i]) || b[i] === 0x2b || b[i] === MINUS) i++;
  }
  if (plain) return i;
  const text = b.toString('latin1', start, i);
  return String(Number(text)) === text ? i : -1;
}

function literal(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x66) return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
  return -1;
}

/** Deeper than this the scan gives up (no recursion: the kinds of the open containers are kept here). */
const MAX_DEPTH = 64;
const open = new Uint8Array(MAX_DEPTH);

/**
 * The index just past the value at `i` if its bytes are exactly what JSON.stringify writes for
 * what JSON.parse reads from them (no white space, short escapes only, numbers in their shortest
 * form), else -1. Keys repeated in one object are not looked for: JSON.parse keeps the last, and
 * so does every reader of the stored text (JSON.parse again, PostgreSQL's json operators).
 */
export function compactEnd(b: Buffer, i: number): number {
  let depth = 0;
  for (;;) {
    // A value at i.
    const c = b[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i++;
      if (b[i] === close) i++;
      else {
        if (depth === MAX_DEPTH) return -1;
        open[depth++] = close;
        if (close === CLOSE_BRACE) {
          if (b[i] !== QUOTE) return -1;
          i = compactString(b, i);
          if (i < 0 || b[i] !== COLON) return -1;
          i++;
        }
        continue;
      }
    } else if (c === QUOTE) i = compactString(b, i);
    else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) i = compactNumber(b, i);
    else i = literal(b, i);
    if (i < 0) return -1;
    // After a value: close what ends here, then a comma and the next value (with its key in an object).
    for (;;) {
      if (depth === 0) return i;
      const close = open[depth - 1];
      if (b[i] === close) {
        depth--;
        i++;
        continue;
      }
      if (b[i] !== COMMA) return -1;
      i++;
      if (close === CLOSE_BRACE) {
        if (b[i] !== QUOTE) return -1;
        i = compactString(b, i);
        if (i < 0 || b[i] !== COLON) return -1;
        i++;
      }
      break;
    }
  }
}

/** Like skipString, but -1 for a key with an escape in it. */
function skipKey(b: Uint8Array, i: number): number {
  i++;
  for (;;) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === undefined || c === BACKSLASH) return -1;
    i++;
  }
}

/** Whether the key whose quotes are at `start` and `end - 1` is `name` (ASCII). */
function keyIs(b: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start - 2 !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + 1 + k] !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * [start, end) of the value of the top-level member `name` (ASCII, no escapes) of the JSON object in
 * `b`, the last one if the name repeats (JSON.parse keeps the last), when that value is written as
 * JSON.stringify writes it (compactEnd). Undefined when the text is not an object, has no such
 * member, its value is written otherwise, or a top-level key has an escape (`"d\u0061ta"` is `data`
 * to JSON.parse but not to a comparison of bytes).
 */
export function compactMember(b: Buffer, name: string): [number, number] | undefined {
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_BRACE) return undefined;
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACE) return undefined;
  let found: [number, number] | undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyStart = i;
    i = skipKey(b, i);
    if (i < 0) return undefined;
    const wanted = keyIs(b, keyStart, i, name);
    i = skipSpace(b, i);
    if (b[i] !== COLON) return undefined;
    i = skipSpace(b, i + 1);
    const valueStart = i;
    i = wanted ? compactEnd(b, i) : skipValue(b, i);
    if (i < 0) return undefined;
    if (wanted) found = [valueStart, i];
    i = skipSpace(b, i);
    if (b[i] === CLOSE_BRACE) return found;
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
}
