// Property tests: arbitrary bytes, cut anywhere, never throw and always give a reading, a scan or a typed rejection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { THERMOMETER_PRESETS, lineProtocol, parseThermometerLine } from '../../src/devices/thermometer/line-parser.js';
import { crcOk, encodeReadResponse, withCrc } from '../../src/devices/thermometer/modbus-rtu.js';
import { decodeHid, decodeModbusRequests, decodeModbusResponse, decodeScanner, decodeThermometer, typedOutcome } from './decode.js';

const RUNS = 10_000;
const bytes = fc.uint8Array({ maxLength: 120 });
/** Bytes and the places to cut them into chunks, as a serial port delivers them. */
const chunked = fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 6 })).map(([b, cuts]) => {
  const at = [...new Set(cuts.map((c) => (b.length ? c % b.length : 0)))].sort((x, y) => x - y);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    parts.push(b.subarray(prev, c));
    prev = c;
  }
  parts.push(b.subarray(prev));
  return { whole: b, parts };
});
/** Mostly-plausible device text with noise, so the interesting paths are reached, not only garbage. */
const deviceish = fc
  .array(fc.oneof(fc.constantFrom('T=', 'TEMP:', 'Body ', ' Amb ', '36.5', '97.7', 'C', 'F', '℃', '°', '\r', '\n', '\r\n', '-', '.', ' '), fc.string({ maxLength: 3 })), { maxLength: 12 })
  .map((xs) => Buffer.from(xs.join('')));
const presets = fc.constantFrom(...Object.keys(THERMOMETER_PRESETS));
const endings = fc.constantFrom('CR' as const, 'LF' as const, 'CRLF' as const, 'any' as const);

describe(`every parser on arbitrary bytes (${RUNS} runs each)`, () => {
  it('thermometer line parser: a finite reading or thermo.garbage/unparsable', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, deviceish), presets, (b, preset) => {
        const r = parseThermometerLine(b, lineProtocol({ preset }));
        if (r.ok) return Number.isFinite(r.celsius) && (r.ambient === undefined || Number.isFinite(r.ambient));
        return r.code === 'thermo.garbage' || r.code === 'thermo.unparsable';
      }),
      { numRuns: RUNS },
    );
  });

  it('thermometer stream: every frame typed, and the same outcomes however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.oneof(chunked, deviceish.map((b) => ({ whole: b, parts: [b.subarray(0, 3), b.subarray(3)] }))), presets, endings, ({ whole, parts }, preset, framing) => {
        const cfg = { preset, framing, maxLineLength: 40 };
        const a = decodeThermometer([whole, Buffer.from('\r\n')], cfg);
        const b = decodeThermometer([...parts, Buffer.from('\r\n')], cfg);
        expect(b).toEqual(a);
        return a.every(typedOutcome);
      }),
      { numRuns: RUNS },
    );
  });

  it('serial scanner stream: every frame is a control-free scan within the limit, or a typed rejection', () => {
    fc.assert(
      fc.property(chunked, endings, ({ whole, parts }, suffix) => {
        const cfg = { suffix, maxLength: 32 };
        const a = decodeScanner([whole, Buffer.from('\r\n')], cfg);
        expect(decodeScanner([...parts, Buffer.from('\r\n')], cfg)).toEqual(a);
        return a.every(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may pass
          (o) => typedOutcome(o) && (!('text' in o) || (Buffer.byteLength(o.text) <= 32 && !/[\u0000-\u001f\u007f-\u009f]/.test(o.text))),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('Modbus master: registers or modbus.exception/garbage/timeout, however the bytes are cut', () => {
    const request = { slaveId: 1, fn: 0x03 as const, address: 0, count: 1 };
    const answer = encodeReadResponse(1, 3, [365]);
    fc.assert(
      fc.property(chunked, fc.boolean(), ({ whole, parts }, withAnswer) => {
        const tail = withAnswer ? [answer] : [];
        const a = decodeModbusResponse([whole, ...tail], request);
        const b = decodeModbusResponse([...parts, ...tail], request);
        expect(b).toEqual(a);
        if (a.ok) return a.registers.length === 1 && a.registers.every((r) => r >= 0 && r <= 0xffff);
        // A valid answer after any noise is still found, unless the noise itself held a valid answer or exception.
        if (withAnswer && a.code !== 'modbus.exception') return false;
        return ['modbus.exception', 'modbus.garbage', 'modbus.timeout'].includes(a.code);
      }),
      { numRuns: RUNS },
    );
  });

  it('Modbus slave (simulator): only CRC-valid requests come out of arbitrary bytes', () => {
    fc.assert(
      fc.property(chunked, ({ whole, parts }) => {
        const a = decodeModbusRequests([whole]);
        expect(decodeModbusRequests(parts)).toEqual(a);
        // Each request found is 8 bytes that were really in the stream, with a valid CRC.
        return a.every((r) => {
          const frame = withCrc([r.slaveId, r.fn, r.address >> 8, r.address & 0xff, r.count >> 8, r.count & 0xff]);
          return crcOk(frame) && Buffer.from(whole).includes(frame);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('USB-HID decoder: arbitrary event bytes give scans or typed rejections', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 * 12 }), fc.constantFrom(16 as const, 24 as const), (b, size) => decodeHid([b], size).every(typedOutcome)),
      { numRuns: RUNS },
    );
  });
});
