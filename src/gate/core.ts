// The gate core: one passage machine per lane. Pure — the clock, roster and policy come in with
// every input; decisions and commands go out. No timers: the runtime ticks at nextDeadline().
import type { KeyObject } from 'node:crypto';
import type { RulesConfig } from './config.js';
import type { GateContext, GateInput, GateOutput, LaneStage } from './contract.js';
import { buildPassage, type DecideEnv, type Finish } from './decide.js';
import { type Identity, identify, presenceKey } from './identify.js';
import type { Direction, Passage, Reason, Subject, Text } from './model.js';
import { addReading, colourOf, type Draft, evaluate } from './passage.js';
import { refusedFlags, screen } from './rules.js';
import { IGNORED, reason } from './text.js';
import { assertTimeZone } from './time-window.js';

export interface GateSeed {
  /** Presence keys (see presenceKey) of cards and people inside, for anti-passback. */
  inside?: Iterable<string>;
  /** Wall ms of each household's last outing, for the household quota. */
  householdOutings?: Iterable<[string, number]> | Record<string, number>;
}

export interface GateCoreOptions {
  siteId: string;
  gateId: string;
  lanes: ReadonlyArray<{ id: string; direction: Direction | 'both' }>;
  rules: RulesConfig;
  /** Trusted Ed25519 public keys by kid (the gate's own and e.g. the hub's). */
  trustedKeys: ReadonlyMap<string, KeyObject>;
  /** Id generator for passages and alerts; deterministic in replay. */
  ids: () => string;
  /** IANA zone for opening and validity hours. Default Asia/Shanghai. */
  timeZone?: string;
  state?: GateSeed;
}

export interface LaneSnapshot {
  id: string;
  stage: LaneStage;
  passage?: Partial<Passage> & { id: string };
  prompt?: Text;
}

export interface GateCore {
  handle(input: GateInput, ctx: GateContext): GateOutput[];
  /** Wall ms at which a 'tick' is needed, if any lane is busy. */
  nextDeadline(): number | undefined;
  lanes(): LaneSnapshot[];
  /** Merge state the ledger knows (who is inside, households' last outings). */
  seed(state: GateSeed): void;
  /** The state to persist or inspect. */
  state(): { inside: string[]; householdOutings: Record<string, number> };
  /** Replace the rules (an admin changed them); passages in progress keep going under the new rules. */
  setRules(rules: RulesConfig): void;
}

interface Lane {
  id: string;
  fixed: Direction | 'both';
  /** Direction the volunteer chose for the next passage on a two-way lane. */
  chosen?: Direction;
  draft?: Draft;
  stage: LaneStage;
  prompt?: Text;
  lastRefused?: { passage: Passage; at: number };
}

