// The visitors' ledger as the township and the kiosk see it: registrations and sign-outs sent up
// as their own uplink kind (masked), "inside" = admitted and not signed out, the overdue alert,
// and every override written to the audit log with its passage.
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { VisitorData } from '../../src/sync/messages.js';
import { outboxJson } from '../../src/sync/drain.js';
import { passage } from '../../bench/passage-factory.js';

const T0 = Date.UTC(2026, 10, 23, 2);
function open(over: Partial<Parameters<typeof openLedger>[0]> = {}) {
  let now = T0;
  const clock = { now: () => now, synced: () => true };
  const raised: string[] = [];
  const ledger = openLedger({ path: ':memory:', clock, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai', onAlert: (a) => raised.push(a.kind), ...over });
  return { ledger, raised, set: (ms: number) => (now = ms) };
}
const visitorRows = (l: ReturnType<typeof open>['ledger']) => l.outboxBatch(100).filter((r) => r.kind === 'visitor');
const gatePass = (i: number, at: number, id: string, direction: 'in' | 'out', outcome: 'admitted' | 'refused') =>
  passage(i, at, { direction, outcome, subject: { kind: 'visitor', id }, alerts: [], reasons: [{ code: outcome === 'admitted' ? 'passage.admitted' : 'visitor.no-escort', zh: '', en: '' }] });

describe('visitors sent up (由县区、镇街掌握去向)', () => {
  it('sends each registration and sign-out as a visitor message, masked, never the ID number or phone', () => {
    const { ledger, set } = open();
    const v = ledger.registerVisitor({ name: '孙来客', idNumber: '330102195603120018', phone: '13900000000', origin: '杭州', travel: ['杭州'], hostHouseholdId: 'hh-1', escort: '王建国', operatorId: 'vol' });
    set(T0 + 60_000);
    ledger.signOutVisitor(v.id, 'vol');
    const rows = visitorRows(ledger);
    expect(rows.map((r) => r.payload.type)).toEqual(['visitor-registered', 'visitor-signed-out']);
    expect(rows[0]?.payload).toMatchObject({ id: v.id, nameMasked: '孙*客', idTail: '0018', origin: '杭州', travel: ['杭州'], hostHouseholdId: 'hh-1', escortMasked: '王*国', registeredBy: 'vol' });
    expect(rows[1]?.payload).toMatchObject({ id: v.id, signedOutAt: T0 + 60_000, signedOutBy: 'vol' });
    for (const r of rows) {
      expect(Value.Check(VisitorData, r.payload), JSON.stringify([...Value.Errors(VisitorData, r.payload)])).toBe(true);
      const wire = outboxJson(r, 's1', 'g1', false);
      expect(wire).not.toContain('330102195603120018');
      expect(wire).not.toContain('13900000000');
      expect(wire).not.toContain('孙来客');
      expect(JSON.parse(wire)).toMatchObject({ kind: 'visitor', data: { nameMasked: '孙*客' } });
    }
  });

  it('sends the full name only when storage.uplinkNames says so', () => {
    const { ledger } = open({ uplinkNames: true });
    ledger.registerVisitor({ name: '孙来客', travel: [] });
    expect(visitorRows(ledger)[0]?.payload).toMatchObject({ name: '孙来客' });
  });

  it('sends the sign-out of an admitted exit at the gate', () => {
    const { ledger } = open();
    const v = ledger.registerVisitor({ name: '孙来客', travel: [] });
    ledger.recordPassage(gatePass(2, T0 + 1000, v.id, 'in', 'admitted'));
    ledger.recordPassage(gatePass(4, T0 + 2000, v.id, 'out', 'admitted'));
    expect(visitorRows(ledger).map((r) => [r.payload.type, r.payload.signedOutBy])).toEqual([
      ['visitor-registered', undefined],
      ['visitor-signed-out', 'gate'],
    ]);
  });
});

describe('visitors inside', () => {
  it('counts only visitors admitted at the gate and not signed out', () => {
    const { ledger } = open();
    const came = ledger.registerVisitor({ name: '甲访客', travel: [] });
    const refused = ledger.registerVisitor({ name: '乙访客', travel: [] });
    const never = ledger.registerVisitor({ name: '丙访客', travel: [] });
    ledger.recordPassage(gatePass(2, T0 + 1000, came.id, 'in', 'admitted'));
    ledger.recordPassage(gatePass(4, T0 + 2000, refused.id, 'in', 'refused'));
    expect(ledger.todayCounts().visitorsInside).toBe(1);
    expect(ledger.visitorsInside().map((v) => v.id)).toEqual([came.id]);
    expect(ledger.visitorsOpen().map((v) => [v.id, v.admitted])).toEqual([
      [came.id, true],
      [refused.id, false],
      [never.id, false],
    ]);
  });
});

describe('visitor-overdue', () => {
  it('is raised once for an admitted visitor not signed out by the end of the visit window', () => {
    const { ledger, raised, set } = open();
    const v = ledger.registerVisitor({ name: '甲访客', travel: [] });
    ledger.registerVisitor({ name: '乙访客', travel: [] }); // never came in: nobody to look for
    ledger.recordPassage(gatePass(2, T0 + 1000, v.id, 'in', 'admitted'));
    const window = 240 * 60_000;
    set(T0 + window);
    expect(ledger.raiseOverdueVisitors(window)).toEqual([]);
    set(T0 + window + 60_000);
    const first = ledger.raiseOverdueVisitors(window);
    expect(first.map((a) => [a.kind, a.subject?.id])).toEqual([['visitor-overdue', v.id]]);
    expect(raised).toEqual(['visitor-overdue']);
    expect(ledger.alerts().map((r) => r.alert.kind)).toEqual(['visitor-overdue']);
    expect(ledger.outboxBatch(100).some((r) => r.kind === 'alert' && r.payload.kind === 'visitor-overdue')).toBe(true);
    expect(ledger.raiseOverdueVisitors(window)).toEqual([]);
  });

  it("uses the end of the day's validity hours for a visitor with hours (a contractor until 17:00)", () => {
    const { ledger, set } = open();
    const v = ledger.registerVisitor({ name: '装修工', travel: [], validity: [{ from: '08:00', to: '17:00' }] });
    ledger.recordPassage(gatePass(2, T0 + 1000, v.id, 'in', 'admitted'));
    const window = 60 * 60_000; // an hour by the kiosk's setting: not what ends a contractor's day
    set(Date.UTC(2026, 10, 23, 8, 59)); // 16:59 in Shanghai
    expect(ledger.raiseOverdueVisitors(window)).toEqual([]);
    set(Date.UTC(2026, 10, 23, 9, 1)); // 17:01
    expect(ledger.raiseOverdueVisitors(window).map((a) => a.subject?.id)).toEqual([v.id]);
  });
});

describe('override audit', () => {
  it('writes an audit row naming the passage, its person and the refusal it overrode', () => {
    const { ledger } = open();
    ledger.recordPassage(
      passage(2, T0, {
        outcome: 'overridden',
        operatorId: 'vol-03',
        overrideReason: '手持测温36.4',
        reasons: [
          { code: 'override.admit', zh: '', en: '' },
          { code: 'temp.fever', zh: '', en: '' },
        ],
        alerts: [{ id: 'a1', kind: 'override', severity: 'warning', text: { zh: '', en: '' }, at: T0, detail: { decision: 'admit', previousPassageId: 'p-1', operatorId: 'vol-03' } }],
      }),
    );
    expect(ledger.auditLog({ action: 'override' })).toEqual([
      expect.objectContaining({
        actor: 'vol-03',
        detail: expect.objectContaining({ passageId: 'p-00000002', decision: 'admit', previousPassageId: 'p-1', reasons: ['override.admit', 'temp.fever'], subject: { kind: 'person', id: 'card-2' } }),
      }),
    ]);
    ledger.recordPassage(passage(3, T0 + 1));
    expect(ledger.auditLog({ action: 'override' })).toHaveLength(1);
  });
});
