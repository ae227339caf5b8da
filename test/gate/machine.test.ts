// The passage state machine: pairing, timeouts, lanes, and what it does with inputs it cannot use.
import { describe, expect, it } from 'vitest';
import { harness } from './harness.js';

describe('passage state machine', () => {
  it('pairs a reading taken before the scan within the pairing window', () => {
    const h = harness();
    const first = h.send({ type: 'temperature', lane: 'main', celsius: 36.6, source: 'device' });
    expect(first.at(-1)).toMatchObject({ type: 'progress', stage: 'awaiting-credential' });
    h.advance(5_000);
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.send({ type: 'mask', lane: 'main', worn: true, source: 'sensor' });
    const p = h.decided(h.send({ type: 'colour', lane: 'main', colour: 'green', source: 'operator' }))[0];
    expect(p).toMatchObject({ outcome: 'admitted', temperatures: [{ celsius: 36.6 }] });
  });

  it('drops a reading that no scan followed within the window, as an abandoned unpaired passage', () => {
    const h = harness({ rules: { pairingWindowSeconds: 10 } });
    h.send({ type: 'temperature', lane: 'main', celsius: 36.6, source: 'device' });
    expect(h.core.nextDeadline()).toBe(h.world.clock.now() + 10_000);
    h.advance(10_000);
    const p = h.decided(h.send({ type: 'tick' }))[0];
    expect(p).toMatchObject({ outcome: 'abandoned', subject: null, reasons: [{ code: 'passage.unpaired' }] });
    const next = h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    expect(next.at(-1)).toMatchObject({ stage: 'awaiting-temperature' });
  });

  it('abandons a passage not decided within its timeout, and the lane is idle again', () => {
    const h = harness({ rules: { passageTimeoutSeconds: 30 } });
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    expect(h.core.lanes()[0]).toMatchObject({ stage: 'awaiting-temperature', prompt: { zh: '请测体温' }, passage: { subject: { id: 'pc-001' } } });
    h.advance(29_999);
    expect(h.decided(h.send({ type: 'tick' }))).toEqual([]);
    h.advance(1);
    const p = h.decided(h.send({ type: 'tick' }))[0];
    expect(p).toMatchObject({ outcome: 'abandoned', reasons: [{ code: 'passage.timeout' }] });
    expect(h.core.lanes()[0]).toEqual({ id: 'main', stage: 'idle' });
    expect(h.core.nextDeadline()).toBeUndefined();
  });

  it('expires overdue lanes before using any input, whatever it is', () => {
    const h = harness({ rules: { passageTimeoutSeconds: 30 } });
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.advance(60_000);
    const outs = h.send({ type: 'scan', lane: 'main', text: h.card('pc-002'), direction: 'in' });
    expect(h.decided(outs)[0]).toMatchObject({ outcome: 'abandoned', subject: { id: 'pc-001' } });
    expect(outs.at(-1)).toMatchObject({ type: 'progress', passage: { subject: { id: 'pc-002' } } });
  });

  it('abandons passages in progress when the wall clock steps back (NTP at boot)', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.advance(-3_600_000);
    const p = h.decided(h.send({ type: 'tick' }))[0];
    expect(p).toMatchObject({ outcome: 'abandoned', reasons: [{ code: 'passage.timeout' }] });
    expect(h.core.nextDeadline()).toBeUndefined();
  });

  it('pairs a mask sensor reading taken before the scan', () => {
    const h = harness();
    expect(h.send({ type: 'mask', lane: 'main', worn: false, source: 'sensor' }).at(-1)).toMatchObject({ stage: 'awaiting-credential' });
    const p = h.decided(h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' }))[0];
    expect(p).toMatchObject({ outcome: 'refused', reasons: [{ code: 'mask.missing' }], maskSource: 'sensor' });
  });

  it('keeps a busy lane for the person in progress; cancel frees it', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    expect(h.send({ type: 'scan', lane: 'main', text: h.card('pc-002'), direction: 'in' })).toMatchObject([{ type: 'ignored', input: 'scan', reason: { zh: expect.stringContaining('上一位还在核验') } }]);
    const p = h.decided(h.send({ type: 'cancel', lane: 'main', operatorId: 'op-1' }))[0];
    expect(p).toMatchObject({ outcome: 'abandoned', operatorId: 'op-1', reasons: [{ code: 'passage.cancelled' }] });
    expect(h.core.lanes()[0]?.stage).toBe('idle');
  });

  it('runs lanes independently', () => {
    const h = harness({ lanes: [{ id: 'in-1', direction: 'in' }, { id: 'out-1', direction: 'out' }] });
    h.send({ type: 'scan', lane: 'in-1', text: h.card('pc-001') });
    const out = h.decided(h.send({ type: 'scan', lane: 'out-1', text: h.card('pc-002') }))[0];
    expect(out).toMatchObject({ lane: 'out-1', direction: 'out', outcome: 'admitted' });
    expect(h.core.lanes().map((l) => l.stage)).toEqual(['awaiting-temperature', 'idle']);
  });

  it('takes the direction from the scan, the one-way lane, the volunteer, or who is inside', () => {
    const h = harness();
    expect(h.send({ type: 'direction', lane: 'main', direction: 'out' })).toEqual([]);
    expect(h.decided(h.send({ type: 'scan', lane: 'main', text: h.card('pc-001') }))[0]?.direction).toBe('out');
    // The choice was for one passage: the next unknown person is taken as coming in.
    expect(h.send({ type: 'scan', lane: 'main', text: h.card('pc-002') }).at(-1)).toMatchObject({ passage: { direction: 'in' } });
    h.send({ type: 'cancel', lane: 'main' });
    const inside = harness({ state: { inside: ['card:pc-002'] } });
    expect(inside.decided(inside.send({ type: 'scan', lane: 'main', text: inside.card('pc-002') }))[0]?.direction).toBe('out');
    const oneWay = harness({ lanes: [{ id: 'x', direction: 'in' }] });
    expect(oneWay.send({ type: 'direction', lane: 'x', direction: 'out' })).toMatchObject([{ type: 'ignored' }]);
  });

  it('asks for a re-measure when the volunteer says so', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-001'), direction: 'in' });
    h.send({ type: 'temperature', lane: 'main', celsius: 36.5, source: 'device' });
    expect(h.send({ type: 'remeasure', lane: 'main', operatorId: 'op-1' }).at(-1)).toMatchObject({ stage: 'awaiting-remeasure', prompt: { zh: '请复测', en: 'Please re-measure' } });
    expect(h.send({ type: 'mask', lane: 'main', worn: true, source: 'operator' }).at(-1)).toMatchObject({ stage: 'awaiting-remeasure' });
  });

  it('takes a late verifier answer only for the passage it was asked for', () => {
    const h = harness();
    h.send({ type: 'scan', lane: 'main', text: h.card('pc-002'), direction: 'in' });
    h.send({ type: 'temperature', lane: 'main', celsius: 36.5, source: 'device' });
    h.send({ type: 'mask', lane: 'main', worn: true, source: 'sensor' });
    const id = h.core.lanes()[0]?.passage?.id;
    expect(h.send({ type: 'colour', lane: 'main', colour: 'red', source: 'verifier', passageId: 'an-earlier-passage' })).toMatchObject([{ type: 'ignored' }]);
    expect(h.decided(h.send({ type: 'colour', lane: 'main', colour: 'green', source: 'verifier', passageId: id }))[0]).toMatchObject({ outcome: 'admitted', colourSource: 'verifier' });
  });

  it('ignores what it cannot use, with a reason, and never throws', () => {
    const h = harness();
    expect(h.send({ type: 'scan', lane: 'nope', text: 'x' })).toMatchObject([{ type: 'ignored', reason: { en: 'Unknown lane' } }]);
    expect(h.send({ type: 'colour', lane: 'main', colour: 'green', source: 'operator' })).toMatchObject([{ type: 'ignored' }]);
    expect(h.send({ type: 'temperature', lane: 'main', celsius: Number.NaN, source: 'device' })).toMatchObject([{ type: 'ignored' }]);
    expect(h.send({ type: 'temperature', lane: 'main', celsius: 99, source: 'device' })).toMatchObject([{ type: 'ignored' }]);
    expect(h.send({ type: 'cancel', lane: 'main' })).toMatchObject([{ type: 'ignored' }]);
    expect(() => h.send({ type: 'bogus', lane: 'main' } as never)).not.toThrow();
    expect(h.send(null as never)).toEqual([]);
  });

  it('gives every decision reasons, actions and the zone level, and stamps the clock state', () => {
    const h = harness();
    const p = h.pass(h.card('pc-001'), 'in').passage;
    expect(p).toMatchObject({ reasons: [{ code: 'passage.admitted', zh: '准予通行', en: 'Admitted' }], zoneLevel: 'normal', clockSynced: true, colour: 'green', colourSource: 'operator', mask: true, maskSource: 'sensor' });
    expect(p?.actions).toEqual([
      { kind: 'relay', lane: 'main', pulseMs: 3000 },
      { kind: 'lamp', lane: 'main', colour: 'green', ms: 3000 },
      { kind: 'buzzer', lane: 'main', pattern: 'ok' },
      { kind: 'prompt', lane: 'main', promptId: 'passage.admitted' },
    ]);
    const r = h.pass(h.card('pc-002'), 'in', { temp: 36.5, mask: false }).passage;
    expect(r?.actions).toEqual([
      { kind: 'lamp', lane: 'main', colour: 'red', ms: 3000 },
      { kind: 'buzzer', lane: 'main', pattern: 'refuse' },
      { kind: 'prompt', lane: 'main', promptId: 'mask.missing' },
    ]);
  });

  it('refuses to start without lanes or with an unknown time zone', () => {
    expect(() => harness({ lanes: [] })).toThrow(/at least one lane/);
  });
});

describe('start state from the ledger', () => {
  it('maps the ledger’s inside list to the presence keys the core checks', async () => {
    const { gateSeedFrom } = await import('../../src/gate/seed.js');
    const seed = gateSeedFrom({ inside: [{ subjectId: 'pc-001', kind: 'person' }, { subjectId: 'p-002', kind: 'resident-id' }, { subjectId: 'v-1', kind: 'visitor-id' }], lastOuting: { 'hh-001': 5 } });
    expect([...(seed.inside ?? [])]).toEqual(['card:pc-001', 'person:p-002', 'visitor:v-1']);
    const h = harness({ rules: { antiPassback: true }, state: seed });
    expect(h.codes(h.pass(h.card('pc-001'), 'in').passage)).toEqual(['passback.inside']);
    expect(h.codes(h.pass('11010519491231002X', 'in').passage)).toEqual(['passage.admitted']);
    expect(h.core.state().householdOutings).toEqual({ 'hh-001': 5 });
  });
});
