// Replay a parsed scenario through the real gate core. Pure: scenario in, one line per decided passage out.
import type { GateOutput } from '../contract.js';
import { createGateCore, type GateCore } from '../core.js';
import type { Direction, Passage, PassageOutcome, SubjectKind } from '../model.js';
import type { ParsedScenario } from './parse.js';
import { seconds } from './schema.js';
import { LaneSpeech, type Utterance, utteranceText } from '../speech.js';
import { createScenarioWorld, eventToInput, type ScenarioWorld } from './world.js';

export interface ScenarioLine {
  /** Seconds since the scenario start. */
  t: number;
  passage: string;
  lane: string;
  direction: Direction;
  subject: { kind: SubjectKind; id: string } | null;
  outcome: PassageOutcome;
  reasons: string[];
  alerts: string[];
  flags: string[];
  /** What the lane's loudspeaker said during the passage, in zh-CN (docs/voice.md). */
  spoken: string[];
}

/** One decided passage as a line: what `gate simulate` and `gate sim play` print. */
export function passageSummary(p: Passage): Omit<ScenarioLine, 't' | 'spoken'> {
  return {
    passage: p.id,
    lane: p.lane,
    direction: p.direction,
    subject: p.subject ? { kind: p.subject.kind, id: p.subject.id } : null,
    outcome: p.outcome,
    reasons: p.reasons.map((r) => r.code),
    alerts: p.alerts.map((a) => a.kind),
    flags: p.flags,
  };
}

export interface ScenarioRun {
  lines: ScenarioLine[];
  outputs: GateOutput[];
  core: GateCore;
  world: ScenarioWorld;
}

export function runScenario(parsed: ParsedScenario): ScenarioRun {
  const { scenario, rules, start } = parsed;
  const site = scenario.site ?? 'demo-village';
  const world = createScenarioWorld({ site, start, ...(scenario.policy ? { policy: scenario.policy } : {}), ...(scenario.roster ? { roster: scenario.roster } : {}) });
  const lanes = scenario.lanes ?? [{ id: 'main', direction: 'both' as const }];
  const defaultLane = lanes[0]?.id ?? 'main';
  let n = 0;
  const outings = Object.entries(scenario.state?.householdOutings ?? {}).map(([hh, ago]) => [hh, start - seconds(ago) * 1000] as [string, number]);
  const core = createGateCore({
    siteId: site,
    gateId: 'gate-1',
    lanes,
    rules,
    trustedKeys: world.trustedKeys,
    ids: () => `${++n}`,
    timeZone: scenario.timezone ?? 'Asia/Shanghai',
    state: { inside: scenario.state?.inside ?? [], householdOutings: outings },
  });
  const ctx = { clock: world.clock, roster: world.roster, policy: world.policy };
  const outputs: GateOutput[] = [];
  const lines: ScenarioLine[] = [];
  const speech = new LaneSpeech();
  const spoken = new Map<string, string[]>();
  const say = (u: Utterance | undefined) => {
    if (!u?.passageId) return;
    spoken.set(u.passageId, [...(spoken.get(u.passageId) ?? []), utteranceText(u, 'zh-CN')]);
  };
  const feed = (outs: GateOutput[]) => {
    for (const o of outs) {
      outputs.push(o);
      if (o.type === 'progress') say(speech.progress(o));
      if (o.type !== 'decided') continue;
      say(speech.decided(o.passage.lane, o.passage.actions, o.passage.id));
      lines.push({ t: (o.passage.decidedAt - start) / 1000, ...passageSummary(o.passage), spoken: spoken.get(o.passage.id) ?? [] });
      spoken.delete(o.passage.id);
    }
  };
  // Time moves as the runtime's timer would: a tick at every deadline passed on the way.
  const moveTo = (ms: number) => {
    for (let d = core.nextDeadline(); d !== undefined && d <= ms; d = core.nextDeadline()) {
      world.clock.set(Math.max(world.clock.now(), d));
      feed(core.handle({ type: 'tick' }, ctx));
    }
    world.clock.set(Math.max(world.clock.now(), ms));
  };
  for (const e of scenario.events) {
    if (e.at !== undefined) moveTo(start + seconds(e.at) * 1000);
    if (e.advance !== undefined) moveTo(world.clock.now() + seconds(e.advance) * 1000);
    else if (e.tick) feed(core.handle({ type: 'tick' }, ctx));
    else if (e.zone) world.policy.zoneLevel = e.zone;
    else if (e.policy) Object.assign(world.policy, e.policy, { version: world.policy.version + 1 });
    else if (e.roster) world.applyRoster(e.roster);
    else {
      const input = eventToInput(e, world, defaultLane, rules.visitorSlipPrefix);
      if (input) feed(core.handle(input, ctx));
    }
  }
  // Every passage ends: run out the clock on whatever is still in progress.
  const last = core.nextDeadline();
  if (last !== undefined) moveTo(last + rules.passageTimeoutSeconds * 1000);
  return { lines, outputs, core, world };
}
