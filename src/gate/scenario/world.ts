// The world a scenario runs in: its roster, policy, signing keys and clock. The live demo can use
// the same pieces to turn scenario events into gate inputs for mock devices and the kiosk.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { GateInput, Policy } from '../contract.js';
import { type CardClaims, issueToken } from '../credentials/token.js';
import type { Clock } from '../model.js';
import { createMemoryRoster, type MemoryRoster } from './roster.js';
import { type ScenarioCardT, type ScenarioEventT, type ScenarioRoster, seconds } from './schema.js';

export const SCENARIO_KID = 'scenario';
const ROGUE_KID = 'rogue';

/** A deterministic Ed25519 key from a label (scenario replay only; real keys come from src/cards). */
function seededKey(label: string): KeyObject {
  const seed = createHash('sha256').update(label).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export interface ScenarioWorld {
  site: string;
  roster: MemoryRoster;
  policy: Policy;
  clock: Clock & { set(ms: number): void };
  /** Public keys the gate trusts in the scenario. */
  trustedKeys: Map<string, KeyObject>;
  /** The token printed on a scenario card (optionally tampered with). */
  token(cardId: string, tamper?: 'payload' | 'signature' | 'truncate'): string;
  applyRoster(r: ScenarioRoster): void;
}

export interface ScenarioWorldOptions {
  site: string;
  start: number;
  policy?: Partial<Policy>;
  roster?: ScenarioRoster;
  /** Sign scenario cards with this key instead of the fixed scenario key (the live demo uses the gate's own). */
  signer?: { kid: string; privateKey: KeyObject };
}

/** The persons of a scenario roster, with times relative to `now` (the gate's roster and the ledger's take the same shape). */
export function scenarioPersons(r: ScenarioRoster, now: number) {
  const ago = (d: number | string) => now - seconds(d) * 1000;
  return (r.persons ?? []).map((p) => ({
    id: p.id,
    householdId: p.household,
    name: p.name,
    resident: p.resident ?? true,
    categories: p.categories ?? [],
    ...(p.idNumber ? { idNumber: p.idNumber } : {}),
    ...(p.quarantine ? { quarantine: { kind: p.quarantine.kind, until: now + seconds(p.quarantine.for) * 1000 } } : {}),
    ...(p.health ? { health: { colour: p.health.colour, at: ago(p.health.ago ?? 0) } } : {}),
    ...(p.testAgo !== undefined ? { lastTestAt: ago(p.testAgo) } : {}),
    ...(p.vaccinated !== undefined ? { vaccinated: p.vaccinated } : {}),
    ...(p.riskTravel ? { riskTravel: { area: p.riskTravel.area, at: ago(p.riskTravel.ago) } } : {}),
  }));
}

export function createScenarioWorld(opts: ScenarioWorldOptions): ScenarioWorld {
  let now = opts.start;
  const key = opts.signer?.privateKey ?? seededKey('gate-scenario-key');
  const kid = opts.signer?.kid ?? SCENARIO_KID;
  const rogue = seededKey('gate-scenario-rogue-key');
  const cards = new Map<string, { spec: ScenarioCardT; issuedAt: number }>();
  const roster = createMemoryRoster();
  const policy: Policy = { version: 1, zoneLevel: 'normal', riskAreas: [], revokedCards: [], authorised: [], ...opts.policy };
  const ago = (d: number | string) => now - seconds(d) * 1000;

  function applyRoster(r: ScenarioRoster): void {
    roster.upsert({
      households: (r.households ?? []).map((h) => ({ id: h.id, address: h.address ?? '' })),
      persons: scenarioPersons(r, now),
      cards: (r.cards ?? [])
        .filter((c) => c.onRoster !== false)
        .map((c) => ({ id: c.id, type: c.type, ...(c.person ? { personId: c.person } : {}), ...(c.household ? { householdId: c.household } : {}), ...(c.plate ? { vehiclePlate: c.plate } : {}), ...(c.validity ? { validity: c.validity } : {}) })),
      visitors: (r.visitors ?? []).map((v) => ({
        id: v.id,
        name: v.name,
        travel: v.travel ?? [],
        registeredAt: now,
        ...(v.idTail ? { idTail: v.idTail } : {}),
        ...(v.host ? { hostHouseholdId: v.host } : {}),
        ...(v.escort ? { escort: v.escort } : {}),
        ...(v.plate ? { plate: v.plate } : {}),
        ...(v.validity ? { validity: v.validity } : {}),
        ...(v.testAgo !== undefined ? { lastTestAt: ago(v.testAgo) } : {}),
        ...(v.vaccinated !== undefined ? { vaccinated: v.vaccinated } : {}),
        ...(v.signedOut ? { signedOutAt: now } : {}),
      })),
    });
    for (const c of r.cards ?? []) cards.set(c.id, { spec: c, issuedAt: now });
  }
  if (opts.roster) applyRoster(opts.roster);

  function token(cardId: string, tamper?: 'payload' | 'signature' | 'truncate'): string {
    const c = cards.get(cardId);
    if (!c) throw new Error(`Scenario scans card "${cardId}", which is not in its roster.cards`);
    const { spec, issuedAt } = c;
    const claims: CardClaims = { t: spec.type, id: spec.id, site: spec.site ?? opts.site, kid: spec.untrustedKey ? ROGUE_KID : kid, iat: Math.floor(issuedAt / 1000) };
    const hh = spec.household;
    if (hh) claims.hh = hh;
    if (spec.exp !== undefined) claims.exp = Math.floor((issuedAt + seconds(spec.exp) * 1000) / 1000);
    const t = issueToken(claims, spec.untrustedKey ? rogue : key);
    const [prefix, payload, sig] = t.split('.') as [string, string, string];
    if (tamper === 'payload') {
      const forged = { ...claims, t: 'staff' };
      return `${prefix}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`;
    }
    if (tamper === 'signature') return `${prefix}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    if (tamper === 'truncate') return t.slice(0, -10);
    return t;
  }

  return {
    site: opts.site,
    roster,
    policy,
    clock: {
      now: () => now,
      synced: () => true,
      set: (ms) => {
        now = ms;
      },
    },
    trustedKeys: new Map([[kid, createPublicKey(key)]]),
    token,
    applyRoster,
  };
}

/** The gate input an event stands for; undefined for world events (zone, policy, roster, advance, tick). */
export function eventToInput(e: ScenarioEventT, world: ScenarioWorld, defaultLane: string, slipPrefix = 'VIS:'): GateInput | undefined {
  const lane = e.lane ?? defaultLane;
  const op = e.operator ? { operatorId: e.operator } : {};
  if (e.scan) {
    const s = e.scan;
    const text = s.card ? world.token(s.card, s.tamper) : s.visitor ? `${slipPrefix}${s.visitor}` : (s.id ?? s.text ?? '');
    return { type: 'scan', lane, text, ...(s.direction ? { direction: s.direction } : {}) };
  }
  if (e.temperature !== undefined) {
    const t = typeof e.temperature === 'number' ? { celsius: e.temperature } : e.temperature;
    return { type: 'temperature', lane, celsius: t.celsius, source: t.source ?? 'device' };
  }
  if (e.mask !== undefined) {
    const m = typeof e.mask === 'boolean' ? { worn: e.mask } : e.mask;
    return { type: 'mask', lane, worn: m.worn, source: m.source ?? 'sensor' };
  }
  if (e.colour !== undefined) {
    const c = typeof e.colour === 'string' ? { colour: e.colour } : e.colour;
    return { type: 'colour', lane, colour: c.colour, source: c.source ?? 'operator' };
  }
  if (e.direction) return { type: 'direction', lane, direction: e.direction };
  if (e.remeasure) return { type: 'remeasure', lane, ...op };
  if (e.member) return { type: 'member', lane, personId: e.member, ...op };
  if (e.verified) {
    const v = e.verified;
    return { type: 'verified', lane, check: v.check, ok: v.ok ?? true, ...(v.testAgo !== undefined ? { testedAt: world.clock.now() - seconds(v.testAgo) * 1000 } : {}), ...op };
  }
  if (e.override) return { type: 'override', lane, decision: e.override.decision, operatorId: e.override.operator, reason: e.override.reason };
  if (e.cancel) return { type: 'cancel', lane, ...op };
  return undefined;
}
