// One test per rule: each fails when its rule is removed from src/gate.
import { describe, expect, it } from 'vitest';
import { harness, MONDAY_10 } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('temperature (测温)', () => {
  it('asks for a re-measure at the threshold, refuses after two high readings and raises a fever alert', () => {
    const h = harness();
    const outs = h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    expect(outs.at(-1)).toMatchObject({ type: 'progress', stage: 'awaiting-temperature', prompt: { zh: '请测体温', en: 'Please take temperature' } });
    const first = h.send({ type: 'temperature', lane: 'main', celsius: 37.3, source: 'device' });
    expect(first.at(-1)).toMatchObject({ type: 'progress', stage: 'awaiting-remeasure', prompt: { zh: '请复测' } });
    const p = h.decided(h.send({ type: 'temperature', lane: 'main', celsius: 37.8, source: 'device' }))[0];
    expect(p?.outcome).toBe('refused');
    expect(h.codes(p)).toEqual(['temp.fever']);
    expect(p?.alerts[0]).toMatchObject({ kind: 'fever', severity: 'critical', detail: { celsius: 37.8 } });
    expect(p?.actions).toContainEqual({ kind: 'buzzer', lane: 'main', pattern: 'alarm' });
  });

  it('admits when the re-measure is normal', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.send({ type: 'temperature', lane: 'main', celsius: 37.5, source: 'device' });
    const { passage } = h.pass(h.card('pc-001'), 'in', { temp: 36.8, mask: true, colour: 'green' });
    expect(passage?.outcome).toBe('admitted');
    expect(passage?.temperatures.map((t) => t.celsius)).toEqual([37.5, 36.8]);
  });

  it('follows a configured threshold', () => {
    const p = harness({ rules: { feverThreshold: 37.0 } });
    p.send({ type: 'scan', lane: 'main', text: p.card('pc-001'), direction: 'in' });
    expect(p.send({ type: 'temperature', lane: 'main', celsius: 37.1, source: 'device' }).at(-1)).toMatchObject({ stage: 'awaiting-remeasure' });
  });

  it('never trusts a reading below the floor: it asks again, and hands over to the volunteer after repeated low readings', () => {
    const h = harness({ rules: { lowReadingsBeforeOperator: 2 } });
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.send({ type: 'mask', lane: 'main', worn: true, source: 'sensor' });
    h.send({ type: 'colour', lane: 'main', colour: 'green', source: 'operator' });
    const low = h.send({ type: 'temperature', lane: 'main', celsius: 34.2, source: 'device' });
    expect(h.decided(low)).toEqual([]);
    expect(low.at(-1)).toMatchObject({ stage: 'awaiting-remeasure', prompt: { en: expect.stringContaining('too low') } });
    expect(h.send({ type: 'temperature', lane: 'main', celsius: 33.9, source: 'device' }).at(-1)).toMatchObject({ stage: 'awaiting-operator' });
    const p = h.decided(h.send({ type: 'temperature', lane: 'main', celsius: 36.4, source: 'operator' }))[0];
    expect(p?.outcome).toBe('admitted');
  });
});