export function createGateCore(options: GateCoreOptions): GateCore {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  assertTimeZone(timeZone);
  if (options.lanes.length === 0) throw new Error('The gate needs at least one lane (config: lanes)');
  let rules = options.rules;
  const lanes = new Map<string, Lane>(options.lanes.map((l) => [l.id, { id: l.id, fixed: l.direction, stage: 'idle' }]));
  const inside = new Set<string>();
  const outings = new Map<string, number>();
  const ids = options.ids;
  const identifyOpts = () => ({ site: options.siteId, keys: options.trustedKeys, visitorSlipPrefix: rules.visitorSlipPrefix });

  function seed(s: GateSeed): void {
    for (const k of s.inside ?? []) inside.add(k);
    const o = s.householdOutings;
    if (o) for (const [hh, at] of Symbol.iterator in o ? (o as Iterable<[string, number]>) : Object.entries(o)) outings.set(hh, Math.max(at, outings.get(hh) ?? 0));
  }
  if (options.state) seed(options.state);

  const env = (ctx: GateContext): DecideEnv => ({ rules, now: ctx.clock.now(), clockSynced: ctx.clock.synced(), zoneLevel: ctx.policy.zoneLevel, ids });

  function newDraft(lane: Lane, now: number, direction: Direction, deadline: number): Draft {
    return { id: ids(), lane: lane.id, direction, startedAt: now, deadline, temperatures: [], high: 0, low: 0, remeasure: false, colours: [], mask: null, maskSource: null };
  }

  function progress(lane: Lane, d: Draft, stage: LaneStage, prompt: Text, out: GateOutput[]): void {
    lane.stage = stage;
    lane.prompt = prompt;
    const passage: Partial<Passage> & { id: string } = { id: d.id, lane: d.lane, direction: d.direction, subject: d.identity?.subject ?? null, temperatures: [...d.temperatures], mask: d.mask, startedAt: d.startedAt };
    out.push({ type: 'progress', lane: lane.id, stage, passage, prompt });
  }

  function finish(lane: Lane, d: Draft, f: Finish, ctx: GateContext, out: GateOutput[]): Passage {
    const e = env(ctx);
    const p = buildPassage(d, f, e);
    const colour = colourOf(d, rules, e.now);
    if (colour) {
      p.colour = colour.colour;
      p.colourSource = colour.source;
    }
    if (f.admit && p.subject) {
      const key = d.identity?.presenceKey ?? presenceKey(p.subject);
      if (p.direction === 'in') inside.add(key);
      else inside.delete(key);
      const hh = p.subject.householdId;
      if (p.direction === 'out' && hh && d.identity?.category !== 'visitor' && !d.identity?.privileged) outings.set(hh, e.now);
    }
    lane.draft = undefined;
    lane.stage = 'idle';
    lane.prompt = undefined;
    lane.lastRefused = p.outcome === 'refused' && p.subject ? { passage: p, at: e.now } : undefined;
    out.push({ type: 'decided', passage: p });
    return p;
  }

  function advance(lane: Lane, d: Draft, ctx: GateContext, out: GateOutput[]): void {
    const s = d.screening;
    const v = evaluate(d, rules, ctx.clock.now());
    if (v.kind === 'wait') {
      progress(lane, d, v.stage, v.prompt, out);
      return;
    }
    const notes = s?.notes ?? [];
    const flags = s?.flags ?? [];
    const alerts = s?.alerts ?? [];
    if (v.kind === 'refuse') finish(lane, d, { outcome: 'refused', admit: false, reasons: [...v.reasons, ...notes.filter((n) => n.code !== 'visitor.sign-out')], alerts: [...v.alerts, ...alerts], flags: refusedFlags(flags) }, ctx, out);
    else finish(lane, d, { outcome: 'admitted', admit: true, reasons: [reason('passage.admitted'), ...notes], alerts, flags }, ctx, out);
  }

  let lastNow = Number.NEGATIVE_INFINITY;

  function expire(now: number, ctx: GateContext, out: GateOutput[]): void {
    // A wall clock stepped back (NTP at boot on a Pi without RTC) makes every deadline meaningless:
    // passages in progress are abandoned rather than left waiting for a time that may be hours away.
    const steppedBack = now < lastNow;
    lastNow = now;
    for (const lane of lanes.values()) {
      const d = lane.draft;
      if (!d || (now < d.deadline && !steppedBack)) continue;
      const r = d.identity ? reason('passage.timeout') : reason('passage.unpaired');
      finish(lane, d, { outcome: 'abandoned', admit: false, reasons: [r], alerts: d.screening?.alerts ?? [], flags: d.screening?.flags ?? [] }, ctx, out);
    }
  }

  const ignored = (lane: string, input: GateInput['type'], why: Text): GateOutput => ({ type: 'ignored', lane, input, reason: why });

  function direction(lane: Lane, asked: Direction | undefined, identity: Identity | undefined): Direction {
    if (asked) return asked;
    if (lane.fixed !== 'both') return lane.fixed;
    if (lane.chosen) return lane.chosen;
    // A two-way lane with no choice made: someone known to be inside is going out.
    return identity && inside.has(identity.presenceKey) ? 'out' : 'in';
  }

  function onScan(lane: Lane, input: Extract<GateInput, { type: 'scan' }>, ctx: GateContext, out: GateOutput[]): void {
    const now = ctx.clock.now();
    if (lane.draft?.identity) return void out.push(ignored(lane.id, 'scan', IGNORED.busy));
    const result = identify(input.text, ctx, identifyOpts());
    const identity = result.ok ? result.identity : undefined;
    const dir = direction(lane, input.direction, identity);
    lane.chosen = undefined;
    const d = lane.draft ?? newDraft(lane, now, dir, now);
    d.direction = dir;
    d.deadline = now + rules.passageTimeoutSeconds * 1000;
    lane.draft = d;
    if (!result.ok) {
      d.identity = { subject: result.subject, category: 'outsider', privileged: false, members: [], presenceKey: presenceKey(result.subject) };
      const alerts = result.cardInvalid ? [{ kind: 'card-invalid' as const, severity: 'warning' as const, reason: result.reason, detail: { reason: result.reason.code } }] : [];
      return void finish(lane, d, { outcome: 'refused', admit: false, reasons: [result.reason], alerts, flags: [] }, ctx, out);
    }
    d.identity = result.identity;
    const s = screen(result.identity, dir, { rules, policy: ctx.policy, now, timeZone, inside, outings });
    d.screening = s;
    if (s.refusals.length) return void finish(lane, d, { outcome: 'refused', admit: false, reasons: [...s.refusals, ...s.notes.filter((n) => n.code !== 'visitor.sign-out')], alerts: s.alerts, flags: refusedFlags(s.flags) }, ctx, out);
    advance(lane, d, ctx, out);
  }

  function onOverride(lane: Lane, input: Extract<GateInput, { type: 'override' }>, ctx: GateContext, out: GateOutput[]): void {
    const why = input.reason?.trim();
    if (!why) return void out.push(ignored(lane.id, 'override', IGNORED.overrideReason));
    if (!input.operatorId?.trim()) return void out.push(ignored(lane.id, 'override', IGNORED.overrideOperator));
    const now = ctx.clock.now();
    const admit = input.decision === 'admit';
    const code: Reason = reason(admit ? 'override.admit' : 'override.refuse');
    let d = lane.draft;
    let previous: Reason[] = [];
    let detail: Record<string, string> = { decision: input.decision };
    if (!d) {
      const last = lane.lastRefused;
      if (!last) return void out.push(ignored(lane.id, 'override', IGNORED.nothing));
      if (now - last.at > rules.overrideGraceSeconds * 1000) return void out.push(ignored(lane.id, 'override', IGNORED.overrideExpired));
      if (!admit) return void out.push(ignored(lane.id, 'override', IGNORED.alreadyRefused));
      // Admitting someone just refused (a faulty thermometer, a code checked by phone): a new passage that says so.
      d = newDraft(lane, now, last.passage.direction, now);
      d.identity = { subject: last.passage.subject as Subject, category: 'outsider', privileged: false, members: [], presenceKey: presenceKey(last.passage.subject as Subject) };
      d.temperatures = [...last.passage.temperatures];
      previous = last.passage.reasons;
      detail = { ...detail, previousPassageId: last.passage.id };
    } else {
      const v = d.identity ? evaluate(d, rules, now) : undefined;
      previous = [...(d.screening?.refusals ?? []), ...(v?.kind === 'refuse' ? v.reasons : [])];
    }
    // The free-text reason stays on the passage (it may name people); the alert points to it.
    const alerts = [...(d.screening?.alerts ?? []), { kind: 'override' as const, severity: 'warning' as const, reason: code, detail: { ...detail, operatorId: input.operatorId } }];
    finish(lane, d, { outcome: 'overridden', admit, reasons: [code, ...previous], alerts, flags: d.screening?.flags ?? [], operatorId: input.operatorId, overrideReason: why.slice(0, 500) }, ctx, out);
  }

  function onCourier(lane: Lane, input: Extract<GateInput, { type: 'courier' }>, ctx: GateContext, out: GateOutput[]): void {
    const now = ctx.clock.now();
    // Recorded beside whatever the lane is doing: a courier never occupies the lane.
    const d = newDraft(lane, now, 'in', now);
    d.identity = { subject: { kind: 'courier', id: 'courier' }, category: 'outsider', privileged: false, members: [], presenceKey: 'courier' };
    const keep = { draft: lane.draft, stage: lane.stage, prompt: lane.prompt, lastRefused: lane.lastRefused };
    finish(lane, d, { outcome: 'refused', admit: false, reasons: [reason('courier.no-entry')], alerts: [], flags: [], ...(input.operatorId ? { operatorId: input.operatorId } : {}) }, ctx, out);
    Object.assign(lane, keep);
  }

  function handle(input: GateInput, ctx: GateContext): GateOutput[] {
    const out: GateOutput[] = [];
    const now = ctx.clock.now();
    expire(now, ctx, out);
    if (input === null || typeof input !== 'object' || input.type === 'tick') return out;
    const lane = lanes.get(input.lane);
    if (!lane) return [...out, ignored(String(input.lane), input.type, IGNORED.unknownLane)];
    const d = lane.draft;
    switch (input.type) {
      case 'scan':
        onScan(lane, input, ctx, out);
        break;
      case 'temperature': {
        if (!Number.isFinite(input.celsius) || input.celsius < 20 || input.celsius > 45) return [...out, ignored(lane.id, 'temperature', IGNORED.badReading)];
        const reading = { celsius: input.celsius, source: input.source, at: now, ...(input.deviceId ? { deviceId: input.deviceId } : {}) };
        if (!d) {
          // A reading before the scan waits for it for the pairing window.
          const nd = newDraft(lane, now, direction(lane, undefined, undefined), now + rules.pairingWindowSeconds * 1000);
          lane.draft = nd;
          addReading(nd, reading, rules);
          advance(lane, nd, ctx, out);
        } else {
          addReading(d, reading, rules);
          if (!d.identity) d.deadline = now + rules.pairingWindowSeconds * 1000;
          advance(lane, d, ctx, out);
        }
        break;
      }
      case 'mask': {
        // A mask sensor sees the person before the scan, like a fixed thermometer: wait for the scan.
        const md = d ?? newDraft(lane, now, direction(lane, undefined, undefined), now + rules.pairingWindowSeconds * 1000);
        lane.draft = md;
        md.mask = input.worn === true;
        md.maskSource = input.source;
        advance(lane, md, ctx, out);
        break;
      }
      case 'colour':
        if (!d?.identity || (input.passageId !== undefined && input.passageId !== d.id)) return [...out, ignored(lane.id, 'colour', IGNORED.nothing)];
        d.colours.push({ colour: input.colour, source: input.source, at: now });
        advance(lane, d, ctx, out);
        break;
      case 'direction':
        if (lane.fixed !== 'both') return [...out, ignored(lane.id, 'direction', { zh: '单向通道，方向固定', en: 'One-way lane; the direction is fixed' })];
        if (d?.identity) return [...out, ignored(lane.id, 'direction', IGNORED.busy)];
        lane.chosen = input.direction;
        if (d) d.direction = input.direction;
        break;
      case 'remeasure':
        if (!d?.identity) return [...out, ignored(lane.id, 'remeasure', IGNORED.nothing)];
        d.remeasure = true;
        advance(lane, d, ctx, out);
        break;
      case 'override':
        onOverride(lane, input, ctx, out);
        break;
      case 'cancel':
        if (!d) return [...out, ignored(lane.id, 'cancel', IGNORED.nothing)];
        finish(lane, d, { outcome: 'abandoned', admit: false, reasons: [reason('passage.cancelled')], alerts: d.screening?.alerts ?? [], flags: d.screening?.flags ?? [], ...(input.operatorId ? { operatorId: input.operatorId } : {}) }, ctx, out);
        break;
      case 'courier':
        onCourier(lane, input, ctx, out);
        break;
      default:
        return [...out, ignored(String((input as { lane?: unknown }).lane ?? ''), (input as { type: GateInput['type'] }).type, IGNORED.nothing)];
    }
    return out;
  }

  return {
    handle,
    nextDeadline() {
      let min: number | undefined;
      for (const l of lanes.values()) if (l.draft && (min === undefined || l.draft.deadline < min)) min = l.draft.deadline;
      return min;
    },
    lanes() {
      return [...lanes.values()].map((l) => {
        const snap: LaneSnapshot = { id: l.id, stage: l.draft ? l.stage : 'idle' };
        if (l.draft) snap.passage = { id: l.draft.id, lane: l.id, direction: l.draft.direction, subject: l.draft.identity?.subject ?? null, temperatures: [...l.draft.temperatures], mask: l.draft.mask, startedAt: l.draft.startedAt };
        if (l.draft && l.prompt) snap.prompt = l.prompt;
        return snap;
      });
    },
    seed,
    state: () => ({ inside: [...inside], householdOutings: Object.fromEntries(outings) }),
    setRules(r) {
      rules = r;
    },
  };
}
