// Fever is held at the gate, not sent away (seed 002): a fever refusal opens a case beside its passage,
// the volunteer fills it in (called whom, when, handed over to whom, outcome), every change audited and
// sent up; a case not handed over in time raises a second alert, once.
import { describe, expect, it } from 'vitest';
import { exportLedger } from '../../src/store/export.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const T0 = Date.UTC(2026, 10, 23, 2);
function open() {
  let now = T0;
  const raised: string[] = [];
  const ledger = openLedger({ path: ':memory:', clock: { now: () => now, synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai', onAlert: (a) => raised.push(a.kind) });
  return { ledger, raised, set: (ms: number) => (now = ms) };
}
const WITHIN = 30 * 60_000;

describe('fever handling', () => {
  it('opens a case for each fever refusal, and none for other passages', () => {
    const { ledger } = open();
    const fever = passage(97, T0);
    ledger.recordPassage(fever);
    ledger.recordPassage(passage(1, T0 + 1));
    expect(ledger.feverCases({ openOnly: true })).toEqual([{ passageId: fever.id, at: T0, lane: fever.lane }]);
    ledger.recordPassage(fever); // a replay opens nothing new
    expect(ledger.feverCases()).toHaveLength(1);
  });

  it('keeps who was called, when, handed over to whom and the outcome; audited and sent up', () => {
    const { ledger, set } = open();
    const fever = passage(97, T0);
    ledger.recordPassage(fever);
    set(T0 + 60_000);
    expect(ledger.updateFever(fever.id, { called: '村医王医生' }, 'vol-1')).toMatchObject({ called: '村医王医生', calledAt: T0 + 60_000, updatedBy: 'vol-1' });
    set(T0 + 20 * 60_000);
    const done = ledger.updateFever(fever.id, { handedTo: '镇卫生院120车组', outcome: 'collected' }, 'vol-1');
    expect(done).toMatchObject({ called: '村医王医生', calledAt: T0 + 60_000, handedTo: '镇卫生院120车组', handedAt: T0 + 20 * 60_000, outcome: 'collected' });
    expect(ledger.feverCase(fever.id)).toEqual(done);
    expect(ledger.feverCases({ openOnly: true })).toEqual([]);
    expect(ledger.auditLog({ action: 'fever-handling' }).map((a) => [a.actor, a.detail.passageId])).toEqual([
      ['vol-1', fever.id],
      ['vol-1', fever.id],
    ]);
    const up = ledger.outboxBatch(100).filter((r) => r.kind === 'correction');
    expect(up.map((r) => [r.payload.type, r.payload.passageId, r.payload.outcome])).toEqual([
      ['fever-handling', fever.id, undefined],
      ['fever-handling', fever.id, 'collected'],
    ]);
    expect(ledger.updateFever('nope', { called: 'x' }, 'vol-1')).toBeUndefined();
    expect(() => ledger.updateFever(fever.id, { outcome: 'went-home' as never }, 'vol-1')).toThrow(/outcome is one of/);
  });

  it('raises a second alert, once, for a person not handed over in time', () => {
    const { ledger, raised, set } = open();
    const waiting = passage(97, T0);
    const handed = passage(194, T0);
    ledger.recordPassage(waiting);
    ledger.recordPassage(handed);
    ledger.updateFever(handed.id, { called: '120', handedTo: '120急救车' }, 'vol');
    set(T0 + WITHIN - 1);
    expect(ledger.raiseUnhandledFevers(WITHIN)).toEqual([]);
    set(T0 + WITHIN + 1);
    const second = ledger.raiseUnhandledFevers(WITHIN);
    expect(second.map((a) => [a.kind, a.severity, a.passageId])).toEqual([['fever-unhandled', 'critical', waiting.id]]);
    expect(second[0]?.text.zh).toMatch(/尚未记录联系了谁/);
    expect(raised).toEqual(['fever-unhandled']);
    expect(ledger.outboxBatch(100).some((r) => r.kind === 'alert' && r.payload.kind === 'fever-unhandled')).toBe(true);
    set(T0 + 3 * WITHIN);
    expect(ledger.raiseUnhandledFevers(WITHIN)).toEqual([]);
  });
});

describe('retention', () => {
  it('purges closed fever cases past the retention with their passages, and keeps an open one', () => {
    const { ledger, set } = open();
    const closed = passage(97, T0);
    const still = passage(194, T0);
    ledger.recordPassage(closed);
    ledger.recordPassage(still);
    ledger.updateFever(closed.id, { outcome: 'collected' }, 'vol');
    set(T0 + 31 * 86_400_000);
    expect(ledger.purge()).toMatchObject({ feverCases: 1 });
    expect(ledger.feverCase(closed.id)).toBeUndefined();
    expect(ledger.feverCase(still.id)).toBeDefined();
  });
});

describe('the passages ledger keeps the fever handling', () => {
  it('shows who was called, handed over to whom and the outcome beside the fever refusal in the export', async () => {
    const { ledger } = open();
    const fever = passage(97, T0);
    ledger.recordPassage(fever);
    ledger.updateFever(fever.id, { called: '村医', handedTo: '卫生院', outcome: 'collected' }, 'vol');
    const csv = (await exportLedger(ledger, { what: 'refusals', from: '2026-11-23', to: '2026-11-23', format: 'csv', timeZone: 'Asia/Shanghai' })).data.toString('utf8');
    expect(csv).toContain('发热处置 Fever handling');
    expect(csv).toContain('联系 村医；交接 卫生院；collected');
  });
});

