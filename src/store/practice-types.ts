// The practice at the gate (issue 18): fever cases, health tiers changed at the village, deliveries.
// Types only; re-exported by ./api.ts.
import type { QuarantineKind } from '../gate/contract.js';

export type FeverOutcome = 'collected' | 'escorted-to-clinic' | 'recheck-normal' | 'other';

export interface FeverCase {
  passageId: string;
  /** Wall ms of the refusal. */
  at: number;
  lane?: string;
  /** Who was called (the village doctor, 卫生院, 120 …). */
  called?: string;
  calledAt?: number;
  /** Whom the person was handed over to (the medical service's team, an ambulance …). */
  handedTo?: string;
  handedAt?: number;
  outcome?: FeverOutcome;
  note?: string;
  updatedBy?: string;
  updatedAt?: number;
  secondAlertAt?: number;
}

/** What the volunteer fills in: a tap of "called" or "handed over" stamps its time unless one is given. */
export type FeverUpdate = Pick<FeverCase, 'called' | 'calledAt' | 'handedTo' | 'handedAt' | 'outcome' | 'note'>;

export type QuarantineCause = 'breach' | 'report' | 'admin' | 'release';

export interface QuarantineSignOff {
  /** Who signed the release (the village doctor, the 村支书 …), as written on the form. */
  signedBy: string[];
  /** Wall ms of the negative tests the release rests on (e.g. days 5 and 11). */
  tests: number[];
}

export interface QuarantineChange {
  personId: string;
  cause: QuarantineCause;
  previous: { kind: QuarantineKind; until: number } | null;
  next: { kind: QuarantineKind; until: number } | null;
  passageId?: string;
  signOff?: QuarantineSignOff;
  note?: string;
  at: number;
}

export interface ReturneeReport {
  personId: string;
  /** Where the person came from (a name as in the risk-area list, or any place). */
  from: string;
  /** Wall ms of arrival in the village. */
  arrivedAt: number;
  /** Wall ms of the last negative nucleic-acid test, when shown. */
  testAt?: number;
  /** Health code shown green. */
  greenCode?: boolean;
  vaccinated?: boolean;
}

export interface ReturneeDecision {
  tier: { kind: QuarantineKind; until: number };
  fromRiskArea: boolean;
  /** Why, in both languages, for the kiosk and the audit. */
  text: { zh: string; en: string };
}

export interface DeliveryForm {
  company?: string;
  /** Parcels handed over (default 1). */
  parcels?: number;
  householdId?: string;
  note?: string;
  operatorId?: string;
}

export interface Delivery {
  id: string;
  at: number;
  company?: string;
  parcels: number;
  householdId?: string;
  note?: string;
  recordedBy?: string;
  collectedAt?: number;
  collectedBy?: string;
}
