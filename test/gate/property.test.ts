// Random event sequences never throw, every decision is well-formed, and every lane is idle
// again within its timeout whatever arrives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GateInput } from '../../src/gate/contract.js';
import type { Passage } from '../../src/gate/model.js';
import { harness } from './harness.js';

const LANES = ['main', 'side', 'ghost'];
const CARDS = ['hh-001', 'pc-001', 'pc-002', 'pc-003', 'pc-004', 'pc-007', 'st-001', 'car-001', 'car-002', 'pc-day', 'hh-999', 'v-001'];

type Step = { advanceMs: number } | { zone: 'normal' | 'precaution' | 'controlled' | 'sealed' } | { input: (card: (id: string, t?: 'payload' | 'signature' | 'truncate') => string) => GateInput };

const lane = fc.constantFrom(...LANES);
const scanText = fc.oneof(
  fc.record({ id: fc.constantFrom(...CARDS), t: fc.constantFrom(undefined, 'payload', 'signature', 'truncate') as fc.Arbitrary<'payload' | 'signature' | 'truncate' | undefined> }).map((c) => (card: (id: string, t?: 'payload' | 'signature' | 'truncate') => string) => card(c.id, c.t)),
  fc.constantFrom('VIS:v-001', 'VIS:v-002', 'VIS:v-003', 'VIS:', '11010519491231002X', '440524188001010014', '110105194912310021', 'GP1..', 'GP1.%%%.###').map((t) => () => t),
  fc.string({ maxLength: 400 }).map((t) => () => t),
);
const input: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ lane, text: scanText, direction: fc.constantFrom(undefined, 'in', 'out') as fc.Arbitrary<'in' | 'out' | undefined> }).map((s) => ({ input: (card) => ({ type: 'scan', lane: s.lane, text: s.text(card), ...(s.direction ? { direction: s.direction } : {}) }) as GateInput })),
  fc.record({ lane, celsius: fc.oneof(fc.double({ min: 30, max: 42, noNaN: true }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -5, 36.5, 37.3, 34.9)) }).map((s) => ({ input: () => ({ type: 'temperature', lane: s.lane, celsius: s.celsius, source: 'device' }) as GateInput })),
  fc.record({ lane, worn: fc.boolean() }).map((s) => ({ input: () => ({ type: 'mask', lane: s.lane, worn: s.worn, source: 'sensor' }) as GateInput })),
  fc.record({ lane, colour: fc.constantFrom('green', 'yellow', 'red') as fc.Arbitrary<'green' | 'yellow' | 'red'> }).map((s) => ({ input: () => ({ type: 'colour', lane: s.lane, colour: s.colour, source: 'operator' }) as GateInput })),
  fc.record({ lane, direction: fc.constantFrom('in', 'out') as fc.Arbitrary<'in' | 'out'> }).map((s) => ({ input: () => ({ type: 'direction', lane: s.lane, direction: s.direction }) as GateInput })),
  lane.map((l) => ({ input: () => ({ type: 'remeasure', lane: l }) as GateInput })),
  fc.record({ lane, decision: fc.constantFrom('admit', 'refuse') as fc.Arbitrary<'admit' | 'refuse'>, operatorId: fc.constantFrom('op-1', ''), reason: fc.string({ maxLength: 20 }) }).map((s) => ({ input: () => ({ type: 'override', ...s }) as GateInput })),
  lane.map((l) => ({ input: () => ({ type: 'cancel', lane: l }) as GateInput })),
  fc.constant({ input: () => ({ type: 'tick' }) as GateInput }),
  fc.integer({ min: 0, max: 90_000 }).map((ms) => ({ advanceMs: ms })),
  fc.constantFrom('normal', 'precaution', 'controlled', 'sealed').map((z) => ({ zone: z as 'normal' })),
);

function wellFormed(p: Passage, now: number): void {
  expect(p.reasons.length).toBeGreaterThan(0);
  for (const r of p.reasons) expect(r.zh && r.en && r.code).toBeTruthy();
  expect(p.decidedAt).toBe(now);
  expect(p.decidedAt).toBeGreaterThanOrEqual(p.startedAt);
  if (p.outcome === 'overridden') expect(p.operatorId && p.overrideReason).toBeTruthy();
  if (p.outcome === 'overridden') expect(p.alerts.some((a) => a.kind === 'override')).toBe(true);
  const opens = p.actions.some((a) => a.kind === 'relay');
  expect(opens).toBe(p.outcome === 'admitted' || (p.outcome === 'overridden' && p.reasons[0]?.code === 'override.admit'));
}

// SOAK=1 runs 20,000 sequences instead of 300 (npm run test:soak:gate).
describe('gate core under random input', () => {
  it('never throws, decides well-formed passages once, and returns every lane to idle within its timeout', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), fc.boolean(), (steps, antiPassback) => {
        const h = harness({ lanes: [{ id: 'main', direction: 'both' }, { id: 'side', direction: 'in' }], rules: { antiPassback, passageTimeoutSeconds: 60, pairingWindowSeconds: 20, outsiderHours: [{ from: '06:00', to: '21:00' }] } });
        const decidedIds = new Set<string>();
        const limit = Math.max(h.rules.passageTimeoutSeconds, h.rules.pairingWindowSeconds) * 1000;
        for (const step of steps) {
          if ('advanceMs' in step) h.advance(step.advanceMs);
          else if ('zone' in step) h.world.policy.zoneLevel = step.zone;
          else {
            const outs = h.send(step.input((id, t) => h.world.token(id, t)));
            for (const p of h.decided(outs)) {
              expect(decidedIds.has(p.id)).toBe(false);
              decidedIds.add(p.id);
              wellFormed(p, h.world.clock.now());
            }
            for (const o of outs) if (o.type === 'progress') expect(decidedIds.has(o.passage.id)).toBe(false);
          }
          const deadline = h.core.nextDeadline();
          if (deadline !== undefined) expect(deadline - h.world.clock.now()).toBeLessThanOrEqual(limit);
        }
        h.advance(limit);
        h.send({ type: 'tick' });
        expect(h.core.lanes().every((l) => l.stage === 'idle')).toBe(true);
        expect(h.core.nextDeadline()).toBeUndefined();
      }),
      { numRuns: process.env.SOAK ? 20_000 : 300 },
    );
  }, 600_000);
});
