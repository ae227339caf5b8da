// A passage message read straight from its bytes, without JSON.parse, when it is written as the
// gates write it (src/sync/drain.ts: compact, as JSON.stringify writes, the envelope's strings
// without escapes): JSON.parse and its tree of objects were a fifth of the hub's CPU per message,
// and the hub keeps a handful of the fields. Anything else gives undefined and classify.ts parses
// the message as before, so what is accepted, rejected and stored does not depend on this reader:
// it only answers for messages that pass, and answers as the parsed path would (test/hub/
// passage-bytes.test.ts holds the two side by side).
//
// Accepted here: valid UTF-8, one JSON object from the first byte to the last, every member value
// written as JSON.stringify writes it (json-span.ts, so the whole text is JSON), each of the
// envelope's keys at most once, and what the schema (OutboxMessage) and classify's own checks ask:
// v 1, site and gate those of the topic (ASCII, up to 128 characters), seq from 1 and at from 0 as
// plain integers, an optional ledger of 1 to 64 characters, kind "passage", clockSynced a boolean,
// data an object whose id, lane, direction, outcome and subject.kind, where present, are strings.
import { isUtf8 } from 'node:buffer';
import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, compactEnd, OPEN_BRACE, QUOTE } from './json-span.js';

export interface PassageBytes {
  ledger: string;
  seq: number;
  at: number;
  clockSynced: boolean;
  /** What classify keeps of a passage's data (its columns' fields). */
  fields: { id: unknown; lane: unknown; direction: unknown; outcome: unknown; subject: { kind: unknown } | undefined };
  /** [start, end) of the data object in the payload. */
  dataStart: number;
  dataEnd: number;
}

