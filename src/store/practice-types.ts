// The practice at the gate (issue 18): fever cases, health tiers changed at the village, deliveries.
// Types only; re-exported by ./api.ts.
import type { QuarantineKind } from '../gate/contract.js';
import type { Alert } from '../gate/model.js';

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

/** The ledger's part for the practice at the gate (./ledger-practice.ts implements it). */
export interface PracticeLedger {
  // health tiers changed at the village (./quarantine.ts, ./returnee.ts)
  /**
   * Sets, changes or releases (next null, with the sign-off) a person's tier: audited
   * ('quarantine-change') and sent up (kind 'state', type 'quarantine-change'). Undefined: no such person.
   */
  setQuarantine(
    personId: string,
    next: { kind: QuarantineKind; until: number } | null,
    o: { cause: 'admin' | 'release'; signOff?: QuarantineSignOff; note?: string },
    actor: string,
  ): QuarantineChange | undefined;
  /** 报备: applies the policy at once (./returnee.ts), audited and sent up. Undefined: no such person. */
  reportReturnee(report: ReturneeReport, actor: string, policy: { quarantineDays: number; lookbackDays: number }): (ReturneeDecision & { change: QuarantineChange }) | undefined;

  // no-contact deliveries (./deliveries.ts)
  /** 无接触配送: a delivery handed over at the gate (not a passage, not a refusal). Audited ('delivery'). */
  recordDelivery(f: DeliveryForm): Delivery;
  /** The pickup list (waitingOnly) or the deliveries of a time range. */
  deliveries(q?: { waitingOnly?: boolean; from?: number; to?: number; limit?: number }): Delivery[];
  /** Marks a delivery collected by its household. False when unknown or already collected. */
  collectDelivery(id: string, operatorId: string): boolean;

  // fever held at the gate (./fever.ts)
  /** Fever cases: the open ones (not closed with an outcome), or every one since a time. */
  feverCases(q?: { openOnly?: boolean; since?: number; limit?: number }): FeverCase[];
  feverCase(passageId: string): FeverCase | undefined;
  /** Fills in a case (who was called, handed over to whom, outcome): audited and sent up. Undefined when no such case. */
  updateFever(passageId: string, u: FeverUpdate, actor: string): FeverCase | undefined;
  /** The second alert for each case not handed over `withinMs` after the refusal (once per case). */
  raiseUnhandledFevers(withinMs: number): Alert[];
}
