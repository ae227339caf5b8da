// Turning what the ledger knows (store's InsideState shape) into the core's start state, with the
// same presence keys the core uses for anti-passback.
import type { GateSeed } from './core.js';
import { presenceKey } from './identify.js';
import type { SubjectKind } from './model.js';

export interface LedgerInside {
  inside: ReadonlyArray<{ subjectId: string; kind: string }>;
  lastOuting: Readonly<Record<string, number>>;
  monitoringOutings?: ReadonlyArray<readonly [string, number]>;
}

export function gateSeedFrom(state: LedgerInside): GateSeed {
  return {
    inside: state.inside.map(({ subjectId, kind }) => {
      // An ID-number subject is the roster person's id, or a masked number for someone not on the roster.
      const personId = kind === 'resident-id' && !subjectId.includes('*') ? subjectId : undefined;
      return presenceKey({ kind: kind as SubjectKind, id: subjectId, ...(personId ? { personId } : {}) });
    }),
    householdOutings: Object.entries(state.lastOuting),
    ...(state.monitoringOutings ? { monitoringOutings: state.monitoringOutings } : {}),
  };
}
