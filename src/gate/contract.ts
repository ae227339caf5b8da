// What goes into the gate core and what comes out. The runtime around the core
// (src/runtime/gate-runtime.ts) feeds device events and operator actions in, and carries outputs to
// the store, the devices, the kiosk and the hub.
import type { Alert, CodeColour, ColourSource, Direction, MaskSource, Passage, Text, ZoneLevel } from './model.js';

export type GateInput =
  /** Raw text from a scanner or the kiosk camera: a GP1 token, an ID number, a visitor slip. */
  | { type: 'scan'; lane: string; text: string; direction?: Direction; deviceId?: string }
  | { type: 'temperature'; lane: string; celsius: number; source: 'device' | 'operator'; deviceId?: string }
  | { type: 'mask'; lane: string; worn: boolean; source: MaskSource }
  /** `passageId`, when given, ties a late answer (e.g. from the online verifier) to the passage it was asked for. */
  | { type: 'colour'; lane: string; colour: CodeColour; source: ColourSource; passageId?: string }
  /** The volunteer picks the direction on a two-way lane before the scan. */
  | { type: 'direction'; lane: string; direction: Direction }
  | { type: 'remeasure'; lane: string; operatorId?: string }
  | { type: 'override'; lane: string; decision: 'admit' | 'refuse'; operatorId: string; reason: string }
  | { type: 'cancel'; lane: string; operatorId?: string }
  /** A courier or delivery at the gate: recorded, never admitted. */
  | { type: 'courier'; lane: string; operatorId?: string; note?: string }
  /** Time passes; lanes past their deadline are abandoned. */
  | { type: 'tick' };

export type LaneStage =
  | 'idle'
  | 'awaiting-credential'
  | 'awaiting-temperature'
  | 'awaiting-remeasure'
  | 'awaiting-mask'
  | 'awaiting-colour'
  | 'awaiting-operator';

export type GateOutput =
  /** The passage in progress changed (for the kiosk's live screen). */
  | { type: 'progress'; lane: string; stage: LaneStage; passage: Partial<Passage> & { id: string }; prompt: Text }
  /** A passage ended. The runtime commits it to the ledger before it acts on `passage.actions`. */
  | { type: 'decided'; passage: Passage }
  /** An alert not tied to a passage. */
  | { type: 'alert'; alert: Alert }
  /** An input that could not be used (wrong lane, nothing in progress, …). */
  | { type: 'ignored'; lane: string; input: GateInput['type']; reason: Text };

/** What the gate needs to know about a person on the roster (一户一档). */
export interface RosterPerson {
  id: string;
  householdId: string;
  name: string;
  /** Resident of this compound (registered or actual). Tenants are residents. */
  resident: boolean;
  categories: string[];
  quarantine?: { kind: 'home' | 'central'; until: number };
  health?: { colour: CodeColour; at: number };
  /** Wall ms of the last negative nucleic-acid test. */
  lastTestAt?: number;
  vaccinated?: boolean;
  /** Wall ms of the last stay in a risk area, and which area. */
  riskTravel?: { area: string; at: number };
}

export interface RosterHousehold {
  id: string;
  address: string;
}

export interface RosterCard {
  /** The token's `id`. */
  id: string;
  type: 'household' | 'person' | 'vehicle' | 'staff' | 'visitor';
  personId?: string;
  householdId?: string;
  vehiclePlate?: string;
  /** Validity hours, e.g. a contractor 08:00–17:00 on weekdays. */
  validity?: TimeWindow[];
}

export interface VisitorRegistration {
  id: string;
  name: string;
  idTail?: string;
  /** Areas visited in the last 14 days (names as in the risk-area list). */
  travel: string[];
  hostHouseholdId?: string;
  escort?: string;
  plate?: string;
  validity?: TimeWindow[];
  /** Wall ms of the visitor's last negative nucleic-acid test, when the form recorded one. */
  lastTestAt?: number;
  /** Vaccination record shown at registration. */
  vaccinated?: boolean;
  /** Wall ms; unset while still inside. */
  signedOutAt?: number;
  registeredAt: number;
}

/** Days 0–6 (Sunday = 0) and hours "HH:MM" in the site's local time. */
export interface TimeWindow {
  days?: number[];
  from: string;
  to: string;
}

/** The roster as the gate sees it: a read-only snapshot given with every input. */
export interface RosterView {
  person(id: string): RosterPerson | undefined;
  personByIdNumber(idNumber: string): RosterPerson | undefined;
  household(id: string): RosterHousehold | undefined;
  card(id: string): RosterCard | undefined;
  visitor(id: string): VisitorRegistration | undefined;
  /** Members of a household, to apply one-out-per-household quotas. */
  members(householdId: string): RosterPerson[];
}

/** Rules in force; the hub can change them (versioned) and the kiosk admin too. */
export interface Policy {
  version: number;
  zoneLevel: ZoneLevel;
  /** Medium- and high-risk areas (中高风险地区), as names or codes. */
  riskAreas: string[];
  revokedCards: string[];
  /** Staff and medical card ids allowed in every zone level (in addition to staff cards). */
  authorised: string[];
}

export interface GateContext {
  clock: import('./model.js').Clock;
  roster: RosterView;
  policy: Policy;
}
