// Payload schemas of every message on the topic tree (TypeBox). docs/asyncapi.yaml names them;
// tests validate real messages against them. Downlink schemas reject unknown keys.
import { AnnouncementListSchema } from '../devices/voice/announcements.js';
import { type Static, type TSchema, Type } from 'typebox';
import Value from 'typebox/value';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Ms = Type.Integer({ minimum: 0, description: 'Wall-clock milliseconds since the epoch' });
const Version = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Monotonic version set by the hub; an older one never replaces a newer one' });
const Colour = Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')]);
const Zone = Type.Union([Type.Literal('normal'), Type.Literal('precaution'), Type.Literal('controlled'), Type.Literal('sealed')]);
const Strict = { additionalProperties: false } as const;

// ---------- uplink ----------

const Envelope = {
  v: Type.Literal(1),
  site: Id,
  gate: Id,
  seq: Type.Integer({ minimum: 0, description: 'Per-gate sequence; the hub drops (gate, seq) it has seen' }),
  ledger: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Id of the gate\'s ledger, made when it was created: a wiped ledger starts seqs again under a new id, and the hub keeps the two histories apart' })),
};

/** Passages, alerts, reports, corrections, events and results drained from the outbox. */
export const OutboxMessage = Type.Object({
  ...Envelope,
  kind: Type.Union([Type.Literal('passage'), Type.Literal('alert'), Type.Literal('report'), Type.Literal('correction'), Type.Literal('state'), Type.Literal('roster-ack'), Type.Literal('visitor')]),
  at: Ms,
  clockSynced: Type.Boolean(),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type OutboxMessage = Static<typeof OutboxMessage>;

export const DeviceHealthMessage = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  lane: Type.String(),
  driver: Type.String(),
  state: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('faulty')]),
  detail: Type.Optional(Type.String()),
  since: Ms,
});

/** Retained on `<gate>/state`; the last will is the same message with status "offline". */
export const StateMessage = Type.Object({
  ...Envelope,
  seq: Type.Integer({ minimum: 0, description: 'Last outbox seq committed when this was written (not unique)' }),
  status: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  reason: Type.Optional(Type.Union([Type.Literal('connected'), Type.Literal('update'), Type.Literal('shutdown'), Type.Literal('lost')])),
  at: Ms,
  clockSynced: Type.Boolean(),
  outboxDepth: Type.Integer({ minimum: 0 }),
  zoneLevel: Type.Optional(Zone),
  versions: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  devices: Type.Array(DeviceHealthMessage),
  software: Type.String(),
});
export type StateMessage = Static<typeof StateMessage>;

/** Retained on `<gate>/counts`. */
export const CountsMessage = Type.Object({
  ...Envelope,
  seq: Type.Integer({ minimum: 0, description: 'Last outbox seq committed when counted (not unique)' }),
  at: Ms,
  day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  entries: Type.Integer({ minimum: 0 }),
  exits: Type.Integer({ minimum: 0 }),
  peopleInside: Type.Integer({ minimum: 0 }),
  visitorsInside: Type.Integer({ minimum: 0 }),
  refusals: Type.Integer({ minimum: 0 }),
  refusalsByReason: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  feverAlerts: Type.Integer({ minimum: 0 }),
  overrides: Type.Integer({ minimum: 0 }),
  deliveries: Type.Optional(Type.Integer({ minimum: 0, description: 'No-contact deliveries handed over today (not refusals)' })),
  parcels: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type CountsMessage = Static<typeof CountsMessage>;

/** Retained on `<gate>/door/<lane>`: the door contact of a lane. */
export const DoorMessage = Type.Object({
  ...Envelope,
  seq: Type.Integer({ minimum: 0, description: 'Last outbox seq committed when this was written (not unique)' }),
  lane: Type.String(),
  open: Type.Boolean(),
  at: Ms,
});
export type DoorMessage = Static<typeof DoorMessage>;

const ReasonSchema = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() });

