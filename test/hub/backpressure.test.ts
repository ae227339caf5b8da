// The ingest's backpressure over real storage: messages arriving faster than the database commits
// make it ask the receiver to stop reading; once the queue is down to half, it asks to read again.
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Ingest } from '../../src/hub/ingest.js';
import { createReceiver } from '../../src/hub/receiver.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gateClient, hubConfig, outboxMessage, SITE, uplink } from './harness.js';
import { openFresh } from './support.js';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('ingest backpressure', () => {
  it('pauses the receiver past the high-water mark and resumes it at half, storing everything', async () => {
    const o = await openFresh('sqlite');
    closers.push(o.close);
    const calls: string[] = [];
    const ingest = new Ingest({
      writer: new HubWriter(o.db, o.engine, { batchRows: 20, rejectsMax: 100 }),
      classify: { root: 'checkpoint', sites: new Set([SITE]), gates: new Set(), maxBytes: 65536 },
      batchRows: 20,
      queueMax: 10_000,
      perGatePerSecond: 100_000,
      logger: pino({ level: 'silent' }),
      pressure: { highWater: 100, pause: () => calls.push('pause'), resume: () => calls.push('resume') },
    });
    closers.push(() => ingest.stop(100));
    // All in one turn of the loop: nothing is committed before the queue passes the mark.
    for (let seq = 1; seq <= 300; seq++) ingest.push(uplink('g1'), Buffer.from(outboxMessage('g1', seq)));
    expect(calls).toEqual(['pause']);
    await ingest.settled();
    expect(calls).toEqual(['pause', 'resume']);
    expect(ingest.stats.stored).toBe(300);
  });
});

describe('bursts written at once', () => {
  it.each([1, 2])('PostgreSQL, concurrency %i: a second burst is written while the first commits only when a full burst waits; every record once', async (concurrency) => {
    const o = await openFresh('postgres');
    closers.push(o.close);
    const writer = new HubWriter(o.db, o.engine, { batchRows: 50, rejectsMax: 100 });
    let writing = 0;
    let most = 0;
    const counted = {
      write: async (b: Parameters<HubWriter['write']>[0]) => {
        most = Math.max(most, ++writing);
        try {
          return await writer.write(b);
        } finally {
          writing--;
        }
      },
    };
    const ingest = new Ingest({ writer: counted, classify: { root: 'checkpoint', sites: new Set([SITE]), gates: new Set(), maxBytes: 65536 }, batchRows: 50, concurrency, queueMax: 10_000, perGatePerSecond: 100_000, logger: pino({ level: 'silent' }) });
    closers.push(() => ingest.stop(100));
    // Repeats among them: two bursts at once still store each record once.
    for (let seq = 1; seq <= 400; seq++) ingest.push(uplink('g1'), Buffer.from(outboxMessage('g1', seq)));
    for (let seq = 1; seq <= 100; seq++) ingest.push(uplink('g1'), Buffer.from(outboxMessage('g1', seq)));
    await ingest.settled();
    expect(most).toBe(concurrency);
    expect(ingest.stats).toMatchObject({ stored: 400, duplicates: 100 });
    const held = await o.db.selectFrom('histories').select('held').executeTakeFirstOrThrow();
    expect(JSON.parse(held.held)).toEqual([[1, 400]]);
  });
});

describe('bursts under load', () => {
  it('a short burst after a large one waits up to lingerMs for more, a full one goes at once, a trickle never waits', async () => {
    const sizes: Array<[number, number]> = [];
    const t0 = performance.now();
    const writer = {
      write: async (b: Parameters<HubWriter['write']>[0]) => {
        sizes.push([b.records.length, performance.now() - t0]);
        await new Promise((r) => setTimeout(r, 5));
        return { inserted: b.records.length, duplicates: 0, newHistories: [] };
      },
    };
    const ingest = new Ingest({ writer, classify: { root: 'checkpoint', sites: new Set([SITE]), gates: new Set(), maxBytes: 65536 }, batchRows: 500, lingerMs: 200, queueMax: 10_000, perGatePerSecond: 100_000, logger: pino({ level: 'silent' }) });
    closers.push(() => ingest.stop(100));
    let seq = 0;
    const push = (n: number) => {
      for (let k = 0; k < n; k++) ingest.push(uplink('g1'), Buffer.from(outboxMessage('g1', ++seq)));
    };
    // A trickle: one at a time, each its own burst, none waiting.
    for (let k = 0; k < 3; k++) {
      push(1);
      await ingest.settled();
    }
    expect(sizes.map(([n]) => n)).toEqual([1, 1, 1]);
    expect(sizes[2]?.[1]).toBeLessThan(150);
    // Load: a large burst, then a short one that lingers, then one filled to batchRows that does not.
    push(300);
    await new Promise((r) => setImmediate(r));
    push(50);
    await new Promise((r) => setTimeout(r, 60));
    expect(sizes.map(([n]) => n)).toEqual([1, 1, 1, 300]);
    push(450);
    await new Promise((r) => setTimeout(r, 30));
    expect(sizes.map(([n]) => n)).toEqual([1, 1, 1, 300, 500]);
    push(20);
    const lingering = performance.now() - t0;
    await ingest.settled();
    expect(sizes.map(([n]) => n)).toEqual([1, 1, 1, 300, 500, 20]);
    expect((sizes[5]?.[1] ?? 0) - lingering).toBeGreaterThan(150);
  });
});

describe('receiver backpressure against a real broker', () => {
  it('takes no further message while paused (the broker keeps them), then all of them, in order, once resumed', async () => {
    const broker = await startMosquitto({ site: SITE, gates: ['g1'] });
    closers.push(() => broker.close());
    const config = hubConfig({ hub: { name: 'bp', sites: [SITE], storage: { dataDir: tempDir('hub-bp-') } }, mqtt: { url: broker.url, username: 'hub', reconnectMs: 200, ...(broker.caFile ? { tls: { ca: broker.caFile } } : {}) } });
    const seqs: number[] = [];
    let firstArrived: () => void = () => {};
    const first = new Promise<void>((r) => {
      firstArrived = r;
    });
    let allArrived: () => void = () => {};
    const all = new Promise<void>((r) => {
      allArrived = r;
    });
    const receiver = createReceiver({
      config,
      logger: pino({ level: 'silent' }),
      clientOptions: { password: broker.options('hub').password as string },
      onMessage: (_topic, payload) => {
        seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq);
        if (seqs.length === 1) {
          receiver.pause();
          firstArrived();
        }
        if (seqs.length === 500) allArrived();
      },
    });
    closers.push(() => receiver.stop());
    await receiver.start();
    await receiver.subscribed();
    // A second subscriber that is never paused: when it has all 500, the broker has offered them.
    const watcher = await gateClient(broker, 'hub', { clientId: `bp-watch-${process.pid}`, ...broker.options('hub') });
    closers.push(() => watcher.endAsync());
    let watched = 0;
    const allOffered = new Promise<void>((r) => watcher.on('message', () => ++watched === 500 && r()));
    await watcher.subscribeAsync(uplink('g1'), { qos: 1 });
    const g = await gateClient(broker, 'g1');
    closers.push(() => g.endAsync());
    // 3 kB each: the broker's writes to the hub hold several, as at a high rate.
    const note = 'x'.repeat(3000);
    await Promise.all(Array.from({ length: 500 }, (_, i) => g.publishAsync(uplink('g1'), outboxMessage('g1', i + 1, { data: { type: 'passage', id: `p-${i + 1}`, note } }), { qos: 1 })));
    await first;
    await allOffered;
    expect(seqs).toEqual([1]);
    receiver.resume();
    await all;
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });
});
