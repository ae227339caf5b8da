import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { OutboxRow } from '../../src/store/api.js';
import { ACK_FLUSH_MS, minimise, outboxJson, OutboxDrain, type OutboxLedger, type QosPublisher } from '../../src/sync/drain.js';
import { topicTree } from '../../src/sync/topics.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';
import { tempDir } from '../helpers/temp-dir.js';
import { join } from 'node:path';

/** An in-memory outbox with the ledger's order (priority, then seq). */
function memoryOutbox(rows: Array<Pick<OutboxRow, 'kind' | 'priority'>>): OutboxLedger & { rows: OutboxRow[]; acks: number[][] } {
  const all: OutboxRow[] = rows.map((r, i) => ({ seq: i + 1, kind: r.kind, priority: r.priority, payload: { n: i + 1, subject: { id: 'c1', name: '张三' } }, createdAt: 1000 + i, clockSynced: true }));
  const acks: number[][] = [];
  return {
    rows: all,
    acks,
    outboxBatch: (limit, range) =>
      [...all]
        .sort((a, b) => a.priority - b.priority || a.seq - b.seq)
        .filter((r) => !range || ('after' in range ? r.priority > range.after.priority || (r.priority === range.after.priority && r.seq > range.after.seq) : r.priority < range.priorityBelow && r.seq > range.seqAbove))
        .slice(0, limit),
    outboxAck(seqs) {
      acks.push(seqs);
      for (const s of seqs) all.splice(all.findIndex((r) => r.seq === s), 1);
    },
    outboxDepth: () => all.length,
  };
}

/** Counts the rows the drain reads from the outbox. */
function countRowsRead(ledger: OutboxLedger): () => number {
  let n = 0;
  const read = ledger.outboxBatch;
  ledger.outboxBatch = (limit, range) => {
    const rows = read(limit, range);
    n += rows.length;
    return rows;
  };
  return () => n;
}

/** A publisher whose PUBACKs the test releases by hand. */
function manualBroker() {
  const pending: Array<{ topic: string; seq: number; cb: (err?: Error) => void }> = [];
  const published: Array<{ topic: string; seq: number }> = [];
  const client: QosPublisher = {
    publish(topic, message, _opts, cb) {
      const seq = (JSON.parse(message) as { seq: number }).seq;
      published.push({ topic, seq });
      pending.push({ topic, seq, cb });
    },
  };
  // Microtasks, then a turn of the event loop (the drain yields with setImmediate between batches).
  const settle = async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  return {
    client,
    pending,
    published,
    async ackAll() {
      while (pending.length) {
        for (const p of pending.splice(0)) p.cb();
        await settle();
      }
    },
    async ack(n: number) {
      for (const p of pending.splice(0, n)) p.cb();
      await settle();
    },
    settle,
  };
}

const topics = topicTree({ root: 'checkpoint', site: 's', gate: 'g' });
const drainFor = (ledger: OutboxLedger, client: QosPublisher, over: { batch?: number; inflight?: number; sendPersonalData?: boolean } = {}) =>
  new OutboxDrain({ ledger, client, topics, site: 's', gate: 'g', batch: over.batch ?? 10, inflight: over.inflight ?? 4, sendPersonalData: over.sendPersonalData ?? false, logger: pino({ level: 'silent' }) });

