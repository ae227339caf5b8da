// The ledger (台账) as the gate runtime, the kiosk and the MQTT sync see it. Each concern declares
// its part beside its implementation (passages.ts, outbox.ts, roster.ts, visitors.ts, operators.ts,
// policy.ts, reports.ts, retention.ts, export-rows.ts); Ledger composes them. Implemented over
// better-sqlite3 by openLedger() in ./ledger.ts. Every method is synchronous: SQLite commits in well
// under a millisecond here and a single writer keeps the order of the outbox.
// Later changes are additive only.
import type { Alert, ZoneLevel } from '../gate/model.js';
import type { DeclarationLedger } from './declaration-types.js';
import type { ExportLedger } from './export-rows.js';
import type { OperatorLedger } from './operators.js';
import type { OutboxLedger } from './outbox.js';
import type { PassageLedger } from './passages.js';
import type { PolicyLedger } from './policy.js';
import type { ReportLedger } from './reports.js';
import type { RetentionLedger } from './retention.js';
import type { RosterLedger } from './roster.js';
import type { PracticeLedger } from './practice-types.js';
import type { VisitorForm, VisitorLedger, VisitorRecord } from './visitors.js';

export type { AlertQuery, AlertRecord, InsideState, LedgerDecision, PassageLedger, PassageQuery, RecordedPassage, TodayCounts } from './passages.js';
export type { OutboxKind, OutboxLedger, OutboxRange, OutboxRow } from './outbox.js';
export { OutboxPriority } from './outbox.js';
export type { HouseholdRecord, PassCardRecord, PersonCategory, PersonInput, PersonRecord, RosterApplyResult, RosterChange, RosterLedger, RosterStats, VehiclePermitRecord } from './roster.js';
export { PERSON_CATEGORIES } from './roster.js';
export type { VisitorDetails, VisitorForm, VisitorLedger, VisitorRecord } from './visitors.js';
export type { AuditAction, AuditEntry, DutyRecord, OperatorLedger, OperatorRecord, OperatorRole } from './operators.js';
export type { PolicyKind, PolicyLedger, PolicyState } from './policy.js';
export type { CaseEvent, DailyReport, ReportLedger } from './reports.js';
export type { PurgeResult, RetentionLedger, StorageHealth } from './retention.js';
export type { ExportCell, ExportKind, ExportLedger, ExportTable, ExportTime } from './export-rows.js';
export type { Delivery, DeliveryForm, FeverCase, FeverOutcome, FeverUpdate, PracticeLedger, QuarantineCause, QuarantineChange, QuarantineSignOff, ReturneeDecision, ReturneeReport } from './practice-types.js';

/** The database file itself: integrity, another process's commits, WAL housekeeping, closing. */
export interface LedgerFile {
  integrityCheck(): string;
  /** When another connection (e.g. `gate roster import`) committed to the file, drop the cached policy and re-read the roster in the background ('roster' changes once read); true if it did. */
  reloadIfChanged(): boolean;
  /**
   * WAL housekeeping for the daemon (./checkpointer.ts): SQLite's automatic checkpoint after every
   * commit that leaves `frames` or more in the WAL (0 = off; SQLite's default is 1000).
   */
  setAutoCheckpoint(frames: number): void;
  /**
   * Whether a write now would find SQLite's writer lock free of the downlink worker's transactions
   * (./writer-signal.ts); asking says the gate wants the lock, until its next write.
   */
  writerFree?(): boolean;
  /** One PASSIVE checkpoint: copies what no reader still needs into the database file, never waits. */
  checkpoint(): { busy: boolean; log: number; checkpointed: number };
  /** Finish, checkpoint the WAL and close. */
  close(): void;
}

export interface Ledger extends PassageLedger, OutboxLedger, RosterLedger, VisitorLedger, OperatorLedger, PolicyLedger, ReportLedger, RetentionLedger, ExportLedger, PracticeLedger, LedgerFile {
  readonly gateId: string;
  readonly siteId: string;
  /** Health declarations from visitors' phones (./declarations.ts, docs/declare.md). */
  declarations: DeclarationLedger<VisitorForm, VisitorRecord>;
}

export interface OpenLedgerOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  clock: { now(): number; synced(): boolean };
  logger?: import('pino').Logger;
  gateId: string;
  siteId: string;
  retentionDays?: number;
  outboxCap?: number;
  minFreeBytes?: number;
  /** IANA time zone for local days (daily report, today's counts); default the process zone. */
  timeZone?: string;
  /** Put names in outbox payloads (default false: ids and ID tails only). */
  uplinkNames?: boolean;
  /** Default policy before the hub sends one. */
  defaultZoneLevel?: ZoneLevel;
  /**
   * A hard cap on the database file (PRAGMA max_page_count), e.g. to leave room on a shared card.
   * Past it writes fail like a full disk (SQLITE_FULL). Default: no cap.
   */
  maxBytes?: number;
  /** SQLite `synchronous` in WAL mode; see docs/storage.md. Default 'FULL'. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Called after a committed change that screens should re-read (the store feature emits bus `ledger.changed`). */
  onChange?: (what: 'counts' | 'visitors' | 'roster' | 'policy' | 'alerts' | 'outbox') => void;
  /** Called after the ledger itself raised and committed an alert (disk-full, outbox-full). */
  onAlert?: (alert: Alert) => void;
  /** First day of the epidemic-free count ('YYYY-MM-DD'); default: the day the ledger was created. */
  epidemicFreeSince?: string;
  /**
   * A quarantine breach restarts home or central quarantine from the breach day for this many days
   * (seed 004: 自外出之日起重新计算隔离时间); false: the end date stays. Default 14.
   */
  breachRestartDays?: number | false;
}
