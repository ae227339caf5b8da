// Recorded frames per protocol (test/fixtures/devices/), fed whole, split at every byte boundary and garbled byte by byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../src/devices/framing/frame.js';
import { InterByteTimeoutParser } from '../../src/devices/framing/inter-byte.js';
import type { LineEnding } from '../../src/devices/framing/delimiter.js';
import type { ReadRequest } from '../../src/devices/thermometer/modbus-rtu.js';
import { decodeHid, decodeModbusRequests, decodeModbusResponse, decodeScanner, decodeThermometer, frameSpans, garbles, isSubsequence, type Outcome, splits, typedOutcome } from './decode.js';

const DIR = join(import.meta.dirname, '../fixtures/devices');
const read = (f: string) => readFileSync(join(DIR, f));
const json = <T>(f: string) => JSON.parse(read(f).toString('utf8')) as Record<string, T>;
const same = (a: Outcome, b: Outcome) => JSON.stringify(a) === JSON.stringify(b);

/** Garbling byte i touches the frame that holds it, and the next one when i was a terminator (they merge). */
function untouched(spans: [number, number][], expected: Outcome[], at: number): Outcome[] {
  return expected.filter((_, j) => {
    const [s, e] = spans[j] as [number, number];
    const [ps, pe] = (spans[j - 1] ?? [-1, -1]) as [number, number];
    return !(at >= s && at <= e) && !(at >= ps && at <= pe && at >= pe - 1) && !(j > 0 && at > pe && at < s);
  });
}

function lineProtocolSuite(name: string, bytes: Buffer, ending: LineEnding, expected: Outcome[], decode: (chunks: Uint8Array[]) => Outcome[]) {
  describe(name, () => {
    it('decodes the whole capture as recorded', () => {
      expect(decode([bytes])).toEqual(expected);
    });
    it('gives the same result split at every byte boundary and byte by byte', () => {
      let n = 0;
      for (const parts of splits(bytes)) {
        expect(decode(parts), `cut into ${parts.length} pieces`).toEqual(expected);
        n++;
      }
      expect(n).toBe(bytes.length);
    });
    it('survives every byte garbled: typed outcomes only, and the frames not touched still decode', () => {
      const spans = frameSpans(bytes, ending);
      expect(spans.length).toBe(expected.length);
      let n = 0;
      for (const g of garbles(bytes)) {
        const out = decode([g.bytes]);
        expect(out.every(typedOutcome), `byte ${g.at} → ${g.bytes[g.at]}`).toBe(true);
        const keep = untouched(spans, expected, g.at);
        expect(isSubsequence(keep, out, same), `byte ${g.at} garbled: ${JSON.stringify(out)} should contain ${JSON.stringify(keep)}`).toBe(true);
        n++;
      }
      expect(n).toBeGreaterThan(bytes.length * 2);
    });
  });
}

describe('thermometer line fixtures', () => {
  const all = json<{ config: { preset: string; framing: LineEnding; scale?: number }; results: Outcome[] }>('thermometer/expected.json');
  expect(Object.keys(all).length).toBeGreaterThanOrEqual(8);
  for (const [file, { config, results }] of Object.entries(all)) {
    lineProtocolSuite(file, read(`thermometer/${file}`), config.framing, results, (chunks) => decodeThermometer(chunks, config));
  }
});

describe('serial scanner fixtures', () => {
  const all = json<{ suffix: LineEnding; maxLength: number; results: Outcome[] }>('scanner/expected.json');
  for (const [file, { suffix, maxLength, results }] of Object.entries(all)) {
    lineProtocolSuite(file, read(`scanner/${file}`), suffix, results, (chunks) => decodeScanner(chunks, { suffix, maxLength }));
  }
});

