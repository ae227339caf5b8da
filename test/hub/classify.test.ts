// What classify() makes of one message: the record's data kept as the payload's own bytes when they
// are what JSON.stringify writes (what the gates send), else written out again; bad input rejected
// with the same reasons either way.
import { describe, expect, it } from 'vitest';
import { type ClassifyOptions, classify, type RecordMsg } from '../../src/hub/classify.js';
import { topicParts } from '../../src/hub/topic-parts.js';

const o: ClassifyOptions = { root: 'checkpoint', sites: new Set(['s1']), gates: new Set(), maxBytes: 65536 };
const topic = 'checkpoint/v1/s1/g1/passages';
const envelope = (data: string, extra = '') => `{"v":1,"site":"s1","gate":"g1","seq":3,"ledger":"L1","kind":"passage","at":1765000000000,"clockSynced":true,${extra}"data":${data}}`;
const record = (payload: Buffer | string): RecordMsg => {
  const r = classify(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), o);
  if (r.type !== 'record') throw new Error(`not a record: ${JSON.stringify(r)}`);
  return r;
};
const text = (r: RecordMsg) => (typeof r.dataJson === 'string' ? r.dataJson : r.dataJson.toString('utf8'));

describe('classify: the data as stored', () => {
  it('keeps the bytes the gate sent when they are what JSON.stringify writes (a view, not a copy)', () => {
    const data = { type: 'passage', id: 'p-g1-3', lane: 'main', direction: 'in', subject: { kind: 'household', id: 'hh-3' }, outcome: 'admitted', reasons: ['passage.admitted'], mask: true, celsius: 36.4, note: '张三 "说" \\ 😀' };
    const payload = Buffer.from(envelope(JSON.stringify(data)));
    const r = record(payload);
    expect(Buffer.isBuffer(r.dataJson)).toBe(true);
    expect((r.dataJson as Buffer).buffer).toBe(payload.buffer);
    expect(text(r)).toBe(JSON.stringify(data));
    expect(r.data).toEqual({ id: 'p-g1-3', lane: 'main', direction: 'in', outcome: 'admitted', subject: { kind: 'household' } });
  });

  it('writes the parsed data out again when the bytes are written otherwise: the same text as before', () => {
    for (const data of ['{ "type": "passage", "id": "p-1" }', '{"type":"passage","id":"\\u0070-1"}', '{"type":"passage","t":36.40}', '{"type":"passage","id":"p\\/1"}']) {
      const r = record(envelope(data));
      expect(typeof r.dataJson).toBe('string');
      expect(r.dataJson).toBe(JSON.stringify(JSON.parse(data)));
    }
  });

  it('stores bytes that are not UTF-8 as JSON.parse read them (U+FFFD), never as they came', () => {
    const [before, after] = envelope('{"type":"passage","id":"p-X"}').split('X') as [string, string];
    const payload = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]);
    const r = record(payload);
    expect(typeof r.dataJson).toBe('string');
    expect(JSON.parse(text(r))).toEqual({ type: 'passage', id: 'p-\uFFFD(' });
  });

  it('takes the last of a repeated data member, as the parsed message does', () => {
    const r = record(envelope('{"type":"passage","id":"p-2"}', '"data":{"type":"passage","id":"p-1"},'));
    expect(text(r)).toBe('{"type":"passage","id":"p-2"}');
    expect(r.data.id).toBe('p-2');
  });

  it('still rejects what the schema refuses and what is not JSON, with the same reasons', () => {
    const bad = (payload: string) => classify(topic, Buffer.from(payload), o);
    expect(bad(envelope('[1,2]'))).toMatchObject({ type: 'reject', reason: 'payload.schema', seq: 3 });
    expect(bad(envelope('"text"'))).toMatchObject({ type: 'reject', reason: 'payload.schema' });
    expect(bad(envelope('{"type":"passage"}').replace('"kind":"passage"', '"kind":"teleport"'))).toMatchObject({ type: 'reject', reason: 'payload.schema' });
    expect(bad(envelope('{"type":"passage"'))).toMatchObject({ type: 'reject', reason: 'payload.malformed' });
    expect(bad(`${envelope('{"type":"passage"}')} x`)).toMatchObject({ type: 'reject', reason: 'payload.malformed' });
  });
});

describe('topicParts', () => {
  it('cuts a topic as splitting it on "/" does, once per topic', () => {
    for (const t of ['checkpoint/v1/s1/g1/passages', 'a/b/checkpoint/v1/s1/g1/state', 'v1/s1/g1/passages', '/v1/s1/g1/x', 's1/g1/x', '', '////', 'x/v1//g1/passages']) {
      const parts = t.split('/');
      expect(topicParts(t), t).toEqual({ root: parts.slice(0, -4).join('/'), version: parts.at(-4), site: parts.at(-3), gate: parts.at(-2), leaf: parts.at(-1), key: parts.length >= 5 ? `${parts.at(-3)}/${parts.at(-2)}` : undefined });
      expect(topicParts(`${t}`)).toBe(topicParts(t));
    }
  });
});
