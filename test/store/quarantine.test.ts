// Health tiers changed at the village: a breach restarts home quarantine from that day (seed 004), a
// returnee's 报备 applies the policy at once (seed 003), the admin sets, changes and releases with the
// sign-off (seed 002: 共同签字确认后解除隔离) — each audited and sent up.
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { localTime } from '../../src/store/time.js';
import { passage } from '../../bench/passage-factory.js';

const TZ = 'Asia/Shanghai';
const T0 = Date.UTC(2026, 10, 23, 2); // 2026-11-23 10:00 in Shanghai
const DAY = 86_400_000;
function open(over: Partial<Parameters<typeof openLedger>[0]> = {}) {
  let now = T0;
  const changes: string[] = [];
  const ledger = openLedger({ path: ':memory:', clock: { now: () => now, synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: TZ, onChange: (w) => changes.push(w), ...over });
  ledger.applyRoster({
    households: [{ id: 'hh-1', address: '东村1号' }],
    persons: [
      { id: 'p-1', householdId: 'hh-1', name: '刘先生', quarantine: { kind: 'home', until: T0 + 3 * DAY } },
      { id: 'p-2', householdId: 'hh-1', name: '陈阿姨' },
    ],
  });
  ledger.applyPolicy('risk-areas', 1, ['某市某区']);
  return { ledger, changes, set: (ms: number) => (now = ms) };
}
const breach = (i: number, at: number, personId: string) =>
  passage(i, at, {
    direction: 'out',
    outcome: 'refused',
    subject: { kind: 'person', id: `pc-${personId}`, personId, householdId: 'hh-1' },
    reasons: [{ code: 'quarantine.breach', zh: '', en: '' }],
    alerts: [{ id: `a-${i}`, kind: 'quarantine-breach', severity: 'critical', text: { zh: '', en: '' }, at }],
  });
const stateRows = (l: ReturnType<typeof open>['ledger']) => l.outboxBatch(100).filter((r) => r.kind === 'state').map((r) => r.payload);

describe('a breach restarts home quarantine (自外出之日起重新计算隔离时间)', () => {
  it('moves the end to the breach day + 14 days, audited, sent up, and the gate re-reads the roster', () => {
    const { ledger, changes } = open();
    changes.length = 0;
    ledger.recordPassage(breach(2, T0, 'p-1'));
    const until = localTime('2026-12-07', TZ); // through 12-06: 14 days from 11-23
    expect(ledger.rosterView().person('p-1')?.quarantine).toEqual({ kind: 'home', until });
    expect(changes).toContain('roster');
    expect(ledger.auditLog({ action: 'quarantine-change' })[0]).toMatchObject({ actor: 'gate', detail: { personId: 'p-1', cause: 'breach', passageId: 'p-00000002', previous: { until: T0 + 3 * DAY }, next: { until } } });
    expect(stateRows(ledger)).toEqual([expect.objectContaining({ type: 'quarantine-change', personId: 'p-1', cause: 'breach', next: { kind: 'home', until }, householdId: 'hh-1', nameMasked: '刘*生' })]);
    // A second attempt the same day changes nothing more.
    ledger.recordPassage(breach(4, T0 + 60_000, 'p-1'));
    expect(stateRows(ledger)).toHaveLength(1);
  });

  it('keeps the end date when the policy says so', () => {
    const { ledger } = open({ breachRestartDays: false });
    ledger.recordPassage(breach(2, T0, 'p-1'));
    expect(ledger.rosterView().person('p-1')?.quarantine?.until).toBe(T0 + 3 * DAY);
    expect(ledger.auditLog({ action: 'quarantine-change' })).toEqual([]);
  });
});

describe('the admin sets, changes and releases a tier', () => {
  it('sets and changes with an end in the future', () => {
    const { ledger } = open();
    expect(ledger.setQuarantine('p-2', { kind: 'monitoring', until: T0 + 7 * DAY }, { cause: 'admin' }, 'admin')).toMatchObject({ previous: null, next: { kind: 'monitoring' } });
    expect(ledger.rosterView().person('p-2')?.quarantine?.kind).toBe('monitoring');
    expect(() => ledger.setQuarantine('p-2', { kind: 'home', until: T0 - 1 }, { cause: 'admin' }, 'admin')).toThrow(/end in the future/);
    expect(ledger.setQuarantine('nobody', { kind: 'home', until: T0 + DAY }, { cause: 'admin' }, 'admin')).toBeUndefined();
  });

  it('releases only with who signed and the two negative tests on different days', () => {
    const { ledger } = open();
    expect(() => ledger.setQuarantine('p-1', null, { cause: 'release' }, 'admin')).toThrow(/who signed/);
    expect(() => ledger.setQuarantine('p-1', null, { cause: 'release', signOff: { signedBy: ['王医生'], tests: [T0 - DAY] } }, 'admin')).toThrow(/two negative tests/);
    expect(() => ledger.setQuarantine('p-1', null, { cause: 'release', signOff: { signedBy: ['王医生'], tests: [T0 - DAY, T0 - DAY + 60_000] } }, 'admin')).toThrow(/different days/);
    const signOff = { signedBy: ['王医生', '李书记'], tests: [T0 - 6 * DAY, T0 - DAY] };
    expect(ledger.setQuarantine('p-1', null, { cause: 'release', signOff }, 'admin')).toMatchObject({ cause: 'release', next: null, signOff });
    expect(ledger.rosterView().person('p-1')?.quarantine).toBeUndefined();
    expect(ledger.auditLog({ action: 'quarantine-change' })[0]?.detail).toMatchObject({ cause: 'release', signOff });
    expect(stateRows(ledger).at(-1)).toMatchObject({ type: 'quarantine-change', cause: 'release', signOff });
  });
});

describe('报备: a returning resident, the policy applied at once', () => {
  const policy = { quarantineDays: 14, lookbackDays: 14 };
  it('from a risk area with a green code and a test within 7 days: home quarantine from arrival', () => {
    const { ledger } = open();
    const r = ledger.reportReturnee({ personId: 'p-2', from: '某市某区', arrivedAt: T0 - DAY, testAt: T0 - 3 * DAY, greenCode: true }, 'vol', policy);
    expect(r).toMatchObject({ fromRiskArea: true, tier: { kind: 'home', until: localTime('2026-12-06', TZ) } });
    expect(ledger.rosterView().person('p-2')).toMatchObject({ quarantine: { kind: 'home' }, riskTravel: { area: '某市某区', at: T0 - DAY }, lastTestAt: T0 - 3 * DAY });
    expect(ledger.auditLog({ action: 'returnee-report' })).toHaveLength(1);
    expect(stateRows(ledger)).toEqual([expect.objectContaining({ type: 'quarantine-change', cause: 'report', personId: 'p-2' })]);
  });

  it('from a risk area without the test: central quarantine; from elsewhere: daily monitoring', () => {
    const { ledger } = open();
    expect(ledger.reportReturnee({ personId: 'p-2', from: '某市某区', arrivedAt: T0, greenCode: true }, 'vol', policy)?.tier.kind).toBe('central');
    expect(ledger.reportReturnee({ personId: 'p-2', from: '杭州', arrivedAt: T0 }, 'vol', policy)?.tier.kind).toBe('daily');
    expect(() => ledger.reportReturnee({ personId: 'p-2', from: '', arrivedAt: T0 }, 'vol', policy)).toThrow(/came from/);
    expect(ledger.reportReturnee({ personId: 'ghost', from: '杭州', arrivedAt: T0 }, 'vol', policy)).toBeUndefined();
  });

  it('the daily report counts who is in quarantine and in health monitoring, and the day\'s returnees', () => {
    const { ledger, set } = open();
    expect(ledger.dailyReport('2026-11-23')).toMatchObject({ inQuarantine: 1, inMonitoring: 0, returnees: 0 });
    ledger.reportReturnee({ personId: 'p-2', from: '杭州', arrivedAt: T0 }, 'vol', policy);
    expect(ledger.dailyReport('2026-11-23')).toMatchObject({ inQuarantine: 1, inMonitoring: 1, returnees: 1 });
    expect(ledger.dailyReport('2026-11-22')).toMatchObject({ returnees: 0 });
    // p-1's home quarantine ends after 3 days; p-2's monitoring lasts the policy's days.
    set(T0 + 4 * DAY);
    expect(ledger.dailyReport('2026-11-27')).toMatchObject({ inQuarantine: 0, inMonitoring: 1, returnees: 0 });
  });
});
