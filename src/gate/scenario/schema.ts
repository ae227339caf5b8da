// The scenario file format (docs/scenarios.md): a roster, a policy, rule overrides and timed events,
// replayed through the real gate core by `gate simulate` and by the demo in simulation mode.
import { Block, type Static, Type } from '../../config/typebox.js';

/** Seconds, or a number with a unit: "90s", "5m", "2h", "3d"; a leading "-" means before the start. */
export const Duration = Type.Union([Type.Number(), Type.String({ pattern: '^-?\\d+(\\.\\d+)?(ms|s|m|h|d)$' })], { description: 'Seconds, or "90s" / "5m" / "2h" / "3d"' });
const Colour = Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')]);
const Dir = Type.Union([Type.Literal('in'), Type.Literal('out')]);
const Zone = Type.Union([Type.Literal('normal'), Type.Literal('precaution'), Type.Literal('controlled'), Type.Literal('sealed')]);
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Window = Block({ days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }))), from: Type.String({ pattern: '^\\d\\d:\\d\\d$' }), to: Type.String({ pattern: '^\\d\\d:\\d\\d$' }) });

export const ScenarioHousehold = Block({ id: Id, address: Type.Optional(Type.String()) });
export const ScenarioPerson = Block({
  id: Id,
  household: Id,
  name: Type.String({ minLength: 1 }),
  resident: Type.Optional(Type.Boolean({ description: 'default true' })),
  idNumber: Type.Optional(Type.String()),
  categories: Type.Optional(Type.Array(Type.String())),
  quarantine: Type.Optional(Block({ kind: Type.Union([Type.Literal('home'), Type.Literal('central'), Type.Literal('monitoring'), Type.Literal('daily')]), for: Duration })),
  health: Type.Optional(Block({ colour: Colour, ago: Type.Optional(Duration) })),
  testAgo: Type.Optional(Duration),
  vaccinated: Type.Optional(Type.Boolean()),
  riskTravel: Type.Optional(Block({ area: Type.String(), ago: Duration })),
});
export const ScenarioCard = Block({
  id: Id,
  type: Type.Union([Type.Literal('household'), Type.Literal('person'), Type.Literal('vehicle'), Type.Literal('staff'), Type.Literal('visitor')]),
  household: Type.Optional(Id),
  person: Type.Optional(Id),
  plate: Type.Optional(Type.String()),
  validity: Type.Optional(Type.Array(Window)),
  /** Expiry relative to the start; negative = already expired. */
  exp: Type.Optional(Duration),
  /** Token only, not on the roster (a card the hub issued but the roster lacks). */
  onRoster: Type.Optional(Type.Boolean()),
  site: Type.Optional(Id),
  /** Sign with a key the gate does not trust. */
  untrustedKey: Type.Optional(Type.Boolean()),
});
export const ScenarioVisitor = Block({
  id: Id,
  name: Type.String({ minLength: 1 }),
  idTail: Type.Optional(Type.String({ maxLength: 4 })),
  travel: Type.Optional(Type.Array(Type.String())),
  host: Type.Optional(Id),
  escort: Type.Optional(Type.String()),
  plate: Type.Optional(Type.String()),
  validity: Type.Optional(Type.Array(Window)),
  testAgo: Type.Optional(Duration),
  vaccinated: Type.Optional(Type.Boolean()),
  signedOut: Type.Optional(Type.Boolean()),
});
const RosterBlock = Block({
  households: Type.Optional(Type.Array(ScenarioHousehold)),
  persons: Type.Optional(Type.Array(ScenarioPerson)),
  cards: Type.Optional(Type.Array(ScenarioCard)),
  visitors: Type.Optional(Type.Array(ScenarioVisitor)),
});
const PolicyBlock = Block({
  zoneLevel: Type.Optional(Zone),
  riskAreas: Type.Optional(Type.Array(Type.String())),
  revokedCards: Type.Optional(Type.Array(Type.String())),
  authorised: Type.Optional(Type.Array(Type.String())),
});
const Source = <T extends string>(...s: T[]) => Type.Optional(Type.Union(s.map((x) => Type.Literal(x))));

export const ScenarioEvent = Block({
  at: Type.Optional(Duration),
  lane: Type.Optional(Id),
  scan: Type.Optional(
    Block({
      card: Type.Optional(Id),
      id: Type.Optional(Type.String()),
      visitor: Type.Optional(Id),
      text: Type.Optional(Type.String()),
      tamper: Type.Optional(Type.Union([Type.Literal('payload'), Type.Literal('signature'), Type.Literal('truncate')])),
      direction: Type.Optional(Dir),
    }),
  ),
  temperature: Type.Optional(Type.Union([Type.Number(), Block({ celsius: Type.Number(), source: Source('device', 'operator') })])),
  mask: Type.Optional(Type.Union([Type.Boolean(), Block({ worn: Type.Boolean(), source: Source('sensor', 'operator') })])),
  colour: Type.Optional(Type.Union([Colour, Block({ colour: Colour, source: Source('operator', 'hub', 'verifier') })])),
  direction: Type.Optional(Dir),
  remeasure: Type.Optional(Type.Boolean()),
  member: Type.Optional(Id),
  verified: Type.Optional(
    Block({
      check: Type.Union([Type.Literal('test'), Type.Literal('vaccine')]),
      ok: Type.Optional(Type.Boolean({ description: 'false: nothing was shown (default true)' })),
      testAgo: Type.Optional(Duration),
    }),
  ),
  override: Type.Optional(Block({ decision: Type.Union([Type.Literal('admit'), Type.Literal('refuse')]), operator: Type.String(), reason: Type.String() })),
  cancel: Type.Optional(Type.Boolean()),
  operator: Type.Optional(Type.String({ description: 'Operator id for remeasure, cancel, member and verified' })),
  zone: Type.Optional(Zone),
  policy: Type.Optional(PolicyBlock),
  roster: Type.Optional(RosterBlock),
  advance: Type.Optional(Duration),
  tick: Type.Optional(Type.Boolean()),
});

export const EVENT_KINDS = ['scan', 'temperature', 'mask', 'colour', 'direction', 'remeasure', 'member', 'verified', 'override', 'cancel', 'zone', 'policy', 'roster', 'advance', 'tick'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const ScenarioSchema = Block({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  /** ISO 8601 with offset, e.g. 2026-11-23T08:00:00+08:00. */
  start: Type.String({ minLength: 10 }),
  site: Type.Optional(Id),
  timezone: Type.Optional(Type.String()),
  lanes: Type.Optional(Type.Array(Block({ id: Id, direction: Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('both')]) }))),
  rules: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  policy: Type.Optional(PolicyBlock),
  roster: Type.Optional(RosterBlock),
  state: Type.Optional(Block({ inside: Type.Optional(Type.Array(Type.String())), householdOutings: Type.Optional(Type.Record(Type.String(), Duration)) })),
  events: Type.Array(ScenarioEvent),
});

export type Scenario = Static<typeof ScenarioSchema>;
export type ScenarioEventT = Static<typeof ScenarioEvent>;
export type ScenarioRoster = Static<typeof RosterBlock>;
export type ScenarioPolicy = Static<typeof PolicyBlock>;
export type ScenarioCardT = Static<typeof ScenarioCard>;
export type ScenarioPersonT = Static<typeof ScenarioPerson>;
export type ScenarioVisitorT = Static<typeof ScenarioVisitor>;

/** Seconds from a Duration. */
export function seconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`Not a duration: "${d}" (use seconds or 90s / 5m / 2h / 3d)`);
  const n = Number(m[1]);
  return n * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}