describe('outbox drain', () => {
  it('keeps at most `inflight` publishes open and deletes a row only after its PUBACK', async () => {
    const ledger = memoryOutbox(Array.from({ length: 10 }, () => ({ kind: 'passage', priority: 10 })));
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { inflight: 4 });
    d.connected();
    await b.settle();
    expect(b.published.map((p) => p.seq)).toEqual([1, 2, 3, 4]);
    expect(ledger.outboxDepth()).toBe(10);
    await b.ack(2);
    expect(b.published.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ledger.outboxDepth()).toBe(10);
    await b.ackAll();
    expect(ledger.outboxDepth()).toBe(0);
    expect(b.published.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(d.acked).toBe(10);
  });

  it('sends alerts ahead of the passage backlog, each kind to its topic', async () => {
    const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }, { kind: 'passage', priority: 10 }, { kind: 'alert', priority: 0 }, { kind: 'report', priority: 5 }]);
    const b = manualBroker();
    drainFor(ledger, b.client).connected();
    await b.ackAll();
    expect(b.published).toEqual([
      { topic: 'checkpoint/v1/s/g/alerts', seq: 3 },
      { topic: 'checkpoint/v1/s/g/reports', seq: 4 },
      { topic: 'checkpoint/v1/s/g/passages', seq: 1 },
      { topic: 'checkpoint/v1/s/g/passages', seq: 2 },
    ]);
  });

  it('on a lost connection stops, keeps unacknowledged rows, and resends them from the oldest after reconnect', async () => {
    const ledger = memoryOutbox(Array.from({ length: 8 }, () => ({ kind: 'passage', priority: 10 })));
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { inflight: 4 });
    d.connected();
    await b.settle();
    await b.ack(1);
    d.disconnected();
    const failed = b.pending.splice(0);
    for (const p of failed) p.cb(new Error('connection closed'));
    await b.settle();
    expect(ledger.rows.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const before = b.published.length;
    d.wake();
    await b.settle();
    expect(b.published.length).toBe(before);
    d.connected();
    await b.ackAll();
    expect(b.published.slice(before).map((p) => p.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(ledger.outboxDepth()).toBe(0);
  });

  it('marks rows sent a moment later while the downlink worker is inside a transaction, not waiting for it', async () => {
    const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }, { kind: 'passage', priority: 10 }]);
    let free = false;
    let asked = 0;
    ledger.writerFree = () => {
      asked++;
      return free;
    };
    const b = manualBroker();
    const d = drainFor(ledger, b.client);
    d.connected();
    await b.settle();
    await b.ack(1);
    // Asked, found the worker in a transaction, asked again later: nothing written meanwhile.
    await vi.waitUntil(() => asked >= 3, { timeout: 10_000, interval: 5 });
    expect(ledger.acks).toEqual([]);
    free = true;
    await vi.waitUntil(() => ledger.acks.length > 0, { timeout: 10_000, interval: 5 });
    expect(ledger.acks).toEqual([[1]]);
    await d.stop(10);
  });

  it('a PUBACK arriving after the connection was given up still marks the row sent', async () => {
    const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }, { kind: 'passage', priority: 10 }]);
    const b = manualBroker();
    const d = drainFor(ledger, b.client);
    d.connected();
    await b.settle();
    d.disconnected();
    await b.ack(1);
    // Marked at the next ack flush (ACK_FLUSH_MS): waited for, not timed.
    await vi.waitUntil(() => ledger.rows.length < 2, { timeout: 10_000, interval: ACK_FLUSH_MS });
    expect(ledger.rows.map((r) => r.seq)).toEqual([2]);
  });

  it('picks up rows committed while others are in flight', async () => {
    const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }]);
    const b = manualBroker();
    const d = drainFor(ledger, b.client);
    d.connected();
    await b.settle();
    ledger.rows.push({ seq: 2, kind: 'alert', priority: 0, payload: {}, createdAt: 1, clockSynced: true });
    d.wake();
    await b.ackAll();
    expect(b.published.map((p) => p.seq)).toEqual([1, 2]);
    expect(ledger.outboxDepth()).toBe(0);
  });

  it('leaves rows in place when marking them sent fails (sent again later, never lost)', async () => {
    const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }]);
    ledger.outboxAck = () => {
      throw new Error('SQLITE_BUSY');
    };
    const b = manualBroker();
    const d = drainFor(ledger, b.client);
    d.connected();
    await b.ackAll();
    expect(ledger.outboxDepth()).toBe(1);
    expect(d.acked).toBe(0);
    // No busy loop resending the same row: one publish, then a pause before the retry.
    await b.settle();
    expect(b.published).toHaveLength(1);
    await vi.waitUntil(() => b.published.length > 1, { timeout: 10_000, interval: 20 });
    expect(b.published.map((p) => p.seq)).toEqual([1, 1]);
    await d.stop(10);
  }, 10_000);

  it('reads each row once, not again when its own deletions are announced', async () => {
    const ledger = memoryOutbox(Array.from({ length: 3000 }, () => ({ kind: 'passage', priority: 10 })));
    const rowsRead = countRowsRead(ledger);
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 2000, inflight: 200 });
    // As in the daemon: the ledger's onChange('outbox') reaches sync, which wakes the drain.
    const ack = ledger.outboxAck;
    ledger.outboxAck = (seqs) => {
      ack(seqs);
      d.wake();
    };
    d.connected();
    await b.ackAll();
    expect(ledger.outboxDepth()).toBe(0);
    expect(b.published.map((p) => p.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(rowsRead()).toBe(3000);
  });

  it('reads each row once while passages keep being committed one by one, and none is missed', async () => {
    const ledger = memoryOutbox([]);
    const rowsRead = countRowsRead(ledger);
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 50, inflight: 8 });
    d.connected();
    let seq = 0;
    for (let i = 0; i < 400; i++) {
      const alert = i % 37 === 0;
      ledger.rows.push({ seq: ++seq, kind: alert ? 'alert' : 'passage', priority: alert ? 0 : 10, payload: {}, createdAt: i, clockSynced: true });
      d.wake();
      if (i % 3 === 0) await b.ack(5);
    }
    await b.ackAll();
    expect(ledger.outboxDepth()).toBe(0);
    expect(new Set(b.published.map((p) => p.seq)).size).toBe(400);
    expect(b.published).toHaveLength(400);
    expect(rowsRead()).toBe(400);
  });

  it('caught up, reads a committed burst with one look for alerts and one read, not a second empty read', async () => {
    const ledger = memoryOutbox(Array.from({ length: 3 }, () => ({ kind: 'passage', priority: 10 })));
    let reads = 0;
    const read = ledger.outboxBatch;
    ledger.outboxBatch = (limit, range) => {
      reads++;
      return read(limit, range);
    };
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 50, inflight: 100 });
    d.connected();
    await b.ackAll();
    expect(reads).toBe(1);
    let seq = 3;
    for (let burst = 0; burst < 3; burst++) {
      reads = 0;
      for (let i = 0; i < 5; i++) ledger.rows.push({ seq: ++seq, kind: 'passage', priority: 10, payload: {}, createdAt: i, clockSynced: true });
      d.wake();
      await b.settle();
      expect(reads).toBe(2);
      await b.ackAll();
    }
    expect(b.published.map((p) => p.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
  });

  it('an alert committed during a backlog overtakes the passages already read ahead', async () => {
    const ledger = memoryOutbox(Array.from({ length: 100 }, () => ({ kind: 'passage', priority: 10 })));
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 50, inflight: 2 });
    d.connected();
    await b.settle();
    expect(b.published.map((p) => p.seq)).toEqual([1, 2]);
    ledger.rows.push({ seq: 101, kind: 'alert', priority: 0, payload: {}, createdAt: 1, clockSynced: true });
    d.wake();
    await b.settle();
    await b.ack(1);
    expect(b.published.map((p) => p.seq)).toEqual([1, 2, 101]);
    await b.ackAll();
    expect(b.published).toHaveLength(101);
    expect(ledger.outboxDepth()).toBe(0);
  });

  it('strips names, ID numbers, phones and addresses unless personal data is enabled', async () => {
    const personal = { a: 1, subject: { id: 'x', name: '张三', idNumber: '1', phone: '2' }, list: [{ address: 'a', k: 2 }] };
    expect(minimise(personal)).toEqual({ a: 1, subject: { id: 'x' }, list: [{ k: 2 }] });
    const row = { seq: 7, kind: 'passage' as const, priority: 10, payload: personal, createdAt: 5, clockSynced: false };
    expect(JSON.parse(outboxJson(row, 's', 'g', false))).toEqual({ v: 1, site: 's', gate: 'g', seq: 7, kind: 'passage', at: 5, clockSynced: false, data: minimise(personal) });
    expect(JSON.parse(outboxJson(row, 's', 'g', true)).data).toEqual(personal);
    // A row read from the ledger carries its stored text: sent as it is, or minimised all the same.
    const stored = { ...row, payloadJson: JSON.stringify(personal) };
    expect(JSON.parse(outboxJson(stored, 's', 'g', false))).toEqual(JSON.parse(outboxJson(row, 's', 'g', false)));
    expect(JSON.parse(outboxJson(stored, 's', 'g', true))).toEqual(JSON.parse(outboxJson(row, 's', 'g', true)));
    const plain = { ...row, payload: { a: 1 }, payloadJson: '{"a":1}' };
    expect(outboxJson(plain, 's', 'g', false)).toBe(JSON.stringify({ v: 1, site: 's', gate: 'g', seq: 7, kind: 'passage', at: 5, clockSynced: false, data: { a: 1 } }));
    for (const send of [false, true]) {
      const ledger = memoryOutbox([{ kind: 'passage', priority: 10 }]);
      const bodies: string[] = [];
      const d = drainFor(ledger, { publish: (_t, m, _o, cb) => { bodies.push(m); cb(); } }, { sendPersonalData: send });
      d.connected();
      await Promise.resolve();
      expect(bodies[0]?.includes('张三')).toBe(send);
      expect(JSON.parse(bodies[0] as string)).toMatchObject({ v: 1, site: 's', gate: 'g', seq: 1, kind: 'passage', at: 1000, clockSynced: true });
    }
  });
});