describe('health code (验码)', () => {
  it.each([
    ['yellow', 'code.yellow', 'code-yellow', 'warning'],
    ['red', 'code.red', 'code-red', 'critical'],
  ] as const)('refuses %s with an alert', (colour, code, kind, severity) => {
    const h = harness();
    const { passage } = h.pass(h.card('pc-001'), 'in', { temp: 36.5, mask: true, colour });
    expect(passage?.outcome).toBe('refused');
    expect(h.codes(passage)).toEqual([code]);
    expect(passage?.alerts[0]).toMatchObject({ kind, severity });
    expect(passage?.colour).toBe(colour);
  });

  it('uses a fresh status pushed by the hub without asking, and the worst of hub and volunteer', () => {
    const h = harness();
    const outs = h.send({ type: 'scan', lane: 'main', text: h.card('pc-007'), direction: 'in' });
    const p = h.decided(outs)[0];
    expect(p?.outcome).toBe('refused');
    expect(p?.colourSource).toBe('hub');
    expect(h.codes(p)).toEqual(['code.red']);
  });

  it('asks the volunteer when the hub status is stale', () => {
    const h = harness();
    const { outs, passage } = h.pass(h.card('pc-008'), 'in', { temp: 36.5, mask: true });
    expect(passage).toBeUndefined();
    expect(outs.at(-1)).toMatchObject({ stage: 'awaiting-colour', prompt: { zh: '请出示健康码', en: 'Show your health code' } });
  });

  it('decides without a colour when the site does not check codes', () => {
    const h = harness({ rules: { healthCodeRequired: false } });
    expect(h.pass(h.card('pc-001'), 'in', { temp: 36.5, mask: true }).passage?.outcome).toBe('admitted');
  });
});

describe('mask (戴口罩)', () => {
  it('refuses without a mask and waits for the mask check', () => {
    const h = harness();
    expect(h.pass(h.card('pc-001'), 'in', { temp: 36.5, mask: false, colour: 'green' }).passage).toMatchObject({ outcome: 'refused', reasons: [{ code: 'mask.missing' }] });
    const w = h.pass(h.card('pc-002'), 'in', { temp: 36.5 });
    expect(w.outs.at(-1)).toMatchObject({ stage: 'awaiting-mask' });
  });

  it('is not asked when the site does not require it', () => {
    const h = harness({ rules: { maskRequired: false } });
    expect(h.pass(h.card('pc-001'), 'in', { temp: 36.5, colour: 'green' }).passage?.outcome).toBe('admitted');
  });
});

describe('residency', () => {
  it('refuses an outsider who is not registered, identified by ID number', () => {
    const h = harness();
    const p = h.pass('440524188001010014', 'in').passage;
    expect(p).toMatchObject({ outcome: 'refused', subject: { kind: 'resident-id', idTail: '0014' } });
    expect(h.codes(p)).toContain('visitor.unregistered');
    expect(JSON.stringify(p)).not.toContain('440524188001010014');
  });

  it('admits a resident identified by ID number, and refuses a card whose household is not on the roster', () => {
    const h = harness();
    expect(h.pass('11010519491231002x', 'in').passage).toMatchObject({ outcome: 'admitted', subject: { personId: 'p-001', idTail: '002X' } });
    expect(h.codes(h.pass(h.card('hh-999'), 'in').passage)).toEqual(['card.unknown']);
  });
});

describe('visitors (外来人员)', () => {
  it('admits a registered, escorted visitor and flags the escort', () => {
    const h = harness();
    const p = h.pass('VIS:v-001', 'in').passage;
    expect(p).toMatchObject({ outcome: 'admitted', subject: { kind: 'visitor-id', id: 'v-001' }, flags: ['escort-required'] });
  });

  it('accepts a visitor card token as well as a slip', () => {
    const h = harness();
    expect(h.pass(h.card('v-001'), 'in').passage).toMatchObject({ outcome: 'admitted', subject: { kind: 'visitor', id: 'v-001' } });
  });

  it('refuses a visitor without an escort when escorts are required', () => {
    expect(harness().codes(harness().pass('VIS:v-003', 'in').passage)).toEqual(['visitor.no-escort']);
    const lax = harness({ rules: { visitorEscortRequired: false } });
    expect(lax.pass('VIS:v-003', 'in').passage?.outcome).toBe('admitted');
  });

  it('refuses an unknown slip and a signed-out registration', () => {
    const h = harness();
    expect(h.codes(h.pass('VIS:v-nobody', 'in').passage)).toEqual(['visitor.unregistered']);
    expect(h.codes(h.pass('VIS:v-out', 'in').passage)).toEqual(['visitor.signed-out']);
  });

  it('signs a visitor out on the way out', () => {
    const h = harness();
    expect(h.pass('VIS:v-001', 'out').passage).toMatchObject({ outcome: 'admitted', flags: ['visitor-sign-out'], reasons: [{ code: 'passage.admitted' }, { code: 'visitor.sign-out' }] });
  });
});

