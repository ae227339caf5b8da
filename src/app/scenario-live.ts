// Plays a scenario file (docs/scenarios.md) into the RUNNING daemon, in real time (optionally sped
// up): its roster and policy go into the ledger, its cards are signed with the gate's own key, and
// its events arrive as device or operator inputs. `gate simulate` replays the same file on a virtual
// clock; this is the demo a volunteer watches on the kiosk.
import type { GateKeySet } from '../cards/gate-setup.js';
import type { GateInput } from '../gate/contract.js';
import type { ParsedScenario } from '../gate/scenario/parse.js';
import { type ScenarioPolicy, type ScenarioRoster, seconds } from '../gate/scenario/schema.js';
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

function nextVersion(ledger: Ledger, kind: PolicyKind): number {
  return (ledger.policyStates().find((s) => s.kind === kind)?.version ?? 0) + 1;
}

export function applyScenarioPolicy(ledger: Ledger, p: ScenarioPolicy, actor: string): void {
  if (p.zoneLevel) ledger.applyPolicy('zone-level', nextVersion(ledger, 'zone-level'), { level: p.zoneLevel }, actor);
  if (p.riskAreas) ledger.applyPolicy('risk-areas', nextVersion(ledger, 'risk-areas'), { areas: p.riskAreas }, actor);
  if (p.revokedCards) ledger.applyPolicy('revocations', nextVersion(ledger, 'revocations'), { cards: p.revokedCards }, actor);
  if (p.authorised) ledger.applyPolicy('authorised', nextVersion(ledger, 'authorised'), { cards: p.authorised }, actor);
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
  }
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
}

const DEVICE_INPUTS = new Set<GateInput['type']>(['scan', 'temperature', 'mask']);
export const isDeviceInput = (i: GateInput) => DEVICE_INPUTS.has(i.type);

export async function playScenarioLive(o: LivePlayOptions): Promise<{ events: number }> {
  const { scenario } = o.parsed;
  const actor = 'simulation';
  const now = Date.now();
  const world = createScenarioWorld({ site: o.site, start: now, signer: { kid: o.keys.own.kid, privateKey: o.keys.own.privateKey } });
  if (scenario.roster) {
    world.applyRoster(scenario.roster);
    applyScenarioRoster(o.ledger, scenario.roster, now, actor);
  }
  if (scenario.policy) applyScenarioPolicy(o.ledger, scenario.policy, actor);
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
    if (e.policy) applyScenarioPolicy(o.ledger, e.policy, actor);
    if (e.zone) applyScenarioPolicy(o.ledger, { zoneLevel: e.zone }, actor);
    if (e.advance !== undefined) o.onNote?.(`skipped a clock advance of ${seconds(e.advance)} s (a live daemon keeps real time)`);
    const input = eventToInput(e, world, o.defaultLane, o.slipPrefix);
    if (input) o.deliver(input);
    events++;
  }
  return { events };
}