describe('Modbus RTU fixtures', () => {
  type Entry = { kind: 'request'; request: ReadRequest } | { kind: 'response'; request: ReadRequest; result: Record<string, unknown> };
  const all = json<Entry>('modbus/expected.json');
  for (const [file, entry] of Object.entries(all)) {
    const bytes = read(`modbus/${file}`);
    describe(file, () => {
      if (entry.kind === 'request') {
        it('is found by the slave whole, split anywhere and byte by byte; no garbled copy is taken for it', () => {
          expect(decodeModbusRequests([bytes])).toEqual([entry.request]);
          for (const parts of splits(bytes)) expect(decodeModbusRequests(parts)).toEqual([entry.request]);
          for (const g of garbles(bytes)) expect(decodeModbusRequests([g.bytes]), `byte ${g.at}`).toEqual([]);
        });
        return;
      }
      it('gives the master the recorded answer, whole, split anywhere and byte by byte', () => {
        expect(decodeModbusResponse([bytes], entry.request)).toMatchObject(entry.result);
        for (const parts of splits(bytes)) expect(decodeModbusResponse(parts, entry.request)).toMatchObject(entry.result);
      });
      it('turns any garbled byte of the frame into a typed rejection (the CRC catches it)', () => {
        const frameStart = bytes.length - (entry.result.code === 'modbus.exception' ? 5 : 7);
        for (const g of garbles(bytes)) {
          const r = decodeModbusResponse([g.bytes], entry.request);
          if (g.at >= frameStart && entry.result.ok !== false) expect(r, `byte ${g.at}`).toMatchObject({ ok: false, code: 'modbus.garbage' });
          else if (g.at >= frameStart) expect(r.ok, `byte ${g.at}`).toBe(false);
          else expect(r, `noise byte ${g.at}`).toMatchObject(entry.result);
        }
      });
    });
  }
});

describe('USB-HID keyboard-wedge fixtures', () => {
  const all = json<{ eventSize: 16 | 24; results: Outcome[] }>('hid/expected.json');
  for (const [file, { eventSize, results }] of Object.entries(all)) {
    const bytes = read(`hid/${file}`);
    it(`${file}: decodes whole, split at every byte boundary, and survives every byte garbled`, () => {
      expect(decodeHid([bytes], eventSize)).toEqual(results);
      for (const parts of splits(bytes)) expect(decodeHid(parts, eventSize)).toEqual(results);
      for (const g of garbles(bytes)) expect(decodeHid([g.bytes], eventSize).every(typedOutcome)).toBe(true);
    });
  }
});

describe('serial scanner inter-byte-timeout fixture', () => {
  const f = JSON.parse(read('scanner/inter-byte.json').toString('utf8')) as { chunks: { text: string; gapMs: number }[]; interByteTimeoutMs: number; results: Outcome[] };
  const play = async (pieces: { bytes: Buffer; gapMs: number }[]): Promise<string[]> => {
    const parser = new InterByteTimeoutParser({ intervalMs: f.interByteTimeoutMs, maxLength: 64 });
    const out: string[] = [];
    parser.on('data', (fr: Frame) => out.push(fr.type === 'frame' ? fr.bytes.toString('utf8') : `overflow ${fr.length}`));
    for (const p of pieces) {
      parser.write(p.bytes);
      await vi.advanceTimersByTimeAsync(p.gapMs);
    }
    parser.destroy();
    return out;
  };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const expected = f.results.map((r) => ('text' in r ? r.text : ''));

  it('ends a scan at a silence longer than the timeout, not at a shorter pause', async () => {
    expect(await play(f.chunks.map((c) => ({ bytes: Buffer.from(c.text), gapMs: c.gapMs })))).toEqual(expected);
  });
  it('gives the same scans when every chunk is split at every byte boundary', async () => {
    for (const [ci, c] of f.chunks.entries()) {
      const b = Buffer.from(c.text);
      for (let k = 1; k < b.length; k++) {
        const pieces = f.chunks.flatMap((o, oi) => (oi === ci ? [{ bytes: b.subarray(0, k), gapMs: 1 }, { bytes: b.subarray(k), gapMs: o.gapMs }] : [{ bytes: Buffer.from(o.text), gapMs: o.gapMs }]));
        expect(await play(pieces)).toEqual(expected);
      }
    }
  });
});
