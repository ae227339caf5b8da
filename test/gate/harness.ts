// A gate core on the test roster (test/fixtures/gate/roster.yaml), with a settable clock and
// helpers to walk a person through the checks.
import { readFileSync } from 'node:fs';
import Value from 'typebox/value';
import { parse } from 'yaml';
import { type RulesConfig, RulesSchema } from '../../src/gate/config.js';
import type { GateInput, GateOutput, Policy } from '../../src/gate/contract.js';
import { createGateCore, type GateSeed } from '../../src/gate/core.js';
import type { Direction, Passage } from '../../src/gate/model.js';
import type { ScenarioRoster } from '../../src/gate/scenario/schema.js';
import { createScenarioWorld } from '../../src/gate/scenario/world.js';

export const ROSTER = parse(readFileSync(new URL('../fixtures/gate/roster.yaml', import.meta.url), 'utf8')) as ScenarioRoster;
/** Monday 2026-11-23 10:00 in Shanghai. */
export const MONDAY_10 = Date.parse('2026-11-23T10:00:00+08:00');

export function defaultRules(over: Partial<RulesConfig> = {}): RulesConfig {
  return { ...(Value.Default(RulesSchema, {}) as RulesConfig), ...over };
}

export interface HarnessOptions {
  rules?: Partial<RulesConfig>;
  policy?: Partial<Policy>;
  lanes?: Array<{ id: string; direction: Direction | 'both' }>;
  start?: number;
  state?: GateSeed;
}

export function harness(o: HarnessOptions = {}) {
  const start = o.start ?? MONDAY_10;
  const world = createScenarioWorld({ site: 'demo-village', start, policy: { riskAreas: ['某市某区'], ...o.policy }, roster: ROSTER });
  const rules = defaultRules(o.rules);
  let n = 0;
  const core = createGateCore({ siteId: 'demo-village', gateId: 'gate-1', lanes: o.lanes ?? [{ id: 'main', direction: 'both' }], rules, trustedKeys: world.trustedKeys, ids: () => `id-${++n}`, ...(o.state ? { state: o.state } : {}) });
  const ctx = { clock: world.clock, roster: world.roster, policy: world.policy };
  const send = (input: GateInput): GateOutput[] => core.handle(input, ctx);
  const decided = (outs: GateOutput[]): Passage[] => outs.flatMap((x) => (x.type === 'decided' ? [x.passage] : []));
  const card = (id: string) => world.token(id);
  /** Scan, then measure, mask and colour as given; returns every output and the passage decided, if any. */
  const pass = (scan: string, direction: Direction, checks: { temp?: number; mask?: boolean; colour?: 'green' | 'yellow' | 'red' } = { temp: 36.6, mask: true, colour: 'green' }, lane = 'main') => {
    const outs: GateOutput[] = [...send({ type: 'scan', lane, text: scan, direction })];
    if (checks.temp !== undefined && !decided(outs).length) outs.push(...send({ type: 'temperature', lane, celsius: checks.temp, source: 'device' }));
    if (checks.mask !== undefined && !decided(outs).length) outs.push(...send({ type: 'mask', lane, worn: checks.mask, source: 'sensor' }));
    if (checks.colour !== undefined && !decided(outs).length) outs.push(...send({ type: 'colour', lane, colour: checks.colour, source: 'operator' }));
    return { outs, passage: decided(outs)[0] };
  };
  const advance = (ms: number) => world.clock.set(world.clock.now() + ms);
  const codes = (p: Passage | undefined) => p?.reasons.map((r) => r.code) ?? [];
  const alertKinds = (p: Passage | undefined) => p?.alerts.map((a) => a.kind) ?? [];
  return { core, world, ctx, rules, send, decided, card, pass, advance, codes, alertKinds };
}
