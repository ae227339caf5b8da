// The ledger's events on the bus: what was committed to it, and that something in it changed.
import type { Config } from '../config/schema.js';
import type { Alert, Passage } from '../gate/model.js';
import type { DaemonContext } from '../kernel/feature.js';

export type LedgerChange = 'counts' | 'visitors' | 'roster' | 'policy' | 'alerts' | 'outbox';

export interface LedgerEvents {
  /** Committed to the ledger. */
  'passage.decided': { passage: Passage; seq: number };
  /** Committed to the ledger. */
  'alert.raised': { alert: Alert };
  /** Counts, visitors, roster or policy changed; listeners re-read what they show. */
  'ledger.changed': { what: LedgerChange };
}

export type StoreContext = DaemonContext<LedgerEvents, Config>;