/** The `data` of an outbox row of kind 'roster-ack', published on `<gate>/result`. */
export const ResultData = Type.Object({
  ref: Type.Object({
    topic: Type.String(),
    kind: Type.Optional(Type.String()),
    version: Type.Optional(Type.Integer()),
    id: Type.Optional(Type.String({ description: 'The update id the hub gave, echoed back' })),
  }),
  result: Type.Union([Type.Literal('applied'), Type.Literal('rejected')]),
  reasons: Type.Array(ReasonSchema),
  currentVersion: Type.Optional(Type.Integer({ minimum: 0 })),
  requeued: Type.Optional(Type.Integer({ minimum: 0, description: 'A resend: how many messages are sent again' })),
  gone: Type.Optional(Type.Array(Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })]), { description: 'A resend: seq ranges this ledger no longer has (purged by its retention)' })),
});
export type ResultData = Static<typeof ResultData>;

/** The `data` of an outbox row of kind 'visitor', published on `<gate>/visitors` (由县区、镇街掌握去向). */
export const VisitorData = Type.Object({
  type: Type.Union([Type.Literal('visitor-registered'), Type.Literal('visitor-signed-out')]),
  id: Type.String({ description: 'The registration id (the slip and visitor card carry it)' }),
  name: Type.Optional(Type.String({ description: 'Only with storage.uplinkNames (and mqtt.sendPersonalData)' })),
  nameMasked: Type.Optional(Type.String({ description: 'The name masked (张*丰), when names are not sent' })),
  idTail: Type.Optional(Type.String({ maxLength: 4, description: 'Last 4 characters of the ID number; never the whole number' })),
  origin: Type.Optional(Type.String()),
  travel: Type.Array(Type.String(), { description: 'Places stayed in the last 14 days, as declared' }),
  hostHouseholdId: Type.Optional(Type.String({ description: 'The household visited' })),
  escort: Type.Optional(Type.String({ description: 'Who walks the visitor in; only with storage.uplinkNames' })),
  escortMasked: Type.Optional(Type.String({ description: 'The escort, masked, when names are not sent' })),
  plate: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
  registeredAt: Ms,
  registeredBy: Type.Optional(Type.String()),
  signedOutAt: Type.Optional(Ms),
  signedOutBy: Type.Optional(Type.String({ description: "The operator, or 'gate' for an admitted exit" })),
});
export type VisitorData = Static<typeof VisitorData>;

// ---------- downlink ----------

const Head = {
  site: Id,
  version: Version,
  id: Type.Optional(Type.String({ maxLength: 128, description: 'Update id, echoed in the result' })),
  issuedAt: Type.Optional(Ms),
};

const TimeWindow = Type.Object({
  days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
  from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
  to: Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' }),
}, Strict);

const Household = Type.Object({
  id: Id,
  address: Type.String({ maxLength: 256 }),
  grid: Type.Optional(Type.String({ maxLength: 64 })),
  registeredResidents: Type.Optional(Type.Integer({ minimum: 0 })),
  actualResidents: Type.Optional(Type.Integer({ minimum: 0 })),
  note: Type.Optional(Type.String({ maxLength: 512 })),
}, Strict);

const Person = Type.Object({
  id: Id,
  householdId: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  idNumber: Type.Optional(Type.String({ pattern: '^[0-9]{17}[0-9Xx]$' })),
  phone: Type.Optional(Type.String({ maxLength: 32 })),
  resident: Type.Optional(Type.Boolean()),
  categories: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })),
  quarantine: Type.Optional(
    Type.Union([
      Type.Null(),
      Type.Object(
        {
          kind: Type.Union([Type.Literal('home'), Type.Literal('central'), Type.Literal('monitoring'), Type.Literal('daily')], {
            description: 'home 居家隔离医学观察 (may not leave), central 集中隔离, monitoring 居家健康监测 (leaves only when necessary), daily 日常健康监测',
          }),
          until: Ms,
        },
        Strict,
      ),
    ]),
  ),
  health: Type.Optional(Type.Union([Type.Null(), Type.Object({ colour: Colour, at: Ms }, Strict)])),
  lastTestAt: Type.Optional(Type.Union([Type.Null(), Ms])),
  vaccinated: Type.Optional(Type.Union([Type.Null(), Type.Boolean()])),
  riskTravel: Type.Optional(Type.Union([Type.Null(), Type.Object({ area: Type.String({ maxLength: 128 }), at: Ms }, Strict)])),
}, Strict);

