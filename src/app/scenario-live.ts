// Plays a scenario file (docs/scenarios.md) into the RUNNING daemon, in real time (optionally sped
// up): its roster and policy go into the ledger, its cards are signed with the gate's own key, and
// its events arrive as device or operator inputs. `gate simulate` replays the same file on a virtual
// clock; this is the demo a volunteer watches on the kiosk.
import type { GateKeySet } from '../cards/gate-setup.js';
import type { GateInput } from '../gate/contract.js';
import type { ParsedScenario } from '../gate/scenario/parse.js';
import { type Scenario, type ScenarioPolicy, type ScenarioRoster, seconds } from '../gate/scenario/schema.js';
import { createScenarioWorld, eventToInput, scenarioPersons } from '../gate/scenario/world.js';
import type { Ledger, PolicyKind, RosterChange } from '../store/api.js';

/** The ledger's form of a scenario roster block, times relative to `now`. */
export function rosterChangeFromScenario(r: ScenarioRoster, now: number): RosterChange {
  return {
    households: (r.households ?? []).map((h) => ({ id: h.id, address: h.address ?? '' })),
    persons: scenarioPersons(r, now),
    cards: (r.cards ?? [])
      .filter((c) => c.onRoster !== false)
      .map((c) => ({
        id: c.id,
        type: c.type,
        issuedAt: now,
        ...(c.person ? { personId: c.person } : {}),
        ...(c.household ? { householdId: c.household } : {}),
        ...(c.plate ? { vehiclePlate: c.plate } : {}),
        ...(c.validity ? { validity: c.validity } : {}),
        ...(c.exp !== undefined ? { expiresAt: now + seconds(c.exp) * 1000 } : {}),
      })),
  };
}

/** Each scenario policy field as the ledger's policy kind and payload. */
function policyChanges(p: ScenarioPolicy): Array<[PolicyKind, unknown]> {
  const out: Array<[PolicyKind, unknown]> = [];
  if (p.zoneLevel) out.push(['zone-level', { level: p.zoneLevel }]);
  if (p.riskAreas) out.push(['risk-areas', { areas: p.riskAreas }]);
  if (p.revokedCards) out.push(['revocations', { cards: p.revokedCards }]);
  if (p.authorised) out.push(['authorised', { cards: p.authorised }]);
  return out;
}

/**
 * Applied as local changes (under the hub's version in force, so the hub's next version still wins).
 * `saved` collects what each kind was before its first change, so the play can put it back.
 */
export function applyScenarioPolicy(ledger: Ledger, p: ScenarioPolicy, actor: string, saved?: Map<PolicyKind, unknown>): void {
  for (const [kind, payload] of policyChanges(p)) {
    if (saved && !saved.has(kind)) saved.set(kind, kind === 'zone-level' ? { level: ledger.policy().zoneLevel } : (ledger.policyStates().find((s) => s.kind === kind)?.payload ?? null));
    ledger.applyLocalPolicy(kind, payload, actor);
  }
}

/** What the play changed goes back as it was: the zone level, the lists (a kind never set before becomes empty). */
export function restoreScenarioPolicy(ledger: Ledger, saved: Map<PolicyKind, unknown>, actor: string): void {
  const empty: Partial<Record<PolicyKind, unknown>> = { 'risk-areas': { areas: [] }, revocations: { cards: [] }, authorised: { cards: [] } };
  for (const [kind, before] of saved) {
    const back = before ?? empty[kind];
    if (back !== undefined) ledger.applyLocalPolicy(kind, back, actor);
  }
}

export function applyScenarioRoster(ledger: Ledger, r: ScenarioRoster, now: number, actor: string): void {
  ledger.applyRoster(rosterChangeFromScenario(r, now), { actor });
  for (const v of r.visitors ?? []) {
    ledger.registerVisitor({
      id: v.id,
      name: v.name,
      travel: v.travel ?? [],
      ...(v.host ? { hostHouseholdId: v.host } : {}),
      ...(v.escort ? { escort: v.escort } : {}),
      ...(v.plate ? { plate: v.plate } : {}),
      ...(v.validity ? { validity: v.validity } : {}),
      ...(v.testAgo !== undefined ? { lastTestAt: now - seconds(v.testAgo) * 1000 } : {}),
      ...(v.vaccinated !== undefined ? { vaccinated: v.vaccinated } : {}),
      operatorId: actor,
    });
    if (v.signedOut) ledger.signOutVisitor(v.id, actor);
  }
}

/**
 * A scenario played again registers its visitors again: ids already in the ledger get a suffix, in the
 * roster blocks, the visitor cards and the scans that name them, so the replay is a new visit.
 */
