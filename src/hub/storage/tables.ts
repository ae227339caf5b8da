// The hub's tables as Kysely sees them. Every record a gate sends is one row keyed
// (site, gate, history, seq): `history` numbers the gate's ledgers, so a gate whose ledger was
// wiped (its seqs start again at 1) gets a new history and both are kept apart (docs/hub.md).
import type { Generated } from 'kysely';

/** Columns every record table has. */
export interface RecordBase {
  site: string;
  gate: string;
  history: number;
  seq: number;
  /** When the gate wrote it (its wall clock, ms). */
  at: number;
  clock_synced: number;
  received_at: number;
  /** The message's `data`, as JSON text. */
  data: string;
}

export interface PassageTable extends RecordBase {
  passage_id: string | null;
  lane: string | null;
  direction: string | null;
  outcome: string | null;
  subject_kind: string | null;
}

export interface AlertTable extends RecordBase {
  alert_id: string | null;
  kind: string | null;
  severity: string | null;
  lane: string | null;
}

export interface DailyReportTable extends RecordBase {
  day: string | null;
}

/** Visitor registrations and sign-outs, corrections, quarantine changes, device events, downlink results. */
export interface TypedRecordTable extends RecordBase {
  type: string | null;
}

export interface HistoryTable {
  id: Generated<number>;
  site: string;
  gate: string;
  /** The gate's ledger id ('' for a gate that sends none). */
  ledger: string;
  first_seen: number;
  last_seen: number;
  /** Seqs held, as JSON ranges [[from, to], …]. */
  held: string;
  /** Seqs the gate answered it no longer has (purged by its retention), as JSON ranges. */
  gone: string;
  /** The highest seq the gate said it committed (its retained state and counts). */
  highest_reported: number;
  /** The last retained state and counts messages, as JSON text. */
  state: string | null;
  counts: string | null;
}

export interface RejectTable {
  id: Generated<number>;
  received_at: number;
  reason: string;
  detail: string;
  topic: string;
  site: string | null;
  gate: string | null;
  seq: number | null;
  bytes: number;
  /** The first bytes of the payload (at most 256), as text. */
  excerpt: string;
  /** Messages this row stands for (a flood episode is one row). */
  count: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface HubTables {
  hub_meta: MetaTable;
  histories: HistoryTable;
  passages: PassageTable;
  alerts: AlertTable;
  daily_reports: DailyReportTable;
  visitor_events: TypedRecordTable;
  corrections: TypedRecordTable;
  quarantine_changes: TypedRecordTable;
  device_events: TypedRecordTable;
  downlink_results: TypedRecordTable;
  rejects: RejectTable;
}

export const RECORD_TABLES = ['passages', 'alerts', 'daily_reports', 'visitor_events', 'corrections', 'quarantine_changes', 'device_events', 'downlink_results'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];
export const TYPED_TABLES = ['visitor_events', 'corrections', 'quarantine_changes', 'device_events', 'downlink_results'] as const;