const Card = Type.Object({
  id: Id,
  type: Type.Union([Type.Literal('household'), Type.Literal('person'), Type.Literal('vehicle'), Type.Literal('staff'), Type.Literal('visitor')]),
  personId: Type.Optional(Id),
  householdId: Type.Optional(Id),
  vehiclePlate: Type.Optional(Type.String({ maxLength: 16 })),
  validity: Type.Optional(Type.Array(TimeWindow, { maxItems: 16 })),
  issuedAt: Type.Optional(Ms),
  expiresAt: Type.Optional(Ms),
  revokedAt: Type.Optional(Ms),
  revokedReason: Type.Optional(Type.String({ maxLength: 256 })),
  issuedBy: Type.Optional(Type.String({ maxLength: 64 })),
}, Strict);

const VehiclePermit = Type.Object({
  id: Id,
  plate: Type.String({ minLength: 1, maxLength: 16 }),
  householdId: Type.Optional(Id),
  validFrom: Type.Optional(Ms),
  validTo: Type.Optional(Ms),
  revokedAt: Type.Optional(Ms),
}, Strict);

const Ids = Type.Array(Id, { maxItems: 200_000 });

export const RosterSnapshot = Type.Object({
  ...Head,
  households: Type.Array(Household, { maxItems: 100_000 }),
  persons: Type.Array(Person, { maxItems: 200_000 }),
  cards: Type.Array(Card, { maxItems: 200_000 }),
  vehiclePermits: Type.Optional(Type.Array(VehiclePermit, { maxItems: 100_000 })),
}, Strict);

export const RosterDelta = Type.Object({
  ...Head,
  baseVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'Roster version the delta was computed against; a mismatch is rejected so the hub sends a snapshot' })),
  households: Type.Optional(Type.Array(Household, { maxItems: 100_000 })),
  persons: Type.Optional(Type.Array(Person, { maxItems: 200_000 })),
  cards: Type.Optional(Type.Array(Card, { maxItems: 200_000 })),
  vehiclePermits: Type.Optional(Type.Array(VehiclePermit, { maxItems: 100_000 })),
  removeHouseholds: Type.Optional(Ids),
  removePersons: Type.Optional(Ids),
  removeCards: Type.Optional(Ids),
}, Strict);

export const HealthUpdate = Type.Object({
  ...Head,
  statuses: Type.Array(Type.Object({ personId: Id, colour: Colour, at: Ms }, Strict), { minItems: 1, maxItems: 200_000 }),
}, Strict);

export const RiskAreasUpdate = Type.Object({ ...Head, areas: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10_000 }) }, Strict);
export const ZoneUpdate = Type.Object({ ...Head, level: Zone }, Strict);
export const RevocationsUpdate = Type.Object({ ...Head, cards: Ids }, Strict);
/** Staff and medical cards or persons let through sealed and controlled zones. */
export const AuthorisedUpdate = Type.Object({ ...Head, cards: Ids }, Strict);
/** Opening hours for outsiders (closing hours, e.g. 晚9点封闭); null: none. */
export const HoursUpdate = Type.Object({ ...Head, outsiderHours: Type.Union([Type.Null(), Type.Array(TimeWindow, { maxItems: 16 })]) }, Strict);

export const PolicyUpdate = Type.Object({
  ...Head,
  thresholds: Type.Object({
    feverThreshold: Type.Optional(Type.Number({ minimum: 35, maximum: 40 })),
    temperatureFloor: Type.Optional(Type.Number({ minimum: 30, maximum: 36.5 })),
    riskAreaLookbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    nucleicTestMaxAgeHours: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 720 })])),
    healthStatusMaxAgeMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080 })),
    householdQuotaDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 14 })),
    vaccinationRequired: Type.Optional(Type.Boolean()),
  }, { ...Strict, minProperties: 1 }),
}, Strict);

/**
 * `<site>/cmd/quarantine`: the office sets, changes or releases persons' tiers (居家隔离 / 集中隔离 /
 * 健康监测 …). A release carries the sign-off the practice asks (共同签字确认后解除隔离; negative tests
 * on days 5 and 11). The gate checks every change first (a known person, a future end, a complete
 * sign-off) and applies none when one is wrong.
 */