/** The index past a string at `i` with no escape in it, else -1 (bytes below 0x20 are not JSON). */
function plainString(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) return -1;
  for (let k = i + 1; k < b.length; k++) {
    const c = b[k] as number;
    if (c === QUOTE) return k + 1;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** A non-negative integer of 1 to 15 digits without a leading zero at [i, end), else -1. */
function plainInteger(b: Buffer, i: number, end: number): number {
  const n = end - i;
  if (n < 1 || n > 15 || (b[i] === 0x30 && n > 1)) return -1;
  let v = 0;
  for (let k = i; k < end; k++) {
    const d = (b[k] as number) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Whether the string at [start, end) (quotes included) is `s`, which must be ASCII. */
function sameAscii(b: Buffer, start: number, end: number, s: string): boolean {
  if (end - start - 2 !== s.length) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80 || b[start + 1 + k] !== c) return false;
  }
  return true;
}

/** The key at [start, end) (quotes included) as one of the names, by its bytes; -1 if none. */
function keyIndex(b: Buffer, start: number, end: number, names: readonly string[]): number {
  for (let n = 0; n < names.length; n++) if (sameAscii(b, start, end, names[n] as string)) return n;
  return -1;
}

const ENVELOPE = ['v', 'site', 'gate', 'seq', 'ledger', 'kind', 'at', 'clockSynced', 'data'] as const;
const [V, SITE, GATE, SEQ, LEDGER, KIND, AT, CLOCK, DATA] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
const REQUIRED = (1 << V) | (1 << SITE) | (1 << GATE) | (1 << SEQ) | (1 << KIND) | (1 << AT) | (1 << CLOCK) | (1 << DATA);
const FIELDS = ['id', 'lane', 'direction', 'outcome', 'subject'] as const;
const [, LANE, DIRECTION, OUTCOME, SUBJECT] = [0, 1, 2, 3, 4];
const KIND_ONLY = ['kind'] as const;

/**
 * One member of a compact object: `key` is the index of its name in the names asked for (-1: some
 * other name), its value at [start, end). Walked member by member with next(); no callback, no
 * object per member. The value of the `deep` name is left to the caller (end -1), who reads it
 * itself and says where it ended with past(): the data and its subject are scanned once, not twice.
 */
class Members {
  key = -1;
  start = 0;
  end = 0;
  /** Past the closing brace once next() has said false with it; -1 when the bytes are not a compact object. */
  after = -1;
  private i = 0;

  constructor(
    private readonly b: Buffer,
    private readonly names: readonly string[],
    private readonly deep = -1,
  ) {}

  /** Starts at the object at `i`. */
  open(i: number): this {
    this.after = -1;
    if (this.b[i] !== OPEN_BRACE) {
      this.i = -1;
      return this;
    }
    this.i = i + 1;
    if (this.b[this.i] === CLOSE_BRACE) {
      this.after = this.i + 1;
      this.i = -1;
    }
    return this;
  }

  next(): boolean {
    const b = this.b;
    const i = this.i;
    if (i < 0) return false;
    this.i = -1;
    const keyEnd = plainString(b, i);
    if (keyEnd < 0 || b[keyEnd] !== COLON) return false;
    this.key = keyIndex(b, i, keyEnd, this.names);
    this.start = keyEnd + 1;
    if (this.key >= 0 && this.key === this.deep) {
      this.end = -1;
      return true;
    }
    return this.past(compactEnd(b, keyEnd + 1));
  }

  /** The current value ends at `end` (-1: it was not written compactly). */
  past(end: number): boolean {
    this.end = end;
    if (end < 0) return false;
    const c = this.b[end];
    if (c === CLOSE_BRACE) this.after = end + 1;
    else if (c === COMMA) this.i = end + 1;
    else return false;
    return true;
  }
}

/**
 * The strings of the ledger id and the passage's low-cardinality fields (lane, direction, outcome,
 * subject kind), one
 * each while it repeats: compared by their bytes before a new string is made. Thousands of queued
 * passages then share a few strings, as JSON.parse's internalised short strings were shared.
 */
const recent: string[] = ['', '', '', '', ''];

/** A string value at [start, end) as a JS string when it has no escape, else undefined. */
function stringAt(b: Buffer, start: number, end: number, slot = -1): string | undefined {
  if (plainString(b, start) !== end) return undefined;
  if (slot >= 0) {
    const known = recent[slot] as string;
    if (sameAscii(b, start, end, known)) return known;
  }
  const s = b.toString('utf8', start + 1, end - 1);
  if (slot >= 0) recent[slot] = s;
  return s;
}

export function readPassage(payload: Buffer, site: string, gate: string): PassageBytes | undefined {
  if (payload[0] !== OPEN_BRACE || payload[payload.length - 1] !== CLOSE_BRACE || !isUtf8(payload)) return undefined;
  let seen = 0;
  let ledger = '';
  let seq = -1;
  let at = -1;
  let clockSynced = false;
  let fields: PassageBytes['fields'] | undefined;
  let dataStart = 0;
  let dataEnd = 0;
  const m = new Members(payload, ENVELOPE, DATA).open(0);
  while (m.next()) {
    const { key, start: s, end: e } = m;
    if (key < 0) continue;
    if (seen & (1 << key)) return undefined;
    seen |= 1 << key;
    if (key === V) {
      if (e - s !== 1 || payload[s] !== 0x31) return undefined;
    } else if (key === SITE || key === GATE) {
      const want = key === SITE ? site : gate;
      if (want.length > 128 || !sameAscii(payload, s, e, want)) return undefined;
    } else if (key === SEQ) seq = plainInteger(payload, s, e);
    else if (key === LEDGER) {
      const l = stringAt(payload, s, e, 0);
      if (l === undefined || l.length < 1 || l.length > 64) return undefined;
      ledger = l;
    } else if (key === KIND) {
      if (!sameAscii(payload, s, e, 'passage')) return undefined;
    } else if (key === AT) at = plainInteger(payload, s, e);
    else if (key === CLOCK) {
      clockSynced = payload[s] === 0x74;
      if (e - s !== (clockSynced ? 4 : 5) || (!clockSynced && payload[s] !== 0x66)) return undefined;
    } else {
      const r = readFields(payload, s);
      if (!r || !m.past(r.end)) return undefined;
      fields = r.fields;
      dataStart = s;
      dataEnd = r.end;
    }
  }
  if (m.after !== payload.length || (seen & REQUIRED) !== REQUIRED || seq < 1 || at < 0 || !fields) return undefined;
  return { ledger, seq, at, clockSynced, fields, dataStart, dataEnd };
}

/** The passage's column fields (each a string without escapes where present, the last if repeated), and where the data ends. */
function readFields(b: Buffer, start: number): { fields: PassageBytes['fields']; end: number } | undefined {
  const f: PassageBytes['fields'] = { id: undefined, lane: undefined, direction: undefined, outcome: undefined, subject: undefined };
  const m = new Members(b, FIELDS, SUBJECT).open(start);
  while (m.next()) {
    const { key, start: s, end: e } = m;
    if (key < 0) continue;
    if (key === SUBJECT) {
      const subject: { kind: unknown } = { kind: undefined };
      const k = new Members(b, KIND_ONLY).open(s);
      while (k.next()) {
        if (k.key < 0) continue;
        subject.kind = stringAt(b, k.start, k.end, 4);
        if (subject.kind === undefined) return undefined;
      }
      if (k.after < 0 || !m.past(k.after)) return undefined;
      f.subject = subject;
      continue;
    }
    const v = stringAt(b, s, e, key === 0 ? -1 : key);
    if (v === undefined) return undefined;
    if (key === 0) f.id = v;
    else if (key === LANE) f.lane = v;
    else if (key === DIRECTION) f.direction = v;
    else if (key === OUTCOME) f.outcome = v;
  }
  return m.after < 0 ? undefined : { fields: f, end: m.after };
}
