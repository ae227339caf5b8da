// What the gate will do with a declared person, from the risk-area list alone: the same words on the
// visitor's phone (the hub's page) and on the kiosk, so the phone never promises what the gate refuses.
import type { Text } from './model.js';
import { REASONS } from './text.js';

export type DeclarationOutcome = 'ok' | 'escort' | 'refuse' | 'quarantine';

export interface OutcomeResult {
  outcome: DeclarationOutcome;
  /** The declared places found on the risk-area list. */
  risky: string[];
  text: Text;
}

export const OUTCOME_TEXT: Record<DeclarationOutcome, Text> = {
  ok: { zh: '可以进入：到卡口测体温、戴好口罩', en: 'You may enter: temperature and mask at the gate' },
  escort: { zh: '可以进入，须由专人陪同：到卡口测体温、戴好口罩，等候陪同人', en: 'You may enter with an escort: temperature and mask at the gate, then wait for your escort' },
  refuse: { zh: REASONS['risk.visitor'].zh, en: REASONS['risk.visitor'].en },
  quarantine: { zh: REASONS['risk.returnee'].zh, en: REASONS['risk.returnee'].en },
};

/** `places`: where they come from and where they stayed in the look-back period. */
export function declarationOutcome(kind: 'visit' | 'return', places: readonly string[], riskAreas: readonly string[], escortRequired: boolean): OutcomeResult {
  const list = new Set(riskAreas);
  const risky = [...new Set(places.filter((p) => list.has(p)))];
  const outcome: DeclarationOutcome = risky.length ? (kind === 'visit' ? 'refuse' : 'quarantine') : kind === 'visit' && escortRequired ? 'escort' : 'ok';
  return { outcome, risky, text: OUTCOME_TEXT[outcome] };
}
