// The loop closed by the seqs, with real processes' parts: a gate's sync and ledger, a real
// Mosquitto, the hub. The broker drops what it cannot queue; the hub asks for the missing ranges;
// the gate answers from its ledger, even across its own restart mid-resend.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/store/api.js';
import { createSync, type Sync } from '../../src/sync/sync.js';
import { PASSWORD, startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeCtx, openTestLedger, passage } from '../sync/support.js';
import { SITE, startTestHub, type TestHub } from './harness.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

function gateSync(broker: TestBroker, gate: string, ledger: Ledger): { sync: Sync; record(n: number): void } {
  const ctx = makeCtx({ gate, mqtt: { url: broker.url, username: gate, password: PASSWORD, ...(broker.caFile ? { tls: { ca: broker.caFile } } : {}) } });
  ctx.bus.on('ledger.changed', () => undefined);
  const sync = createSync({ ctx, ledger });
  cleanups.push(() => sync.stop());
  return {
    sync,
    record(n) {
      for (let i = 0; i < n; i++) {
        const p = passage();
        const { seq } = ledger.recordPassage(p);
        ctx.bus.emit('passage.decided', { passage: p, seq });
      }
    },
  };
}

async function hubOn(broker: TestBroker, dataDir: string): Promise<TestHub> {
  const hub = await startTestHub({ broker, dataDir, name: 'resend', over: { hub: { resend: { intervalMs: 200 } } } });
  cleanups.push(() => hub.stop());
  return hub;
}

const heldAll = (hub: TestHub, gate: string, n: number) => async () => {
  // The gate's answers to the requests have seqs of their own (after its passages'): held > n.
  const [h] = await hub.reader.histories({ gate });
  return h !== undefined && h.held >= n && h.missingCount === 0 && (await hub.reader.count('passages', { gate })) === n;
};

/**
 * The hub's session exists, the hub is away, the broker queues at most `maxQueued` for it, and a gate
 * records `n` passages and drains them all (the broker acknowledged every one, dropping the rest).
 */
async function gateRecordsWhileHubAway(gateId: string, maxQueued: number, n: number) {
  const broker = await startMosquitto({ site: SITE, gates: [gateId], maxQueued });
  cleanups.push(() => broker.close());
  const dataDir = tempDir('hub-resend-');
  await (await hubOn(broker, dataDir)).stop();
  const ledger = openTestLedger({ gate: gateId });
  cleanups.push(() => ledger.close());
  const gate = gateSync(broker, gateId, ledger);
  await gate.sync.start();
  gate.record(n);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (ledger.outboxDepth() === 0) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  return { broker, dataDir, ledger, gate };
}

describe('the gate\'s ledger answers for what the broker lost', () => {
  it('keeps what it sent, puts a range back in the outbox, and names the seqs it no longer has', () => {
    const ledger = openTestLedger({ gate: 'g-unit' });
    cleanups.push(() => ledger.close());
    for (let i = 0; i < 10; i++) ledger.recordPassage(passage());
    const rows = ledger.outboxBatch(100);
    ledger.outboxAck(rows.map((r) => r.seq));
    expect(ledger.outboxDepth()).toBe(0);
    // Retention purged the first three sent messages.
    const raw = new Database(ledger.path);
    raw.prepare('DELETE FROM outbox_sent WHERE seq <= 3').run();
    raw.close();
    expect(ledger.outboxResend(2, 12)).toEqual({ requeued: 7, gone: [[2, 3]] });
    expect(ledger.outboxBatch(100).map((r) => r.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    // The same text as first sent (seq, time, payload): the hub drops it if it had it after all.
    expect(ledger.outboxBatch(1)[0]?.payloadJson).toBe(rows[3]?.payloadJson);
    expect(ledger.ledgerId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hub away while the broker queues only 100: all 2,000 passages the gate recorded arrive exactly once after it returns', async () => {
    const { broker, dataDir } = await gateRecordsWhileHubAway('g1', 100, 2000);
    const hub = await hubOn(broker, dataDir);
    await hub.until(heldAll(hub, 'g1', 2000), 'every seq 1..2000 held', 60_000);
    expect(hub.asker?.requests).toBeGreaterThan(0);
    expect(await hub.reader.count('passages')).toBe(2000);
  }, 90_000);

  it('a gate restarted mid-resend still sends everything asked for', async () => {
    const away = await gateRecordsWhileHubAway('g2', 10, 1500);
    const { broker, dataDir, ledger } = away;
    let gate = away.gate;
    // The gate goes down as soon as the hub's request has put rows back in its outbox.
    const requeued = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (ledger.outboxDepth() > 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const hub = await hubOn(broker, dataDir);
    await requeued;
    await gate.sync.stop();
    gate = gateSync(broker, 'g2', ledger);
    await gate.sync.start();
    await hub.until(heldAll(hub, 'g2', 1500), 'every seq 1..1500 held', 60_000);
  }, 90_000);
});

describe('a gate whose ledger was wiped', () => {
  it('starts a new history at the hub: its seqs begin at 1 again, and the old history stays apart, unchanged', async () => {
    const broker = await startMosquitto({ site: SITE, gates: ['g3'] });
    cleanups.push(() => broker.close());
    const hub = await hubOn(broker, tempDir('hub-wipe-'));
    const first = openTestLedger({ gate: 'g3' });
    const a = gateSync(broker, 'g3', first);
    await a.sync.start();
    a.record(5);
    await hub.until(heldAll(hub, 'g3', 5), 'the first ledger\'s 5 passages');
    await a.sync.stop();
    first.close();
    // The SD card was replaced: a new, empty ledger at the same gate.
    const second = openTestLedger({ gate: 'g3' });
    cleanups.push(() => second.close());
    expect(second.ledgerId()).not.toBe(first.ledgerId());
    const b = gateSync(broker, 'g3', second);
    await b.sync.start();
    b.record(3);
    await hub.until(async () => (await hub.reader.count('passages', { gate: 'g3' })) === 8, 'both ledgers\' passages');
    const hs = await hub.reader.histories({ gate: 'g3' });
    expect(hs.map((h) => [h.ledger, h.heldRanges[0]?.[0]])).toEqual([[first.ledgerId(), 1], [second.ledgerId(), 1]]);
    const [old, now] = hs;
    expect(await hub.reader.count('passages', { gate: 'g3', history: old?.id as number })).toBe(5);
    expect(await hub.reader.count('passages', { gate: 'g3', history: now?.id as number })).toBe(3);
  }, 60_000);
});