export function withFreshVisitorIds(s: Scenario, taken: (id: string) => boolean, suffix: string): Scenario {
  const ids = new Set<string>();
  for (const r of [s.roster, ...s.events.map((e) => e.roster)]) for (const v of r?.visitors ?? []) if (taken(v.id)) ids.add(v.id);
  if (ids.size === 0) return s;
  const map = (id: string) => (ids.has(id) ? `${id}~${suffix}` : id);
  const roster = (r: ScenarioRoster | undefined): ScenarioRoster | undefined =>
    r && { ...r, ...(r.visitors ? { visitors: r.visitors.map((v) => ({ ...v, id: map(v.id) })) } : {}), ...(r.cards ? { cards: r.cards.map((c) => (c.type === 'visitor' ? { ...c, id: map(c.id) } : c)) } : {}) };
  const cardIds = new Set([s.roster, ...s.events.map((e) => e.roster)].flatMap((r) => (r?.cards ?? []).filter((c) => c.type === 'visitor').map((c) => c.id)));
  return {
    ...s,
    ...(s.roster ? { roster: roster(s.roster) } : {}),
    events: s.events.map((e) => ({
      ...e,
      ...(e.roster ? { roster: roster(e.roster) } : {}),
      ...(e.scan ? { scan: { ...e.scan, ...(e.scan.visitor ? { visitor: map(e.scan.visitor) } : {}), ...(e.scan.card && cardIds.has(e.scan.card) ? { card: map(e.scan.card) } : {}) } } : {}),
    })),
  };
}

export interface LivePlayOptions {
  parsed: ParsedScenario;
  ledger: Ledger;
  keys: GateKeySet;
  site: string;
  defaultLane: string;
  slipPrefix: string;
  /** Scenario seconds per real second (default 1). */
  speed?: number;
  /** The longest real wait between two events, whatever the scenario says (default 3 s). */
  maxGapMs?: number;
  /** Where an input goes: device inputs through the lane's devices, operator inputs to the gate. */
  deliver: (input: GateInput) => void;
  onNote?: (note: string) => void;
  signal?: AbortSignal;
  /** Resolves once no lane has a passage in progress (the play waits for it before it starts and ends). */
  lanesIdle?: (why: string) => Promise<void>;
  /** The rules the daemon decides with, to check the scenario's `rules:` against. */
  rules?: Record<string, unknown>;
}

/**
 * What a live daemon cannot play as `gate simulate` would: rules that differ from its own, and a recorded
 * starting state. Empty when the scenario can be played.
 */
export function cannotPlayLive(s: Scenario, rules: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  const differ = Object.entries(s.rules ?? {}).filter(([k, v]) => JSON.stringify(rules?.[k]) !== JSON.stringify(v)).map(([k]) => k);
  if (differ.length) {
    out.push(`the scenario sets rules the running gate does not have (${differ.join(', ')}): set them in the configuration (or the kiosk's settings) and restart, or replay it with "gate simulate FILE"`);
  }
  if (s.state && ((s.state.inside ?? []).length > 0 || Object.keys(s.state.householdOutings ?? {}).length > 0)) {
    out.push('the scenario starts from a recorded state (state: inside / householdOutings) that a running gate cannot take: replay it with "gate simulate FILE"');
  }
  return out;
}

const DEVICE_INPUTS = new Set<GateInput['type']>(['scan', 'temperature', 'mask']);
export const isDeviceInput = (i: GateInput) => DEVICE_INPUTS.has(i.type);

export async function playScenarioLive(o: LivePlayOptions): Promise<{ events: number }> {
  const problems = cannotPlayLive(o.parsed.scenario, o.rules);
  if (problems.length) throw new Error(`cannot play this scenario live: ${problems.join('; ')}`);
  const scenario = withFreshVisitorIds(o.parsed.scenario, (id) => o.ledger.rosterView().visitor(id) !== undefined, Date.now().toString(36));
  const actor = 'simulation';
  // A passage still in progress (a lane waiting on its timer) ends before this scenario's first event.
  await o.lanesIdle?.('before the scenario starts');
  const saved = new Map<PolicyKind, unknown>();
  try {
    return await play(o, scenario, actor, saved);
  } finally {
    restoreScenarioPolicy(o.ledger, saved, actor);
  }
}

async function play(o: LivePlayOptions, scenario: Scenario, actor: string, saved: Map<PolicyKind, unknown>): Promise<{ events: number }> {
  const now = Date.now();
  const world = createScenarioWorld({ site: o.site, start: now, signer: { kid: o.keys.own.kid, privateKey: o.keys.own.privateKey } });
  if (scenario.roster) {
    world.applyRoster(scenario.roster);
    applyScenarioRoster(o.ledger, scenario.roster, now, actor);
  }
  if (scenario.policy) applyScenarioPolicy(o.ledger, scenario.policy, actor, saved);
  const speed = o.speed && o.speed > 0 ? o.speed : 1;
  const maxGap = o.maxGapMs ?? 3000;
  let previousAt = 0;
  let events = 0;
  for (const e of scenario.events) {
    if (o.signal?.aborted) break;
    const at = e.at !== undefined ? seconds(e.at) : previousAt;
    const waitMs = Math.min(maxGap, Math.max(0, ((at - previousAt) * 1000) / speed));
    previousAt = at;
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    if (e.roster) {
      world.applyRoster(e.roster);
      applyScenarioRoster(o.ledger, e.roster, Date.now(), actor);
    }
    if (e.policy) applyScenarioPolicy(o.ledger, e.policy, actor, saved);
    if (e.zone) applyScenarioPolicy(o.ledger, { zoneLevel: e.zone }, actor, saved);
    if (e.advance !== undefined) o.onNote?.(`skipped a clock advance of ${seconds(e.advance)} s (a live daemon keeps real time)`);
    const input = eventToInput(e, world, o.defaultLane, o.slipPrefix);
    if (input) o.deliver(input);
    events++;
  }
  // The last passage ends (as `gate simulate` runs the clock on) before the zone level and lists go back.
  await o.lanesIdle?.('after the last event');
  return { events };
}
