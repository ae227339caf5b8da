// The outbox rows a ledger hands to the drain in memory (Ledger.outboxFresh): exactly the rows this
// connection committed since the drain last looked, or undefined whenever a row may be missing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRESH_ROWS_MAX } from '../../src/store/outbox.js';
import { openLedger } from '../../src/store/ledger.js';
import { tempDir } from '../helpers/temp-dir.js';
import { passage } from '../../bench/passage-factory.js';

const T0 = Date.UTC(2026, 11, 1, 2);

function open(path = ':memory:') {
  const clock = { now: () => T0, synced: () => true };
  return openLedger({ path, clock, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai' });
}

/** What the drain would send for a row: seq, kind, priority and the stored JSON text. */
const sent = (r: { seq: number; kind: string; priority: number; payloadJson?: string; createdAt: number; clockSynced: boolean }) => [r.seq, r.kind, r.priority, r.payloadJson, r.createdAt, r.clockSynced];

describe('outbox rows handed over in memory', () => {
  it('are the rows committed since the last look, as the outbox itself holds them', () => {
    const ledger = open();
    ledger.outboxFresh(); // the drain's first look: nothing vouched for before it
    const seqs = ledger.recordDecisions([1, 2, 3, 97].map((i) => ({ kind: 'passage' as const, passage: passage(i, T0 + i) })));
    ledger.enqueue('correction', { note: 'clock stepped' });
    const fresh = ledger.outboxFresh();
    expect(fresh?.map(sent)).toEqual(ledger.outboxBatch(100).map(sent).sort((a, b) => (a[0] as number) - (b[0] as number)));
    // Passage 97 is a fever: its alert row is handed over too, with the alert priority.
    expect(fresh?.map((r) => r.kind)).toEqual(['passage', 'passage', 'passage', 'passage', 'alert', 'correction']);
    expect(fresh?.filter((r) => r.kind === 'passage').map((r) => r.seq)).toEqual(seqs);
    expect(ledger.outboxFresh()).toEqual([]);
    ledger.close();
  });

  it('are not vouched for before the first look', () => {
    const ledger = open();
    ledger.recordPassage(passage(1, T0));
    expect(ledger.outboxFresh()).toBeUndefined();
    ledger.recordPassage(passage(2, T0));
    expect(ledger.outboxFresh()?.map((r) => r.kind)).toEqual(['passage']);
    ledger.close();
  });

  it('are not vouched for after another process wrote an outbox row in between', () => {
    const dir = tempDir('outbox-fresh-');
    const path = join(dir, 'gate.db');
    const daemon = open(path);
    const command = open(path); // `gate report queue` from a shell, say
    daemon.outboxFresh();
    daemon.recordPassage(passage(1, T0));
    command.enqueue('report', { type: 'daily-report' });
    daemon.recordPassage(passage(2, T0));
    expect(daemon.outboxFresh()).toBeUndefined();
    // After the drain's next full read it is vouched for again.
    daemon.recordPassage(passage(3, T0));
    expect(daemon.outboxFresh()?.length).toBe(1);
    command.close();
    daemon.close();
  });

  it('never hold a row of a rolled-back transaction, and are not vouched for right after one', () => {
    const ledger = open();
    ledger.outboxFresh();
    ledger.recordPassage(passage(1, T0));
    // A turn whose second passage breaks a NOT NULL column: the whole turn rolls back, outbox rows too.
    const broken = { ...passage(3, T0), lane: undefined } as unknown as ReturnType<typeof passage>;
    expect(() => ledger.recordDecisions([{ kind: 'passage', passage: passage(2, T0) }, { kind: 'passage', passage: broken }])).toThrow(/NOT NULL/);
    expect(ledger.outboxDepth()).toBe(1);
    expect(ledger.outboxFresh()).toBeUndefined();
    const { seq } = ledger.recordPassage(passage(4, T0));
    const fresh = ledger.outboxFresh();
    expect(fresh?.map((r) => r.seq)).toEqual([seq]);
    expect(fresh?.[0]?.payloadJson).toContain('p-00000004');
    expect(ledger.outboxBatch(10).map((r) => r.payloadJson)).not.toContainEqual(expect.stringContaining('p-00000002'));
    ledger.close();
  });

  it('are given up past FRESH_ROWS_MAX (the hub offline, nobody looking), and the drain reads instead', () => {
    const ledger = open();
    ledger.outboxFresh();
    for (let i = 0; i <= FRESH_ROWS_MAX; i += 50) ledger.recordDecisions(Array.from({ length: 50 }, (_, k) => ({ kind: 'passage' as const, passage: passage(i + k + 1000, T0) })));
    expect(ledger.outboxFresh()).toBeUndefined();
    ledger.close();
  });
});