describe('outbox drain over a real ledger, caught up', () => {
  const T0 = Date.UTC(2026, 11, 1, 2);
  const openAt = (path: string) => openLedger({ path, clock: { now: () => T0, synced: () => true }, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai' });

  it('takes the rows each commit hands over instead of reading them back; each sent once, an alert first', async () => {
    const ledger = openAt(':memory:');
    const rowsRead = countRowsRead(ledger);
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 2000, inflight: 200 });
    d.connected();
    await b.settle();
    const committed: number[] = [];
    let n = 0;
    for (let burst = 0; burst < 30; burst++) {
      // 20 passages a turn, as group commit writes them; passage 97 is a fever with its alert.
      const items = Array.from({ length: 20 }, () => ({ kind: 'passage' as const, passage: passage(++n, T0 + n) }));
      committed.push(...ledger.recordDecisions(items));
      d.wake();
      await b.settle();
      if (burst % 4 === 3) await b.ackAll();
    }
    await b.ackAll();
    expect(rowsRead()).toBe(0);
    const seqs = b.published.map((p) => p.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.length).toBe(600 + 6); // 6 fevers (97, 194, … 582) with an alert each
    expect(committed.every((s) => seqs.includes(s))).toBe(true);
    // Passage 97 is in the turn of passages 81–100 (seqs 81–101 with its alert): the alert went out first.
    expect(b.published.slice(80, 101).map((p) => p.topic.split('/').at(-1))).toEqual(['alerts', ...Array(20).fill('passages')]);
    expect(ledger.outboxDepth()).toBe(0);
    ledger.close();
  });

  it('still sends a row another process committed (read, not taken from memory), and nothing twice', async () => {
    const path = join(tempDir('drain-fresh-'), 'gate.db');
    const ledger = openAt(path);
    const command = openAt(path);
    const rowsRead = countRowsRead(ledger);
    const b = manualBroker();
    const d = drainFor(ledger, b.client, { batch: 2000, inflight: 200 });
    d.connected();
    await b.settle();
    ledger.recordPassage(passage(1, T0));
    d.wake();
    await b.settle();
    expect(rowsRead()).toBe(0);
    // `gate report` queues a report from a shell; the daemon notices the commit and wakes the drain.
    const report = command.enqueue('report', { type: 'daily-report' }).seq;
    expect(ledger.reloadIfChanged()).toBe(true); // the daemon's housekeeping tick; sync then wakes the drain
    d.wake();
    await b.settle();
    expect(b.published.map((p) => p.seq)).toContain(report);
    expect(rowsRead()).toBe(1);
    // The same after a commit of its own came between: the report is not lost behind it.
    const report2 = command.enqueue('report', { type: 'daily-report' }).seq;
    const own = ledger.recordPassage(passage(2, T0)).seq;
    d.wake();
    await b.ackAll();
    expect(b.published.map((p) => p.seq).sort((x, y) => x - y)).toEqual([1, report, report2, own].sort((x, y) => x - y));
    ledger.reloadIfChanged(); // the in-memory depth learns of the command's row at the next tick
    expect(ledger.outboxDepth()).toBe(0);
    command.close();
    ledger.close();
  });
});
