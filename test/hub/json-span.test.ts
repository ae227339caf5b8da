// The byte span of a record's data (src/hub/json-span.ts): found where the bytes are exactly what
// JSON.stringify writes for what JSON.parse reads from them, and nowhere it could be wrong.
import { describe, expect, it } from 'vitest';
import { compactMember } from '../../src/hub/json-span.js';

const span = (text: string) => {
  const b = Buffer.from(text);
  const s = compactMember(b, 'data');
  return s && b.subarray(s[0], s[1]).toString();
};

describe('compactMember', () => {
  it('finds the data as the gates write it, wherever it is among the members', () => {
    const data = { type: 'passage', id: 'p-1', subject: { kind: 'household', id: 'hh-1' }, reasons: ['a', 'b'], mask: true, x: null, n: -12, t: 36.4, e: 1e21, s: 'say "hi"\\\n\t 张 😀', nested: [[], {}, [{ data: 1 }]] };
    const json = JSON.stringify(data);
    expect(span(JSON.stringify({ v: 1, site: 's', data, at: 5 }))).toBe(json);
    expect(span(JSON.stringify({ data, v: 1 }))).toBe(json);
    expect(span(`{"v":1,"note":"\\"data\\":{}","data":${json}}`)).toBe(json);
    expect(span(` {\n "v" : 1 ,\t"data" : ${json} }\n`)).toBe(json);
  });

  it('takes the last of repeated members, as JSON.parse does', () => {
    expect(span('{"data":{"a":1},"v":1,"data":{"b":2}}')).toBe('{"b":2}');
    expect(span('{"data":{"a":1},"data":{"b": 2}}')).toBeUndefined();
  });

  it('gives nothing when the bytes are not what JSON.stringify writes, or the member is not sure', () => {
    for (const text of [
      '{"data":{ "a":1}}',
      '{"data":{"a": 1}}',
      '{"data":{"a":1 }}',
      '{"data":{"a":[1, 2]}}',
      '{"data":{"a":"\\u0041"}}',
      '{"data":{"a":"\\/"}}',
      '{"data":{"a":"\\ud83d\\ude00"}}',
      '{"data":{"a":1.0}}',
      '{"data":{"a":1e2}}',
      '{"data":{"a":-0}}',
      '{"data":{"a":1E+21}}',
      '{"data":{"a":1e400}}',
      '{"data":{"a":0.0000001}}',
      '{"data":{"a":1234567890123456789}}',
      '{"d\\u0061ta":{"a":1}}',
      '{"data":{"a":1},"d\\u0061ta":{"b":2}}',
      '{"v":1}',
      '{}',
      '[{"data":{}}]',
    ]) {
      JSON.parse(text);
      expect(span(text), text).toBeUndefined();
    }
  });

  it('gives the same JSON back as JSON.stringify whenever it finds a span, over many shapes', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const atoms = [0, -1, 7, 36.4, -0.5, 1e21, 1e-7, 123456789012345, 2 ** 53 + 2, true, false, null, '', 'a', '张三', '"q"', 'tab\there', '\u0001', '\u2028', '😀', 'back\\slash'];
    const make = (depth: number): unknown => {
      const k = rnd(depth > 3 ? 1 : 3);
      if (k === 0) return atoms[rnd(atoms.length)];
      if (k === 1) return Array.from({ length: rnd(4) }, () => make(depth + 1));
      return Object.fromEntries(Array.from({ length: rnd(5) }, (_, i) => [`${['k', 'data', '键', 'q"'][rnd(4)]}${i}`, make(depth + 1)]));
    };
    let found = 0;
    for (let n = 0; n < 2000; n++) {
      const data = { type: 'x', v: make(0) };
      const styles = [JSON.stringify({ v: 1, data, at: n }), JSON.stringify({ v: 1, data }, null, rnd(2) ? 2 : 0), `{"v":1,"data":${JSON.stringify(data).replace(/:/g, rnd(2) ? ':' : ': ')}}`];
      for (const text of styles) {
        const got = span(text);
        const parsed = (JSON.parse(text) as { data: unknown }).data;
        if (got === undefined) continue;
        found++;
        expect(got).toBe(JSON.stringify(parsed));
      }
    }
    expect(found).toBeGreaterThan(2000);
  });

  it('gives up past a deep nesting rather than recursing', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(span(`{"data":{"a":${deep}}}`)).toBeUndefined();
    expect(span(`{"x":${deep},"data":{"a":1}}`)).toBe('{"a":1}');
  });
});
