// The passage read from its bytes (src/hub/passage-bytes.ts) against the parsed path it stands in
// for: over thousands of messages, as the gates write them and altered every way we could think of,
// whenever it accepts one, classify() gives exactly what parsing the message gives; and it accepts
// what the gates send.
import { describe, expect, it } from 'vitest';
import { type Classified, type ClassifyOptions, classify } from '../../src/hub/classify.js';
import { readPassage } from '../../src/hub/passage-bytes.js';
import { outboxJson } from '../../src/sync/drain.js';

const o: ClassifyOptions = { root: 'checkpoint', sites: new Set(['s1', 'village-7']), gates: new Set(), maxBytes: 65536 };
const plain = (c: Classified) => (c.type === 'record' ? { ...c, dataJson: Buffer.isBuffer(c.dataJson) ? c.dataJson.toString('utf8') : c.dataJson } : c);

/** classify() of the payload, and of the same message with a space in front (JSON.parse reads it alike; the byte reader never does). */
function both(topic: string, payload: Buffer) {
  const got = classify(topic, payload, o);
  const parsed = classify(topic, Buffer.concat([Buffer.from(' '), payload]), o);
  return { got, parsed };
}

function gateMessage(seq: number, data: Record<string, unknown>, ledger = 'L-2026'): string {
  return outboxJson({ seq, kind: 'passage', createdAt: 1_765_000_000_000 + seq, clockSynced: true, payload: data, payloadJson: JSON.stringify(data) } as never, 's1', 'g1', true, ledger);
}

describe('readPassage', () => {
  it('reads what the gates send, and classify() gives for it what parsing gives', () => {
    const data = { type: 'passage', id: 'p-g1-7', lane: 'main', direction: 'in', subject: { kind: 'household', id: 'hh-7' }, outcome: 'admitted', reasons: ['passage.admitted'], colour: 'green', mask: true, celsius: 36.4, note: '张三 "说"\n😀' };
    for (const text of [gateMessage(7, data), gateMessage(8, data, ''), gateMessage(9, { type: 'passage' })]) {
      const payload = Buffer.from(text);
      expect(readPassage(payload, 's1', 'g1'), text).toBeDefined();
      const { got, parsed } = both('checkpoint/v1/s1/g1/passages', payload);
      expect(got.type).toBe('record');
      expect(plain(got)).toEqual(plain(parsed));
    }
  });

  it('never answers otherwise than the parsed path, over messages altered every way', () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
    const oddValues = [0, -1, 1, 1.5, 1e3, 2 ** 53 + 2, '1', '', 'x'.repeat(65), 'x'.repeat(64), 'passage', 'alert', true, false, null, {}, [], { kind: 'x' }, [1], '\u0000', 'é', '😀'];
    const envelopeKeys = ['v', 'site', 'gate', 'seq', 'ledger', 'kind', 'at', 'clockSynced', 'data'];
    const dataKeys = ['id', 'lane', 'direction', 'outcome', 'subject', 'type', 'other'];
    let accepted = 0;
    for (let n = 0; n < 6000; n++) {
      const env: Record<string, unknown> = { v: 1, site: 's1', gate: 'g1', seq: 1 + rnd(100000), ledger: pick(['L1', 'bench', 'Ä-ledger', 'l'.repeat(64)]), kind: 'passage', at: 1_765_000_000_000 + rnd(1000), clockSynced: rnd(2) === 0, data: { type: 'passage', id: `p-${n}`, lane: pick(['main', 'side']), direction: pick(['in', 'out']), subject: { kind: pick(['household', 'person']), id: 'hh-1' }, outcome: pick(['admitted', 'refused']) } };
      let text: string;
      const mutation = rnd(14);
      const data = env.data as Record<string, unknown>;
      if (mutation === 1) env[pick(envelopeKeys)] = pick(oddValues);
      else if (mutation === 2) delete env[pick(envelopeKeys)];
      else if (mutation === 3) data[pick(dataKeys)] = pick(oddValues);
      else if (mutation === 4) delete data[pick(dataKeys)];
      else if (mutation === 5) (data.subject as Record<string, unknown>).kind = pick(oddValues);
      else if (mutation === 6) env[`x${rnd(3)}`] = pick(oddValues);
      if (mutation === 7) {
        // A key twice: JSON.parse keeps the last.
        const k = pick(envelopeKeys);
        text = JSON.stringify(env).replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(pick(oddValues))},`);
      } else if (mutation === 8) {
        const k = pick(dataKeys);
        text = JSON.stringify(env).replace('"data":{', `"data":{${JSON.stringify(k)}:${JSON.stringify(pick(oddValues))},`);
      } else if (mutation === 9) text = JSON.stringify(env, null, rnd(2) ? 1 : 0).replace(pick([',', ':']), (m) => `${m} `);
      else if (mutation === 10) text = JSON.stringify(env).replace(/"(lane|site|ledger|id)":"/, (m) => `${m}\\u0041`);
      else if (mutation === 11) text = `${JSON.stringify(env)}${pick([' ', '\n', 'x', '}', ''])}`;
      else if (mutation === 12) text = JSON.stringify(env).replace(pick(['"seq":', '"at":', '"v":']), (m) => `${m}${pick(['0', '-0', '1e2', '01', '1.0', ''])}`);
      else text = JSON.stringify(env);
      let payload = Buffer.from(text);
      if (mutation === 13) {
        // A byte that is not UTF-8, somewhere in a string.
        const at = text.indexOf('"p-') + 1;
        payload = Buffer.concat([payload.subarray(0, at), Buffer.from([0xc3]), payload.subarray(at)]);
      }
      const topic = `checkpoint/v1/${pick(['s1', 's1', 'village-7'])}/${pick(['g1', 'g1', 'g2'])}/passages`;
      const site = topic.split('/')[2] as string;
      const gate = topic.split('/')[3] as string;
      const fast = readPassage(payload, site, gate);
      const { got, parsed } = both(topic, payload);
      if (fast) {
        accepted++;
        expect(parsed.type, text).toBe('record');
        expect(plain(got), text).toEqual(plain(parsed));
      } else if (got.type === 'reject' && parsed.type === 'reject') {
        // The same reason; the same words but for JSON.parse's error positions (one byte apart).
        expect({ reason: got.reason, detail: got.detail.replace(/\d+/g, 'n') }, text).toEqual({ reason: parsed.reason, detail: parsed.detail.replace(/\d+/g, 'n') });
      } else expect(plain(got), text).toEqual(plain(parsed));
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
