import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvents } from '../../src/app/context.js';
import { EventBus } from '../../src/kernel/bus.js';
import type { Ledger } from '../../src/store/api.js';
import { DownlinkHandler } from '../../src/sync/downlink.js';
import { ResultData } from '../../src/sync/messages.js';
import { topicTree } from '../../src/sync/topics.js';
import Value from 'typebox/value';
import { bigRoster } from '../../bench/big-roster.js';
import { openTestLedger, SITE } from './support.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sync/${name}`, import.meta.url));
const topics = topicTree({ root: 'checkpoint', site: SITE, gate: 'gate-a' });
const cmd = (kind: string) => `checkpoint/v1/${SITE}/cmd/${kind}`;

describe('downlink: validate, version, apply atomically, answer', () => {
  let ledger: Ledger;
  let answers: ResultData[];
  let changed: string[];
  let handler: DownlinkHandler;

  beforeEach(() => {
    ledger = openTestLedger();
    answers = [];
    changed = [];
    const bus = new EventBus<AppEvents>();
    bus.on('ledger.changed', ({ what }) => changed.push(what));
    handler = new DownlinkHandler({ ledger, bus, topics, site: SITE, maxBytes: 64 * 1024, logger: pino({ level: 'silent' }), answer: (r) => answers.push(r) });
  });
  afterEach(() => ledger.close());

  const snapshot = () => JSON.stringify({ roster: ledger.rosterStats(), policy: ledger.policy(), states: ledger.policyStates() });

  it('applies a roster snapshot, then a delta, and answers applied with the version and id', () => {
    expect(handler.handle(cmd('roster'), fixture('roster-v1.json'), false)?.result).toBe('applied');
    expect(ledger.rosterVersion()).toBe(1);
    expect(ledger.rosterStats().persons).toBe(3);
    expect(handler.handle(`checkpoint/v1/${SITE}/gate-a/cmd/roster/delta`, fixture('roster-delta-v2.json'), false)?.result).toBe('applied');
    expect(ledger.rosterVersion()).toBe(2);
    expect(ledger.rosterStats().persons).toBe(4);
    expect(ledger.cards({ householdId: 'hh-2' }).map((c) => c.id)).not.toContain('card-3');
    expect(answers.map((a) => [a.result, a.currentVersion])).toEqual([['applied', 1], ['applied', 2]]);
    expect(answers[0]?.ref).toMatchObject({ kind: 'roster', version: 1, id: 'roster-2026-11-23-a' });
    for (const a of answers) expect(Value.Check(ResultData, a)).toBe(true);
    expect(changed).toEqual(['roster', 'roster']);
  });

  it('applies announcements for the loudspeaker; one without a time is rejected with the reason and changes nothing', () => {
    expect(handler.handle(cmd('announcements'), fixture('announcements-v1.json'), false)?.result).toBe('applied');
    const stored = ledger.policyStates().find((s) => s.kind === 'announcements')?.payload as { announcements: Array<{ id: string }> };
    expect(stored.announcements.map((a) => a.id)).toEqual(['night-close', 'mask-loop']);
    expect(handler.versions()).toMatchObject({ announcements: 1 });
    const before = snapshot();
    const r = handler.handle(`checkpoint/v1/${SITE}/gate-a/cmd/announcements`, fixture('bad-announcements-no-time.json'), false);
    expect(r).toMatchObject({ result: 'rejected', reasons: [{ code: 'payload.schema', en: expect.stringMatching(/needs "at" .* or "every"/) }] });
    expect(snapshot()).toBe(before);
    expect(changed).toEqual(['policy']);
  });

  it('applies zone level, risk areas, revocations and thresholds into the policy', () => {
    for (const [kind, file] of [['zone', 'zone-v3.json'], ['risk-areas', 'risk-areas-v1.json'], ['revocations', 'revocations-v1.json'], ['policy', 'policy-v1.json']] as const) {
      expect(handler.handle(cmd(kind), fixture(file), false)?.result, kind).toBe('applied');
    }
    const p = ledger.policy();
    expect(p.zoneLevel).toBe('controlled');
    expect(p.riskAreas).toEqual(['武汉市江汉区', '上海市浦东新区']);
    expect(p.revokedCards).toContain('card-2');
    expect(ledger.policyStates().find((s) => s.kind === 'thresholds')?.payload).toEqual({ feverThreshold: 37.2, nucleicTestMaxAgeHours: 48 });
    expect(handler.versions()).toMatchObject({ zone: 3, 'risk-areas': 1, revocations: 1, policy: 1 });
    expect(changed).toEqual(['policy', 'policy', 'policy', 'policy']);
  });

  it('sets and releases quarantine from the office: every change checked first, none made when one is wrong', () => {
    handler.handle(cmd('roster'), fixture('roster-v1.json'), false);
    answers.length = 0;
    const now = Date.now();
    const until = now + 14 * 86_400_000;
    const body = (version: number, changes: unknown[]) => Buffer.from(JSON.stringify({ site: SITE, version, id: `q-${version}`, changes }));
    // A release without the day-5 and day-11 tests, beside a good change: refused whole.
    const before = snapshot();
    const bad = handler.handle(cmd('quarantine'), body(1, [{ personId: 'person-1', next: { kind: 'home', until } }, { personId: 'person-3', next: null, signOff: { signedBy: ['村医 王'], tests: [now - 86_400_000, now - 86_400_000] } }]), false);
    expect(bad).toMatchObject({ result: 'rejected', reasons: [{ code: 'quarantine.invalid', en: expect.stringMatching(/^Change 2: .*two negative tests/) }] });
    expect(snapshot()).toBe(before);
    expect(handler.handle(cmd('quarantine'), body(1, [{ personId: 'nobody', next: { kind: 'home', until } }]), false)).toMatchObject({ result: 'rejected', reasons: [{ code: 'quarantine.unknown-person' }] });
    const ok = handler.handle(cmd('quarantine'), body(1, [{ personId: 'person-1', next: { kind: 'home', until } }, { personId: 'person-3', next: null, signOff: { signedBy: ['村医 王', '村支书 李'], tests: [now - 6 * 86_400_000, now - 86_400_000] }, note: '第5、11天核酸阴性' }]), false);
    expect(ok).toMatchObject({ result: 'applied', currentVersion: 1, ref: { id: 'q-1' } });
    expect(ledger.person('person-1')?.quarantine).toEqual({ kind: 'home', until });
    expect(ledger.person('person-3')?.quarantine ?? null).toBeNull();
    expect(handler.versions()).toMatchObject({ quarantine: 1 });
    expect(handler.handle(cmd('quarantine'), body(1, [{ personId: 'person-1', next: null, signOff: { signedBy: ['x'], tests: [now - 6 * 86_400_000, now - 86_400_000] } }]), false)).toMatchObject({ result: 'rejected', reasons: [{ code: 'version.old' }] });
  });

  it('refuses malformed JSON, a wrong schema, a wrong site, a huge payload, an old version and an unknown topic — and changes nothing', () => {
    handler.handle(cmd('roster'), fixture('roster-v1.json'), false);
    handler.handle(cmd('zone'), fixture('zone-v3.json'), false);
    answers.length = 0;
    changed.length = 0;
    const before = snapshot();
    const huge = Buffer.from(JSON.stringify({ site: SITE, version: 99, areas: Array.from({ length: 20_000 }, (_, i) => `area-${i}`) }));
    const cases: Array<[string, Buffer, string]> = [
      [cmd('zone'), fixture('bad-malformed.txt'), 'payload.malformed'],
      [cmd('zone'), fixture('bad-wrong-schema.json'), 'payload.schema'],
      [cmd('zone'), fixture('bad-wrong-site.json'), 'site.wrong'],
      [cmd('risk-areas'), huge, 'payload.too-large'],
      [cmd('zone'), Buffer.from(JSON.stringify({ site: SITE, version: 2, level: 'sealed' })), 'version.old'],
      [cmd('zone'), Buffer.from(JSON.stringify({ site: SITE, version: 3, level: 'sealed' })), 'version.old'],
      [cmd('roster'), fixture('roster-v1.json'), 'version.old'],
      [cmd('open-door'), Buffer.from('{}'), 'topic.unknown'],
      [cmd('roster/delta'), Buffer.from(JSON.stringify({ site: SITE, version: 5, baseVersion: 4, removeCards: ['card-1'] })), 'version.base-mismatch'],
      [cmd('zone'), Buffer.from('[1,2,3]'), 'payload.schema'],
      [cmd('zone'), Buffer.from('null'), 'payload.schema'],
    ];
    for (const [topic, payload, code] of cases) {
      const r = handler.handle(topic, payload, false);
      expect(r?.result, code).toBe('rejected');
      expect(r?.reasons.map((x) => x.code), code).toContain(code);
      for (const reason of r?.reasons ?? []) expect(reason.zh.length > 0 && reason.en.length > 0).toBe(true);
    }
    expect(answers).toHaveLength(cases.length);
    expect(answers.every((a) => Value.Check(ResultData, a))).toBe(true);
    expect(snapshot()).toBe(before);
    expect(changed).toEqual([]);
    const schema = answers[1];
    expect(schema?.reasons.some((r) => r.en.includes('/level'))).toBe(true);
    expect(answers[4]?.currentVersion).toBe(3);
  });

  it('a roster snapshot with one bad person is refused whole', () => {
    const bad = JSON.parse(fixture('roster-v1.json').toString());
    bad.persons[2].health = { colour: 'purple', at: 1 };
    const r = handler.handle(cmd('roster'), Buffer.from(JSON.stringify(bad)), false);
    expect(r?.result).toBe('rejected');
    expect(r?.reasons[0]?.en).toContain('/persons/2/health');
    expect(ledger.rosterVersion()).toBe(0);
    expect(ledger.rosterStats().persons).toBe(0);
  });

  it('stays silent on a retained snapshot it already holds, but answers a retained older one', () => {
    handler.handle(cmd('zone'), fixture('zone-v3.json'), false);
    answers.length = 0;
    expect(handler.handle(cmd('zone'), fixture('zone-v3.json'), true)).toBeUndefined();
    expect(answers).toHaveLength(0);
    expect(handler.handle(cmd('zone'), Buffer.from(JSON.stringify({ site: SITE, version: 1, level: 'normal' })), true)?.result).toBe('rejected');
    expect(ledger.policy().zoneLevel).toBe('controlled');
  });

  it('takes an empty payload (a retained command cleared the MQTT way) as cleared: no reject, no change', () => {
    handler.handle(cmd('zone'), fixture('zone-v3.json'), false);
    answers.length = 0;
    changed.length = 0;
    const before = snapshot();
    for (const kind of ['zone', 'roster', 'revocations', 'nonsense']) {
      expect(handler.handle(cmd(kind), Buffer.alloc(0), true)).toBeUndefined();
      expect(handler.handle(cmd(kind), Buffer.alloc(0), false)).toBeUndefined();
    }
    expect(answers).toEqual([]);
    expect(changed).toEqual([]);
    expect(snapshot()).toBe(before);
  });

  it('parses and validates a large update in a worker thread: the event loop keeps turning, the answer is the same', async () => {
    const big = (o: Record<string, unknown>) => Buffer.from(JSON.stringify(o));
    const roster = bigRoster({ site: SITE, version: 7, households: 17_000 });
    // An invalid one: the last person has no name.
    const persons = roster.persons as Array<Record<string, unknown>>;
    const bad = big({ ...roster, persons: [...persons.slice(0, -1), { ...persons.at(-1), name: 42 }] });
    expect(bad.length).toBeGreaterThan(3_000_000);
    const bigHandler = new DownlinkHandler({ ledger, bus: new EventBus(), topics, site: SITE, maxBytes: 8 * 1024 * 1024, logger: pino({ level: 'silent' }), answer: (r) => answers.push(r) });
    try {
      let turned = false;
      const pending = bigHandler.handle(cmd('roster'), bad, false);
      setImmediate(() => {
        turned = true;
      });
      expect(pending).toBeInstanceOf(Promise);
      // A small update after it waits its turn: answers keep the order of the updates.
      const zone = bigHandler.handle(cmd('zone'), fixture('zone-v3.json'), false);
      const r = await pending;
      expect(turned).toBe(true);
      expect(r?.result).toBe('rejected');
      expect(r?.reasons[0]?.en).toContain(`/persons/${persons.length - 1}/name`);
      expect((await zone)?.result).toBe('applied');
      expect(answers.map((a) => a.ref.kind)).toEqual(['roster', 'zone']);
      expect(ledger.rosterVersion()).toBe(0);

      const revocations = big({ site: SITE, version: 3, cards: Array.from({ length: 200_000 }, (_, i) => `card-${i}`) });
      const rv = bigHandler.handle(cmd('revocations'), revocations, false);
      expect(rv).toBeInstanceOf(Promise);
      expect((await rv)?.result).toBe('applied');
      expect(ledger.policy().revokedCards).toHaveLength(200_000);

      const ok = await bigHandler.handle(cmd('roster'), big(roster), false);
      expect(ok?.result).toBe('applied');
      expect(ledger.rosterStats().households).toBe(17_000);
    } finally {
      await bigHandler.close();
    }
  }, 120_000);

  it('ignores topics outside its command tree', () => {
    expect(handler.handle(`checkpoint/v1/${SITE}/gate-b/cmd/zone`, fixture('zone-v3.json'), false)).toBeUndefined();
    expect(handler.handle(`checkpoint/v1/${SITE}/gate-a/passages`, Buffer.from('{}'), false)).toBeUndefined();
    expect(answers).toHaveLength(0);
  });

  it('keeps the site\'s health declarations (retained, upserted) and answers like every update', () => {
    expect(handler.handle(cmd('declarations'), fixture('declarations-v1.json'), true)?.result).toBe('applied');
    const d = ledger.declarations.get('qZ3x1kT0b2VfR8sLpA9mWw');
    expect(d?.kind).toBe('visit');
    expect(d?.members.map((m) => [m.name, m.idNumber.slice(-4), m.symptoms])).toEqual([['孙访客', '1233', []], ['孙小妹', '2342', ['咳嗽']]]);
    expect(handler.versions().declarations).toBe(1);
    // The same retained snapshot on a reconnect is not answered again; an older one is refused.
    expect(handler.handle(cmd('declarations'), fixture('declarations-v1.json'), true)).toBeUndefined();
    expect(handler.handle(cmd('declarations'), fixture('declarations-v1.json'), false)?.reasons[0]?.code).toBe('version.old');
    const withPhoneOfAnother = JSON.parse(fixture('declarations-v1.json').toString());
    withPhoneOfAnother.version = 2;
    withPhoneOfAnother.declarations[0].members[0].address = '某路1号';
    const r = handler.handle(cmd('declarations'), Buffer.from(JSON.stringify(withPhoneOfAnother)), false);
    expect(r?.result).toBe('rejected');
    expect(r?.reasons[0]?.en).toMatch(/\/declarations\/0\/members\/0.*address/);
    expect(changed).toEqual([]);
  });
});