export const QuarantineUpdate = Type.Object({
  ...Head,
  changes: Type.Array(
    Type.Object({
      personId: Id,
      next: Type.Union([Type.Null(), Type.Object({ kind: Type.Union([Type.Literal('home'), Type.Literal('central'), Type.Literal('monitoring'), Type.Literal('daily')]), until: Ms }, Strict)], { description: 'The tier and its end; null: released' }),
      signOff: Type.Optional(Type.Object({
        signedBy: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 8, description: 'Who signed the release' }),
        tests: Type.Array(Ms, { minItems: 2, maxItems: 8, description: 'The negative tests the release rests on (days 5 and 11)' }),
      }, Strict)),
      note: Type.Optional(Type.String({ maxLength: 500 })),
    }, Strict),
    { minItems: 1, maxItems: 1000 },
  ),
}, Strict);

/** Notices for the gate's loudspeaker (docs/voice.md): the full list, replacing the previous one. */
export const AnnouncementsUpdate = Type.Object({ ...Head, announcements: AnnouncementListSchema }, Strict);
/** A person of a health declaration (docs/declare.md): what the gate's visitor form asks, nothing more. */
const DeclaredPerson = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 40 }),
  idNumber: Type.String({ pattern: '^[0-9]{17}[0-9X]$' }),
  phone: Type.Optional(Type.String({ maxLength: 20 })),
  origin: Type.String({ minLength: 1, maxLength: 128 }),
  travel: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 30 }),
  host: Type.Optional(Type.String({ maxLength: 128 })),
  purpose: Type.Optional(Type.String({ maxLength: 200 })),
  symptoms: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 10 }),
  lastTestAt: Type.Optional(Type.Union([Type.Null(), Ms])),
  vaccinated: Type.Optional(Type.Union([Type.Null(), Type.Boolean()])),
}, Strict);

/**
 * `<site>/cmd/declarations`, retained: the site's declarations not yet expired, made on visitors'
 * phones (健康申报). The gate keeps them (upsert) so that a code scanned while the uplink is down is
 * still prefilled in full; expired ones leave with the ledger's retention.
 */
export const DeclarationsUpdate = Type.Object({
  ...Head,
  declarations: Type.Array(
    Type.Object({
      id: Type.String({ pattern: '^[A-Za-z0-9_-]{16,32}$', description: 'The unguessable id in the declaration code' }),
      kind: Type.Union([Type.Literal('visit'), Type.Literal('return')]),
      issuedAt: Ms,
      expiresAt: Ms,
      members: Type.Array(DeclaredPerson, { minItems: 1, maxItems: 8 }),
    }, Strict),
    { maxItems: 5000 },
  ),
}, Strict);

/**
 * `<gate>/cmd/resend`: the hub asks the gate to send the seq ranges again from its ledger. Not a
 * versioned snapshot: a request, answered by the messages themselves (and a result naming the seqs
 * the gate no longer has).
 */
export const ResendRequest = Type.Object({
  site: Id,
  gate: Id,
  ledger: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The ledger the hub means; another ledger ignores the request' })),
  ranges: Type.Array(Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })]), { minItems: 1, maxItems: 1000, description: 'Inclusive [from, to] seq ranges' }),
  id: Type.Optional(Type.String({ maxLength: 128, description: 'Request id, echoed in the result' })),
}, Strict);
export type ResendRequest = Static<typeof ResendRequest>;

export const DOWNLINK_SCHEMAS = {
  roster: RosterSnapshot,
  'roster/delta': RosterDelta,
  health: HealthUpdate,
  'risk-areas': RiskAreasUpdate,
  zone: ZoneUpdate,
  revocations: RevocationsUpdate,
  authorised: AuthorisedUpdate,
  hours: HoursUpdate,
  policy: PolicyUpdate,
  quarantine: QuarantineUpdate,
  announcements: AnnouncementsUpdate,
  declarations: DeclarationsUpdate,
} as const satisfies Record<string, TSchema>;

/** Schema problems as short lines ("/persons/3/name: must be string"), at most `max`. */
export function schemaProblems(schema: TSchema, value: unknown, max = 10): string[] {
  const out: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` (${((e.params as { additionalProperties?: string[] }).additionalProperties ?? []).join(', ')})` : '';
    out.push(`${where}: ${e.message}${extra}`);
    if (out.length >= max) break;
  }
  return out;
}
