import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/gate/model.js';
import { OutboxPriority } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const T0 = Date.UTC(2026, 10, 23, 2); // 10:00 in Shanghai
function open(over: Partial<Parameters<typeof openLedger>[0]> = {}) {
  let now = T0;
  const clock = { now: () => now, synced: () => true };
  const ledger = openLedger({ path: ':memory:', clock, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai', ...over });
  return { ledger, set: (ms: number) => (now = ms) };
}

describe('passages and outbox', () => {
  it('writes the passage, its outbox row and its alerts with higher priority, once', () => {
    const { ledger } = open();
    const fever = passage(97, T0);
    const { seq } = ledger.recordPassage(fever);
    expect(ledger.recordPassage(fever).seq).toBe(seq);
    const batch = ledger.outboxBatch(10);
    expect(batch.map((r) => [r.kind, r.priority])).toEqual([
      ['alert', OutboxPriority.alert],
      ['passage', OutboxPriority.passage],
    ]);
    expect(batch[1]?.seq).toBe(seq);
    expect(batch[1]?.payload).toMatchObject({ gateId: 'g1', siteId: 's1', seq, id: fever.id, outcome: 'refused', reasons: ['temp.fever'] });
    // Minimised: no names by default.
    expect(JSON.stringify(batch)).not.toContain(fever.subject?.name as string);
    expect(ledger.alerts()).toHaveLength(1);
    expect(ledger.unacknowledgedAlerts()).toBe(1);
  });

  it('puts names in the uplink only when configured', () => {
    const { ledger } = open({ uplinkNames: true });
    const p = passage(1, T0);
    ledger.recordPassage(p);
    expect(JSON.stringify(ledger.outboxBatch(1))).toContain(p.subject?.name as string);
  });

  it('acknowledges only what the broker acknowledged; seq never goes back after deletes', () => {
    const { ledger } = open();
    const seqs = [1, 2, 3].map((i) => ledger.recordPassage(passage(i, T0)).seq);
    ledger.outboxAck([seqs[0] as number, seqs[2] as number]);
    expect(ledger.outboxDepth()).toBe(1);
    expect(ledger.outboxBatch(10).map((r) => r.seq)).toEqual([seqs[1]]);
    ledger.outboxAck(seqs.slice(0, 2));
    expect(ledger.outboxDepth()).toBe(0);
    const next = ledger.enqueue('correction', { note: 'clock stepped' }).seq;
    expect(next).toBeGreaterThan(seqs[2] as number);
    expect(ledger.outboxBatch(1)[0]).toMatchObject({ kind: 'correction', seq: next, payload: { note: 'clock stepped', seq: next } });
  });

  it('records a turn of decisions in one transaction: all of them in order, or none', () => {
    const { ledger } = open();
    const alert: Alert = { id: 'a-door', kind: 'device-offline', severity: 'warning', text: { zh: '设备离线', en: 'Device offline' }, at: T0 };
    const seqs = ledger.recordDecisions([
      { kind: 'passage', passage: passage(1, T0) },
      { kind: 'alert', alert },
      { kind: 'passage', passage: passage(2, T0) },
    ]);
    expect(seqs).toHaveLength(3);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(ledger.passages().map((r) => r.seq)).toEqual([seqs[2], seqs[0]]);
    expect(ledger.alerts().map((a) => a.alert.id)).toEqual(['a-door']);
    // A decision already stored keeps its seq.
    expect(ledger.recordDecisions([{ kind: 'passage', passage: passage(1, T0) }])).toEqual([seqs[0]]);
    // One that cannot be stored takes the others of its turn with it.
    const broken = passage(4, T0, { flags: [10n as unknown as string] });
    expect(() => ledger.recordDecisions([{ kind: 'passage', passage: passage(3, T0) }, { kind: 'passage', passage: broken }])).toThrow();
    expect(ledger.passages()).toHaveLength(2);
    expect(ledger.outboxDepth()).toBe(3);
  });

  it('reads the outbox from a position: the rest in order, or what is more urgent and newer', () => {
    const { ledger } = open();
    const p = [1, 2, 3].map((i) => ledger.recordPassage(passage(i, T0)).seq);
    const report = ledger.enqueue('report', { day: 'x' }).seq;
    const other = ledger.enqueue('state', { s: 1 }).seq;
    const order = ledger.outboxBatch(10).map((r) => r.seq);
    expect(order).toEqual([report, ...p, other]);
    // After the report: the passages, then the lower priority; a limit cuts across priorities.
    expect(ledger.outboxBatch(10, { after: { priority: OutboxPriority.report, seq: report } }).map((r) => r.seq)).toEqual([...p, other]);
    expect(ledger.outboxBatch(2, { after: { priority: OutboxPriority.passage, seq: p[0] as number } }).map((r) => r.seq)).toEqual([p[1], p[2]]);
    expect(ledger.outboxBatch(10, { after: { priority: OutboxPriority.passage, seq: p[2] as number } }).map((r) => r.seq)).toEqual([other]);
    // An alert committed later is more urgent than a reader at the passages, and newer than what it read.
    ledger.recordPassage(passage(97, T0));
    const urgent = ledger.outboxBatch(10, { priorityBelow: OutboxPriority.passage, seqAbove: other });
    expect(urgent.map((r) => r.kind)).toEqual(['alert']);
    expect(ledger.outboxBatch(10, { priorityBelow: OutboxPriority.passage, seqAbove: urgent[0]?.seq as number })).toEqual([]);
    // The report read before is not read again: it is older than the reader's newest seq.
    expect(ledger.outboxBatch(10, { priorityBelow: OutboxPriority.passage, seqAbove: report })).toHaveLength(1);
  });

  it('keeps wall time, monotonic seq and the clock-synced flag per record', () => {
    const { ledger } = open();
    ledger.recordPassage(passage(1, T0, { clockSynced: false }));
    ledger.recordPassage(passage(2, T0 - 3_600_000)); // clock stepped back by NTP
    const [newest, oldest] = ledger.passages();
    expect(newest?.passage.id).toBe('p-00000002');
    expect(newest?.seq).toBeGreaterThan(oldest?.seq as number);
    expect(oldest?.clockSynced).toBe(false);
    expect(newest?.clockSynced).toBe(true);
  });

  it('searches by name, card, ID tail and plate, and filters', () => {
    const { ledger } = open();
    for (let i = 1; i <= 60; i++) ledger.recordPassage(passage(i, T0 + i * 1000));
    const p5 = passage(5, 0).subject;
    expect(ledger.passages({ text: p5?.name }).every((r) => r.passage.subject?.name === p5?.name)).toBe(true);
    expect(ledger.passages({ text: p5?.name }).length).toBeGreaterThan(0);
    expect(ledger.passages({ text: p5?.id }).map((r) => r.passage.subject?.id)).toContain(p5?.id);
    expect(ledger.passages({ text: p5?.idTail }).every((r) => r.passage.subject?.idTail === p5?.idTail)).toBe(true);
    expect(ledger.passages({ outcome: 'refused' }).every((r) => r.passage.outcome === 'refused')).toBe(true);
    expect(ledger.passages({ reasonCode: 'code.yellow' }).length).toBe(3); // 17, 34, 51
    expect(ledger.passages({ direction: 'in', lane: 'lane-2' }).every((r) => r.passage.direction === 'in' && r.passage.lane === 'lane-2')).toBe(true);
    expect(ledger.passages({ from: T0 + 10_000, to: T0 + 20_000 })).toHaveLength(10);
    const page1 = ledger.passages({ limit: 20 });
    const page2 = ledger.passages({ limit: 20, beforeSeq: page1.at(-1)?.seq as number });
    expect(page2[0]?.seq).toBeLessThan(page1.at(-1)?.seq as number);
    expect(ledger.passages({ text: 'nobody' })).toEqual([]);
  });

  it("counts today's entries, exits, refusals by reason, fever alerts and who is inside", () => {
    const { ledger } = open();
    const sub = (id: string, hh: string) => ({ kind: 'person' as const, id, personId: id, householdId: hh });
    ledger.recordPassage(passage(2, T0, { direction: 'in', subject: sub('a', 'h1') }));
    ledger.recordPassage(passage(4, T0 + 1, { direction: 'in', subject: sub('b', 'h1') }));
    ledger.recordPassage(passage(6, T0 + 2, { direction: 'out', subject: sub('b', 'h1') }));
    ledger.recordPassage(passage(97, T0 + 3)); // refused, fever
    ledger.registerVisitor({ name: '访客甲', travel: [] }); // registered, not yet through the gate: not inside
    const c = ledger.todayCounts();
    expect(c).toMatchObject({ day: '2026-11-23', entries: 2, exits: 1, refusals: 1, feverAlerts: 1, visitorsInside: 0, peopleInside: 1 });
    expect(c.refusalsByReason).toEqual({ 'temp.fever': 1 });
    const inside = ledger.insideState();
    expect(inside.inside.map((x) => x.subjectId)).toEqual(['a']);
    expect(inside.lastOuting).toEqual({ h1: T0 + 2 });
    // The next local day starts at 16:00 UTC.
    expect(ledger.todayCounts(Date.UTC(2026, 10, 23, 16, 0, 1)).entries).toBe(0);
  });

  it('records alerts not tied to a passage and acknowledges them by operator', () => {
    const { ledger } = open();
    const a: Alert = { id: 'dev-1', kind: 'device-offline', severity: 'warning', text: { zh: '测温仪离线', en: 'Thermometer offline' }, at: T0, detail: { deviceId: 't1' } };
    const { seq } = ledger.recordAlert(a);
    expect(ledger.recordAlert(a).seq).toBe(seq);
    expect(ledger.acknowledgeAlert('dev-1', 'vol-1')).toBe(true);
    expect(ledger.acknowledgeAlert('dev-1', 'vol-1')).toBe(false);
    expect(ledger.alerts()[0]).toMatchObject({ acknowledgedBy: 'vol-1', acknowledgedAt: T0 });
    expect(ledger.unacknowledgedAlerts()).toBe(0);
    expect(ledger.auditLog({ action: 'alert-ack' })).toHaveLength(1);
  });

  it('a failed transaction leaves nothing behind', () => {
    const { ledger } = open();
    const bad = passage(1, T0);
    (bad as unknown as { lane: null }).lane = null; // NOT NULL violated after the outbox insert
    expect(() => ledger.recordPassage(bad)).toThrow();
    expect(ledger.outboxDepth()).toBe(0);
    expect(ledger.outboxBatch(10)).toEqual([]);
    expect(ledger.todayCounts().entries + ledger.todayCounts().exits + ledger.todayCounts().refusals).toBe(0);
  });
});

describe('roster', () => {
  const change = {
    households: [{ id: 'h1', address: '东村1号', grid: '一网格' }],
    persons: [
      { id: 'p1', householdId: 'h1', name: '王建国', idNumber: '330102195603120018', phone: '13805710001', categories: ['elderly-alone', 'chronic'] },
      { id: 'p2', householdId: 'h1', name: '李强', categories: ['tenant'], quarantine: { kind: 'home' as const, until: T0 + 86_400_000 } },
    ],
    cards: [{ id: 'c1', type: 'person' as const, personId: 'p1', householdId: 'h1' }],
  };

  it('applies versioned changes atomically and refuses stale versions', () => {
    const { ledger } = open();
    expect(ledger.applyRoster(change, { version: 5 }).result).toBe('applied');
    expect(ledger.applyRoster({ persons: [{ id: 'p1', householdId: 'h1', name: 'X' }] }, { version: 5 }).result).toBe('stale');
    expect(ledger.person('p1')?.name).toBe('王建国');
    expect(ledger.rosterVersion()).toBe(5);
    // A delta keeps what it does not mention.
    ledger.applyRoster({ persons: [{ id: 'p1', householdId: 'h1', name: '王建国', health: { colour: 'yellow', at: T0 } }] }, { version: 6 });
    expect(ledger.person('p1')).toMatchObject({ health: { colour: 'yellow' }, phoneMasked: '138****0001', categories: ['elderly-alone', 'chronic'] });
    // A full snapshot replaces.
    ledger.applyRoster({ full: true, households: [{ id: 'h2', address: '西村' }], persons: [{ id: 'p9', householdId: 'h2', name: '新人' }] }, { version: 7 });
    expect(ledger.person('p1')).toBeUndefined();
    expect(ledger.rosterView().members('h2').map((p) => p.id)).toEqual(['p9']);
  });

  it('exposes ID numbers and phones masked, and a fast view for the gate', () => {
    const { ledger } = open();
    ledger.applyRoster(change);
    const p = ledger.person('p1');
    expect(p?.idNumberMasked).toBe('3301**********0018');
    expect(JSON.stringify(ledger.persons())).not.toContain('330102195603120018');
    expect(JSON.stringify(ledger.persons())).not.toContain('13805710001');
    const view = ledger.rosterView();
    expect(view.personByIdNumber('330102195603120018')?.id).toBe('p1');
    expect(view.card('c1')?.personId).toBe('p1');
    expect(view.members('h1')).toHaveLength(2);
    expect(view.person('p2')?.quarantine?.kind).toBe('home');
    expect(ledger.rosterStats()).toMatchObject({ households: 1, persons: 2, activeCards: 1, inQuarantine: 1, byCategory: { tenant: 1, 'elderly-alone': 1, chronic: 1 } });
    expect(ledger.persons({ category: 'tenant' }).map((x) => x.id)).toEqual(['p2']);
  });

  it('takes health-code colours from the hub by version; unknown persons are listed, older readings ignored', () => {
    const { ledger } = open();
    ledger.applyRoster(change);
    const seen = ledger.rosterView();
    expect(seen.person('p1')?.health).toBeUndefined();
    const apply = ledger.applyHealth?.bind(ledger);
    if (!apply) throw new Error('openLedger() must implement applyHealth');
    const r = apply(
      [
        { personId: 'p1', colour: 'red', at: T0 },
        { personId: 'p2', colour: 'green', at: T0 },
        { personId: 'ghost', colour: 'green', at: T0 },
      ],
      { version: 3 },
    );
    expect(r).toEqual({ result: 'applied', version: 3, updated: 2, unknown: ['ghost'] });
    expect(ledger.rosterView().person('p1')?.health).toEqual({ colour: 'red', at: T0 });
    expect(ledger.person('ghost')).toBeUndefined();
    expect(apply([{ personId: 'p1', colour: 'green', at: T0 + 1 }], { version: 3 }).result).toBe('stale');
    // A newer version with an older reading for a person keeps the newer reading.
    expect(apply([{ personId: 'p1', colour: 'green', at: T0 - 1 }], { version: 4 })).toMatchObject({ result: 'applied', updated: 0 });
    expect(ledger.person('p1')?.health?.colour).toBe('red');
    expect(() => apply([{ personId: 'p1', colour: 'blue' as never, at: T0 }], { version: 5 })).toThrow(/Health update 1: colour must be green, yellow or red/);
    expect(apply([{ personId: 'p2', colour: 'yellow', at: T0 + 5 }], { version: 5 }).updated).toBe(1);
    expect(ledger.auditLog({ action: 'health-update' })).toHaveLength(3);
  });

  it('refreshes the view after a change and revokes cards into the policy', () => {
    const changes: string[] = [];
    const { ledger } = open({ onChange: (w) => changes.push(w) });
    ledger.applyRoster(change);
    const before = ledger.rosterView();
    expect(ledger.revokeCard('c1', 'lost', 'admin')).toBe(true);
    // The view re-reads the row the change touched, not the whole roster (a village's took most of a
    // second on the next decision): the same view, the card gone.
    expect(ledger.rosterView()).toBe(before);
    expect(ledger.rosterView().card('c1')).toBeUndefined();
    expect(ledger.policy().revokedCards).toContain('c1');
    expect(ledger.cards({ includeRevoked: true })[0]).toMatchObject({ revokedReason: 'lost' });
    expect(changes).toContain('roster');
    const issued = ledger.issueCard({ id: 'c2', type: 'household', householdId: 'h1' }, 'admin');
    expect(issued.issuedBy).toBe('admin');
    expect(ledger.rosterView().card('c2')?.type).toBe('household');
    expect(ledger.auditLog().map((a) => a.action)).toEqual(expect.arrayContaining(['card-issue', 'card-revoke', 'roster-change']));
    expect(ledger.rosterView()).toBe(before);
  });

  it('re-reads only the rows a delta, a health update or a quarantine change touched, and a full roster whole', () => {
    const { ledger } = open();
    ledger.applyRoster(change);
    const view = ledger.rosterView();
    const person = view.person('p1');
    if (!person) throw new Error('the fixture has no p1');
    // A delta: a new household with a member and a card, one person moved, one removed.
    ledger.applyRoster({ households: [{ id: 'h9', address: '9号' }], persons: [{ id: 'p9', householdId: 'h9', name: '新人', idNumber: '11010519491231002x' }], cards: [{ id: 'c9', type: 'person', personId: 'p9', householdId: 'h9' }] });
    expect(ledger.rosterView()).toBe(view);
    expect(view.household('h9')).toMatchObject({ address: '9号' });
    expect(view.members('h9').map((m) => m.id)).toEqual(['p9']);
    expect(view.personByIdNumber('11010519491231002X')?.id).toBe('p9');
    expect(view.card('c9')).toMatchObject({ personId: 'p9' });
    ledger.applyRoster({ persons: [{ id: 'p9', householdId: person.householdId, name: '新人' }], removePersons: [] });
    expect(view.members('h9')).toEqual([]);
    expect(view.members(person.householdId).map((m) => m.id)).toContain('p9');
    ledger.applyRoster({ removePersons: ['p9'], removeCards: ['c9'] });
    expect(view.person('p9')).toBeUndefined();
    expect(view.card('c9')).toBeUndefined();
    expect(view.members(person.householdId).map((m) => m.id)).not.toContain('p9');
    // A health code from the hub.
    expect(ledger.applyHealth?.([{ personId: 'p1', colour: 'yellow', at: T0 }], { version: 5, actor: 'hub' }).result).toBe('applied');
    expect(view.person('p1')?.health?.colour).toBe('yellow');
    expect(view.members(person.householdId).find((m) => m.id === 'p1')?.health?.colour).toBe('yellow');
    // A quarantine set on the kiosk.
    ledger.setQuarantine('p1', { kind: 'home', until: T0 + 7 * 86_400_000 }, { cause: 'admin' }, 'admin');
    expect(view.person('p1')?.quarantine).toMatchObject({ kind: 'home' });
    expect(ledger.rosterView()).toBe(view);
    // A full snapshot replaces the view.
    ledger.applyRoster({ ...change, full: true });
    expect(ledger.rosterView()).not.toBe(view);
  });
});

describe('visitors', () => {
  it('registers, lists inside, signs out (销号) and signs out on an admitted exit', () => {
    const { ledger, set } = open();
    const v1 = ledger.registerVisitor({ name: '访客甲', idNumber: '330102195603120018', phone: '13900000000', travel: ['杭州'], hostHouseholdId: 'h1', reason: '探亲', escort: '王建国', operatorId: 'vol' });
    set(T0 + 60_000);
    const v2 = ledger.registerVisitor({ name: '访客乙', travel: [] });
    expect(v1).toMatchObject({ idTail: '0018', idNumberMasked: '3301**********0018', phoneMasked: '139****0000', registeredBy: 'vol' });
    expect(ledger.visitorsOpen().map((v) => v.id)).toEqual([v1.id, v2.id]);
    expect(ledger.rosterView().visitor(v1.id)?.travel).toEqual(['杭州']);
    expect(ledger.signOutVisitor(v1.id, 'vol')).toBe(true);
    expect(ledger.signOutVisitor(v1.id, 'vol')).toBe(false);
    ledger.recordPassage(passage(1, T0 + 120_000, { direction: 'out', outcome: 'admitted', subject: { kind: 'visitor', id: v2.id } }));
    expect(ledger.visitorsInside()).toEqual([]);
    expect(ledger.todayCounts().visitorsInside).toBe(0);
    expect(ledger.dailyReport().visitors).toBe(2);
  });

  it('rejects a bad form with a clear message', () => {
    const { ledger } = open();
    expect(() => ledger.registerVisitor({ name: ' ', travel: [] })).toThrow(/name/);
    expect(() => ledger.registerVisitor({ name: '甲', idNumber: '330102195603120017', travel: [] })).toThrow(/ID number/);
    expect(() => ledger.registerVisitor({ name: '甲', phone: 'abc', travel: [] })).toThrow(/phone/);
  });
});

describe('operators, duty, audit', () => {
  it('hashes PINs with scrypt and verifies them', () => {
    const { ledger } = open();
    expect(ledger.hasAdmin()).toBe(false);
    ledger.createOperator({ id: 'admin', name: '管理员', role: 'admin', pin: '246810' }, 'setup');
    ledger.createOperator({ id: 'vol', name: '志愿者', role: 'volunteer', pin: '135791' }, 'admin');
    expect(ledger.hasAdmin()).toBe(true);
    expect(ledger.verifyOperator('admin', '246810')?.role).toBe('admin');
    expect(ledger.verifyOperator('admin', '246811')).toBeUndefined();
    expect(ledger.verifyOperator('ghost', '246810')).toBeUndefined();
    ledger.setOperatorPin('vol', '999999', 'admin');
    expect(ledger.verifyOperator('vol', '135791')).toBeUndefined();
    expect(ledger.verifyOperator('vol', '999999')?.id).toBe('vol');
    ledger.setOperatorActive('vol', false, 'admin');
    expect(ledger.verifyOperator('vol', '999999')).toBeUndefined();
    expect(() => ledger.createOperator({ id: 'x', name: 'x', role: 'volunteer', pin: '12' }, 'admin')).toThrow(/PIN/);
    // Six digits at least, volunteers too: the guess rate the login delays allow needs it (docs/security.md).
    expect(() => ledger.createOperator({ id: 'x', name: 'x', role: 'volunteer', pin: '13579' }, 'admin')).toThrow(/6 to 12 digits/);
    expect(() => ledger.createOperator({ id: 'admin', name: 'x', role: 'admin', pin: '123456' }, 'admin')).toThrow(/exists/);
  });

  it('logs duty sign-in and sign-out', () => {
    const { ledger, set } = open();
    ledger.createOperator({ id: 'vol', name: '志愿者', role: 'volunteer', pin: '135791' }, 'admin');
    const d = ledger.dutySignIn('vol', '夜班');
    expect(ledger.dutySignIn('vol').id).toBe(d.id);
    expect(ledger.duty({ onDutyOnly: true })).toHaveLength(1);
    set(T0 + 8 * 3_600_000);
    expect(ledger.dutySignOut('vol')?.signedOutAt).toBe(T0 + 8 * 3_600_000);
    expect(ledger.dutySignOut('vol')).toBeUndefined();
    expect(ledger.duty({ onDutyOnly: true })).toHaveLength(0);
    expect(() => ledger.dutySignIn('ghost')).toThrow(/No operator/);
  });
});

describe('policy', () => {
  it('applies each kind by version; older or equal versions are stale', () => {
    const { ledger } = open({ defaultZoneLevel: 'precaution' });
    expect(ledger.policy()).toMatchObject({ version: 0, zoneLevel: 'precaution', riskAreas: [] });
    expect(ledger.applyPolicy('risk-areas', 3, ['上海市浦东新区', '杭州市西湖区'])).toBe('applied');
    expect(ledger.applyPolicy('risk-areas', 2, ['old'])).toBe('stale');
    expect(ledger.applyPolicy('zone-level', 1, { level: 'controlled' })).toBe('applied');
    expect(ledger.applyPolicy('revocations', 1, { cards: ['c9'] })).toBe('applied');
    expect(ledger.policy()).toMatchObject({ version: 3, zoneLevel: 'controlled', riskAreas: ['上海市浦东新区', '杭州市西湖区'], revokedCards: ['c9'] });
    expect(() => ledger.applyPolicy('zone-level', 2, 'lockdown')).toThrow(/zone-level/);
    expect(() => ledger.applyPolicy('risk-areas', 4, [1, 2])).toThrow(/list of strings/);
    expect(ledger.policyStates().map((s) => s.kind)).toEqual(['revocations', 'risk-areas', 'zone-level']);
  });
});

describe('零报告 is about cases (seed 002: 无病例零报告)', () => {
  it('a day of refusals, a fever and a close contact is still a zero report, with every figure beside it; a suspected case is not', () => {
    const { ledger } = open();
    ledger.recordPassage(passage(17, T0)); // refused: yellow code
    ledger.recordPassage(passage(97, T0 + 1)); // refused: fever
    ledger.recordCase({ kind: 'close-contact', foundDay: '2026-11-23' }, 'admin');
    const r = ledger.dailyReport('2026-11-23');
    expect(r).toMatchObject({ zeroReport: true, refusals: 2, feverAlerts: 1, casesFound: 0, closeContactsFound: 1 });
    ledger.recordCase({ kind: 'suspected', foundDay: '2026-11-23', note: '发热待排' }, 'admin');
    expect(ledger.dailyReport('2026-11-23')).toMatchObject({ zeroReport: false, casesFound: 1 });
  });
});