describe('risk-area travel (行程码)', () => {
  it('refuses a visitor with a stay in a risk area outright, before any measuring, with an alert', () => {
    const h = harness();
    const outs = h.send({ type: 'scan', lane: 'main', text: 'VIS:v-002', direction: 'in' });
    const p = h.decided(outs)[0];
    expect(p?.temperatures).toEqual([]);
    expect(h.codes(p)).toEqual(['risk.visitor']);
    expect(p?.alerts[0]).toMatchObject({ kind: 'risk-area-visitor', detail: { area: '某市某区' } });
  });

  it('admits a returning resident, flagged for home quarantine and reported', () => {
    const h = harness();
    const p = h.pass(h.card('pc-004'), 'in').passage;
    expect(p?.outcome).toBe('admitted');
    expect(p?.flags).toContain('home-quarantine-required');
    expect(h.codes(p)).toContain('risk.returnee');
    expect(h.alertKinds(p)).toEqual(['risk-area-returnee']);
  });

  it('forgets travel older than the look-back period', () => {
    const h = harness({ rules: { riskAreaLookbackDays: 2 } });
    const p = h.pass(h.card('pc-004'), 'in').passage;
    expect(p?.flags).not.toContain('home-quarantine-required');
  });
});

describe('nucleic-acid test and vaccination', () => {
  it('refuses a test older than the maximum age, and a missing one', () => {
    const h = harness({ rules: { nucleicTestMaxAgeHours: 48 } });
    expect(h.pass(h.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
    expect(h.codes(h.pass(h.card('pc-009'), 'in', { temp: 36.5, mask: true }).passage)).toEqual(['test.expired']);
    expect(h.codes(h.pass(h.card('pc-002'), 'in').passage)).toEqual(['test.missing']);
    expect(harness().pass(h.card('pc-002'), 'in').passage?.outcome).toBe('admitted');
  });

  it('refuses without a vaccination record when required', () => {
    const h = harness({ rules: { vaccinationRequired: true } });
    expect(h.pass(h.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
    expect(h.codes(h.pass(h.card('pc-002'), 'in').passage)).toEqual(['vaccine.missing']);
  });
});

describe('quarantine (居家隔离)', () => {
  it('refuses a home-quarantined person leaving, with a quarantine-breach alert; lets them in', () => {
    const h = harness();
    const p = h.pass(h.card('pc-003'), 'out').passage;
    expect(p?.outcome).toBe('refused');
    expect(h.codes(p)).toEqual(['quarantine.breach']);
    expect(p?.alerts[0]).toMatchObject({ kind: 'quarantine-breach', severity: 'critical' });
    expect(h.pass(h.card('pc-003'), 'in').passage?.outcome).toBe('admitted');
  });

  it('ends with the quarantine period', () => {
    const h = harness();
    h.advance(11 * DAY);
    expect(h.pass(h.card('pc-003'), 'out').passage?.outcome).toBe('admitted');
  });
});

describe('household quota (每户每2天1人)', () => {
  it('lets one member of a household out every N days in the zone levels that ask for it', () => {
    const h = harness({ policy: { zoneLevel: 'precaution' } });
    expect(h.pass(h.card('pc-001'), 'out').passage?.outcome).toBe('admitted');
    h.advance(HOUR);
    const second = h.pass(h.card('pc-002'), 'out').passage;
    expect(h.codes(second)).toEqual(['quota.household']);
    expect(h.alertKinds(second)).toEqual(['household-quota']);
    h.advance(2 * DAY);
    expect(h.pass(h.card('pc-002'), 'out').passage?.outcome).toBe('admitted');
  });

  it('counts outings the ledger knew at start', () => {
    const h = harness({ policy: { zoneLevel: 'precaution' }, state: { householdOutings: { 'hh-001': MONDAY_10 - DAY } } });
    expect(h.codes(h.pass(h.card('pc-001'), 'out').passage)).toEqual(['quota.household']);
  });

  it('does not apply at the normal level', () => {
    const h = harness();
    h.pass(h.card('pc-001'), 'out');
    expect(h.pass(h.card('pc-002'), 'out').passage?.outcome).toBe('admitted');
  });
});

describe('zone levels', () => {
  it('normal: residents in and out, escorted visitors in', () => {
    const h = harness({ policy: { zoneLevel: 'normal' }, rules: { visitorEscortRequired: false } });
    expect(h.pass(h.card('pc-001'), 'out').passage?.outcome).toBe('admitted');
    expect(h.pass('VIS:v-003', 'in').passage?.outcome).toBe('admitted');
  });

  it('precaution (防范区): visitors must be escorted even where the site does not require it', () => {
    const h = harness({ policy: { zoneLevel: 'precaution' }, rules: { visitorEscortRequired: false } });
    expect(h.codes(h.pass('VIS:v-003', 'in').passage)).toEqual(['visitor.no-escort']);
    expect(h.pass('VIS:v-001', 'in').passage?.outcome).toBe('admitted');
  });

  it('controlled (管控区): no exits except staff and authorised; no outsiders in; residents come home', () => {
    const h = harness({ policy: { zoneLevel: 'controlled', authorised: ['med-001'] } });
    expect(h.codes(h.pass(h.card('pc-001'), 'out').passage)).toEqual(['zone.controlled']);
    expect(h.pass(h.card('st-001'), 'out').passage?.outcome).toBe('admitted');
    expect(h.pass(h.card('med-001'), 'out').passage?.outcome).toBe('admitted');
    expect(h.codes(h.pass('VIS:v-001', 'in').passage)).toEqual(['zone.controlled-visitor']);
    expect(h.pass(h.card('pc-002'), 'in').passage?.outcome).toBe('admitted');
  });

  it('sealed (封控区): nobody out or in except staff and medical', () => {
    const h = harness({ policy: { zoneLevel: 'sealed', authorised: ['med-001'] } });
    expect(h.codes(h.pass(h.card('pc-001'), 'out').passage)).toEqual(['zone.sealed']);
    expect(h.codes(h.pass(h.card('pc-002'), 'in').passage)).toEqual(['zone.sealed']);
    expect(h.pass(h.card('st-001'), 'in').passage?.outcome).toBe('admitted');
    expect(h.pass(h.card('med-001'), 'out').passage?.outcome).toBe('admitted');
    expect(h.pass(h.card('pc-001'), 'out').passage?.zoneLevel).toBe('sealed');
  });

  it('changes the rules at once when the level changes', () => {
    const h = harness();
    expect(h.pass(h.card('pc-001'), 'out').passage?.outcome).toBe('admitted');
    h.world.policy.zoneLevel = 'sealed';
    expect(h.codes(h.pass(h.card('pc-002'), 'out').passage)).toEqual(['zone.sealed']);
  });
});

describe('time windows', () => {
  it('closes the gate to outsiders outside opening hours (晚9点封闭), not to residents', () => {
    const rules = { outsiderHours: [{ from: '06:00', to: '21:00' }] };
    const h = harness({ rules, start: Date.parse('2026-11-23T21:30:00+08:00') });
    expect(h.codes(h.pass('VIS:v-001', 'in').passage)).toEqual(['hours.outsider']);
    expect(h.pass(h.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
    expect(harness({ rules, start: Date.parse('2026-11-23T20:59:00+08:00') }).pass('VIS:v-001', 'in').passage?.outcome).toBe('admitted');
  });

  it('keeps a contractor slip to its hours and weekdays', () => {
    expect(harness().pass('VIS:v-ct', 'in').passage?.outcome).toBe('admitted');
    expect(harness({ start: Date.parse('2026-11-23T17:30:00+08:00') }).codes(harness({ start: Date.parse('2026-11-23T17:30:00+08:00') }).pass('VIS:v-ct', 'in').passage)).toEqual(['card.hours']);
    const saturday = harness({ start: Date.parse('2026-11-28T10:00:00+08:00') });
    expect(saturday.codes(saturday.pass('VIS:v-ct', 'in').passage)).toEqual(['card.hours']);
  });

  it('keeps a card to its validity hours on entry but always lets its holder out', () => {
    const evening = harness({ start: Date.parse('2026-11-23T18:00:00+08:00') });
    expect(evening.codes(evening.pass(evening.card('pc-day'), 'in').passage)).toEqual(['card.hours']);
    expect(evening.pass(evening.card('pc-day'), 'out').passage?.outcome).toBe('admitted');
    expect(harness().pass(harness().card('pc-day'), 'in').passage?.outcome).toBe('admitted');
  });
});

describe('vehicles (一车一证)', () => {
  it('admits a vehicle with a permit and refuses one without', () => {
    const h = harness();
    expect(h.pass(h.card('car-001'), 'in').passage).toMatchObject({ outcome: 'admitted', subject: { kind: 'vehicle', vehiclePlate: '京A12345' } });
    expect(h.codes(h.pass(h.card('car-002'), 'in').passage)).toEqual(['vehicle.no-permit']);
  });
});

describe('couriers (无接触配送)', () => {
  it('records a courier as refused and leaves the lane as it was', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    const p = h.decided(h.send({ type: 'courier', lane: 'main', operatorId: 'op-7' }))[0];
    expect(p).toMatchObject({ outcome: 'refused', subject: { kind: 'courier' }, operatorId: 'op-7', reasons: [{ code: 'courier.no-entry' }] });
    expect(p?.actions).toEqual([{ kind: 'prompt', lane: 'main', promptId: 'courier.no-entry' }]);
    expect(h.core.lanes()[0]?.stage).toBe('awaiting-temperature');
  });
});

describe('operator override', () => {
  it('admits with the reason and operator, always with an override alert', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.send({ type: 'temperature', lane: 'main', celsius: 34.0, source: 'device' });
    const p = h.decided(h.send({ type: 'override', lane: 'main', decision: 'admit', operatorId: 'op-1', reason: '测温枪故障，人工复测36.5' }))[0];
    expect(p).toMatchObject({ outcome: 'overridden', operatorId: 'op-1', overrideReason: '测温枪故障，人工复测36.5' });
    expect(h.codes(p)[0]).toBe('override.admit');
    expect(p?.alerts).toContainEqual(expect.objectContaining({ kind: 'override', detail: expect.objectContaining({ operatorId: 'op-1', decision: 'admit' }) }));
    expect(p?.actions).toContainEqual({ kind: 'relay', lane: 'main', pulseMs: 3000 });
  });

  it('refuses with a reason (劝返) and never acts silently: no reason or no operator is ignored', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    expect(h.send({ type: 'override', lane: 'main', decision: 'admit', operatorId: 'op-1', reason: '  ' })).toMatchObject([{ type: 'ignored', input: 'override' }]);
    expect(h.send({ type: 'override', lane: 'main', decision: 'admit', operatorId: '', reason: 'x' })).toMatchObject([{ type: 'ignored' }]);
    const p = h.decided(h.send({ type: 'override', lane: 'main', decision: 'refuse', operatorId: 'op-1', reason: '拒不配合测温' }))[0];
    expect(p).toMatchObject({ outcome: 'overridden', reasons: [{ code: 'override.refuse' }] });
    expect(p?.actions.some((a) => a.kind === 'relay')).toBe(false);
    expect(h.alertKinds(p)).toContain('override');
  });

  it('can admit someone just refused, as a new passage that names the refusal', () => {
    const h = harness();
    const refused = h.pass(h.card('pc-001'), 'in', { temp: 36.5, mask: false }).passage;
    h.advance(10_000);
    const p = h.decided(h.send({ type: 'override', lane: 'main', decision: 'admit', operatorId: 'op-2', reason: '已发放口罩' }))[0];
    expect(p).toMatchObject({ outcome: 'overridden', subject: { id: 'pc-001' } });
    expect(p?.id).not.toBe(refused?.id);
    expect(h.codes(p)).toEqual(['override.admit', 'mask.missing']);
    expect(p?.alerts.find((a) => a.kind === 'override')?.detail).toMatchObject({ previousPassageId: refused?.id });
    h.advance(120_000);
    h.pass(h.card('pc-002'), 'in', { temp: 36.5, mask: false });
    h.advance(120_000);
    // Too late says so (the kiosk shows it), and refusing someone already refused is not "nothing to do" either.
    expect(h.send({ type: 'override', lane: 'main', decision: 'admit', operatorId: 'op-2', reason: 'late' })).toMatchObject([{ type: 'ignored', reason: { zh: '已超时，请重新扫码' } }]);
    h.pass(h.card('pc-003'), 'in', { temp: 36.5, mask: false });
    expect(h.send({ type: 'override', lane: 'main', decision: 'refuse', operatorId: 'op-2', reason: 'again' })).toMatchObject([{ type: 'ignored', reason: { zh: '已是禁止通行，无需再拦' } }]);
  });
});

describe('anti-passback', () => {
  it('refuses a card that is inside until it has left', () => {
    const h = harness({ rules: { antiPassback: true } });
    expect(h.pass(h.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
    expect(h.codes(h.pass(h.card('pc-001'), 'in').passage)).toEqual(['passback.inside']);
    expect(h.pass(h.card('pc-001'), 'out').passage?.outcome).toBe('admitted');
    expect(h.pass(h.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
  });

  it('knows who is inside from the ledger at start, and is off by default', () => {
    const h = harness({ rules: { antiPassback: true }, state: { inside: ['card:pc-001'] } });
    expect(h.codes(h.pass(h.card('pc-001'), 'in').passage)).toEqual(['passback.inside']);
    const off = harness({ state: { inside: ['card:pc-001'] } });
    expect(off.pass(off.card('pc-001'), 'in').passage?.outcome).toBe('admitted');
  });
});

describe('exits', () => {
  it('need no checks unless the site asks for them', () => {
    const h = harness();
    expect(h.decided(h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'out' }))[0]?.outcome).toBe('admitted');
    const strict = harness({ rules: { exitChecks: true } });
    expect(strict.send({ type: 'scan', lane: 'main', text: strict.card('pc-001'), direction: 'out' }).at(-1)).toMatchObject({ stage: 'awaiting-temperature' });
  });
});

describe('bad scans', () => {
  it('end as refused passages with the exact reason and a card-invalid alert for bad tokens', () => {
    const h = harness();
    const t = h.world.token('pc-001', 'signature');
    const p = h.decided(h.send({ type: 'scan', lane: 'main', text: t }))[0];
    expect(p).toMatchObject({ outcome: 'refused', reasons: [{ code: 'card.bad-signature', zh: expect.any(String), en: expect.any(String) }] });
    expect(h.alertKinds(p)).toEqual(['card-invalid']);
    expect(h.codes(h.decided(h.send({ type: 'scan', lane: 'main', text: '110105194912310021' }))[0])).toEqual(['id.check-digit']);
    expect(h.codes(h.decided(h.send({ type: 'scan', lane: 'main', text: 'hello' }))[0])).toEqual(['scan.unreadable']);
  });

  it('refuses revoked and expired cards', () => {
    const h = harness({ policy: { revokedCards: ['pc-002'] } });
    expect(h.codes(h.pass(h.card('pc-002'), 'in').passage)).toEqual(['card.revoked']);
  });
});
