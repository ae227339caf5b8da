// The domain vocabulary shared by every part of the appliance. Pure types, no I/O.
// Other modules (store, sync, ui, devices) import from here; src/gate imports nothing from them.

export type Direction = 'in' | 'out';
export type CodeColour = 'green' | 'yellow' | 'red';
export type ZoneLevel = 'normal' | 'precaution' | 'controlled' | 'sealed';

/** Card types of the GP1 pass-card token (DESIGN.md). */
export type CardType = 'household' | 'person' | 'vehicle' | 'staff' | 'visitor';

/** What identified the person or vehicle at the gate. */
export type SubjectKind = CardType | 'resident-id' | 'visitor-id' | 'courier' | 'unknown';

export interface Subject {
  kind: SubjectKind;
  /** Card id, person id, visitor id; never a raw ID number (use idTail for that). */
  id: string;
  householdId?: string;
  personId?: string;
  /** Display name as the roster holds it; UIs and exports mask it. */
  name?: string;
  /** Last 4 characters of a resident ID number, for search and display. */
  idTail?: string;
  cardKid?: string;
  vehiclePlate?: string;
}

/** A bilingual text: zh-CN first, English second. */
export interface Text {
  zh: string;
  en: string;
}

export interface Reason extends Text {
  /** Stable machine code, e.g. 'temp.fever', 'code.red', 'card.revoked'. */
  code: string;
}

export type PassageOutcome = 'admitted' | 'refused' | 'overridden' | 'abandoned';

export type BuzzerPattern = 'ok' | 'refuse' | 'alarm' | 'attention';
export type LampColour = 'green' | 'red' | 'amber';

/** Commands the gate gives to the devices of a lane. */
export type Action =
  | { kind: 'relay'; lane: string; pulseMs: number }
  | { kind: 'lamp'; lane: string; colour: LampColour; ms: number }
  | { kind: 'buzzer'; lane: string; pattern: BuzzerPattern }
  /** `celsius`: the reading the loudspeaker says (the last on an admission, the highest on a fever refusal). */
  | { kind: 'prompt'; lane: string; promptId: string; celsius?: number };

export type AlertKind =
  | 'fever'
  | 'code-yellow'
  | 'code-red'
  | 'quarantine-breach'
  | 'health-monitoring'
  | 'risk-area-visitor'
  | 'risk-area-returnee'
  | 'household-quota'
  | 'card-invalid'
  | 'override'
  | 'device-offline'
  | 'device-faulty'
  | 'outbox-full'
  | 'disk-full'
  | 'visitor-overdue'
  | 'clock-unsynced'
  | 'reading-implausible'
  | 'fever-unhandled';

export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface Alert {
  /** Unique id (assigned by the gate's id generator). */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  lane?: string;
  passageId?: string;
  subject?: Subject;
  text: Text;
  /** Wall-clock milliseconds. */
  at: number;
  /** Extra facts (temperature, colour, device id) without personal data. */
  detail?: Record<string, string | number | boolean>;
}

export type ColourSource = 'operator' | 'hub' | 'verifier';
export type MaskSource = 'sensor' | 'operator';
export type TemperatureSource = 'device' | 'operator';

export interface TemperatureReading {
  celsius: number;
  source: TemperatureSource;
  deviceId?: string;
  /** Wall-clock milliseconds. */
  at: number;
}

/** A person or vehicle crossing the gate, from first input to decision. */
export interface Passage {
  id: string;
  lane: string;
  direction: Direction;
  subject: Subject | null;
  temperatures: TemperatureReading[];
  colour: CodeColour | null;
  colourSource: ColourSource | null;
  mask: boolean | null;
  maskSource: MaskSource | null;
  outcome: PassageOutcome;
  /** Why: every decision carries at least one reason. */
  reasons: Reason[];
  operatorId?: string;
  overrideReason?: string;
  /** Wall-clock milliseconds of the first input and of the decision. */
  startedAt: number;
  decidedAt: number;
  /** Whether the wall clock was synchronised (NTP) when the decision was taken. */
  clockSynced: boolean;
  actions: Action[];
  alerts: Alert[];
  /** Flags for follow-up, e.g. 'home-quarantine-required', 'escort-required'. */
  flags: string[];
  /** Zone level in force when decided. */
  zoneLevel: ZoneLevel;
}

/** The clock the gate is given; never read Date.now() inside src/gate. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Whether the wall clock is known to be synchronised. */
  synced(): boolean;
}
