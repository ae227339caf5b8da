// Byte streams to what the drivers make of them, without ports: the same framers and parsers the drivers use.
import { DelimiterFramer, type LineEnding } from '../../src/devices/framing/delimiter.js';
import { InputEventReader, KeyDecoder } from '../../src/devices/scanner/hid-decode.js';
import { classifyScan } from '../../src/devices/scanner/scan-filter.js';
import { lineProtocol, parseThermometerLine } from '../../src/devices/thermometer/line-parser.js';
import { type ModbusResult, type ReadRequest, RequestReader, ResponseReader } from '../../src/devices/thermometer/modbus-rtu.js';

export type Outcome = { celsius: number; ambient?: number } | { text: string } | { code: string };

export function decodeThermometer(chunks: Uint8Array[], cfg: { preset?: string; framing?: LineEnding; scale?: number; maxLineLength?: number }): Outcome[] {
  const framer = new DelimiterFramer(cfg.framing ?? 'any', cfg.maxLineLength ?? 80);
  const protocol = lineProtocol({ preset: cfg.preset ?? 'auto', scale: cfg.scale ?? 1 });
  const out: Outcome[] = [];
  for (const c of chunks) {
    for (const f of framer.push(c)) {
      if (f.type === 'overflow') out.push({ code: 'thermo.garbage' });
      else {
        const p = parseThermometerLine(f.bytes, protocol);
        out.push(p.ok ? (p.ambient === undefined ? { celsius: p.celsius } : { celsius: p.celsius, ambient: p.ambient }) : { code: p.code });
      }
    }
  }
  return out;
}

export function decodeScanner(chunks: Uint8Array[], cfg: { suffix: LineEnding; maxLength: number }): Outcome[] {
  const framer = new DelimiterFramer(cfg.suffix, cfg.maxLength);
  const out: Outcome[] = [];
  for (const c of chunks) {
    for (const f of framer.push(c)) {
      if (f.type === 'overflow') out.push({ code: 'scan.too-long' });
      else {
        const v = classifyScan(f.bytes, cfg.maxLength);
        out.push(v.ok ? { text: v.text } : { code: v.code });
      }
    }
  }
  return out;
}

export function decodeHid(chunks: Uint8Array[], eventSize: 16 | 24, maxLength = 512): Outcome[] {
  const reader = new InputEventReader(eventSize);
  const keys = new KeyDecoder();
  const out: Outcome[] = [];
  for (const c of chunks) {
    for (const ev of reader.push(Buffer.from(c))) {
      const text = keys.push(ev);
      if (text === undefined) continue;
      const v = classifyScan(text, maxLength);
      out.push(v.ok ? { text: v.text } : { code: v.code });
    }
  }
  return out;
}

/** The master's answer to one request: the first complete result, or what end() says when the wait is over. */
export function decodeModbusResponse(chunks: Uint8Array[], request: ReadRequest): ModbusResult {
  const reader = new ResponseReader(request);
  for (const c of chunks) {
    const r = reader.push(c);
    if (r) return r;
  }
  return reader.end();
}

export function decodeModbusRequests(chunks: Uint8Array[]) {
  const reader = new RequestReader();
  return chunks.flatMap((c) => reader.push(c));
}

/** Every cut of the bytes into two pieces, and one byte at a time. */
export function* splits(bytes: Buffer): Generator<Buffer[]> {
  for (let k = 1; k < bytes.length; k++) yield [bytes.subarray(0, k), bytes.subarray(k)];
  yield [...bytes].map((b) => Buffer.from([b]));
}

/** The bytes with byte i replaced, for every i and a few replacement values. */
export function* garbles(bytes: Buffer): Generator<{ at: number; bytes: Buffer }> {
  for (let i = 0; i < bytes.length; i++) {
    for (const v of new Set([0x00, 0xff, (bytes[i] as number) ^ 0x55])) {
      if (v === bytes[i]) continue;
      const copy = Buffer.from(bytes);
      copy[i] = v;
      yield { at: i, bytes: copy };
    }
  }
}

/** Byte ranges [start, end] of each non-empty frame, the end being its (last) terminator byte. */
export function frameSpans(bytes: Buffer, ending: LineEnding): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const end = ending === 'CR' ? b === 0x0d : ending === 'LF' ? b === 0x0a : ending === 'any' ? b === 0x0d || b === 0x0a : b === 0x0a && bytes[i - 1] === 0x0d;
    if (!end) continue;
    const contentEnd = ending === 'CRLF' ? i - 1 : i;
    if (contentEnd > start) spans.push([start, i]);
    start = i + 1;
  }
  return spans;
}

export function isSubsequence<T>(needle: T[], hay: T[], eq: (a: T, b: T) => boolean): boolean {
  let j = 0;
  for (const h of hay) if (j < needle.length && eq(needle[j] as T, h)) j++;
  return j === needle.length;
}

export function typedOutcome(o: Outcome): boolean {
  if ('celsius' in o) return Number.isFinite(o.celsius) && (o.ambient === undefined || Number.isFinite(o.ambient));
  if ('text' in o) return typeof o.text === 'string' && o.text.length > 0;
  return /^(thermo|scan|modbus)\.[a-z-]+$/.test(o.code);
}
