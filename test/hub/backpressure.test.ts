// The ingest's backpressure over real storage: messages arriving faster than the database commits
// make it ask the receiver to stop reading; once the queue is down to half, it asks to read again.
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Ingest } from '../../src/hub/ingest.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { outboxMessage, SITE, uplink } from './harness.js';
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
