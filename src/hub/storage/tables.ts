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
  /**
   * What the office did, kept on the alert for its partial indexes (the open and the unacknowledged ones
   * are found without reading the year's alerts): 0 not acknowledged, 1 acknowledged, 2 closed.
   */
  office_state: Generated<number>;
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

export interface OfficeUserTable {
  id: Generated<number>;
  name: string;
  display: string;
  role: string;
  /** scrypt$N$r$p$salt$hash (base64url). */
  password: string;
  created_at: number;
  disabled: number;
}

export interface OfficeSessionTable {
  /** sha256 of the cookie's token: a copied database holds no usable session. */
  token_hash: string;
  user_id: number;
  csrf: string;
  created_at: number;
  last_seen: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  user_name: string;
  action: string;
  target: string;
  /** JSON text. */
  detail: string;
  address: string | null;
}

/** What the office did with one alert (keyed as the alert row). */
export interface AlertActionTable {
  site: string;
  gate: string;
  history: number;
  seq: number;
  acked_by: string | null;
  acked_at: number | null;
  note: string | null;
  assigned_to: string | null;
  closed_by: string | null;
  closed_at: number | null;
  outcome: string | null;
  /** When it was escalated (critical, not acknowledged within office.escalateAfterMinutes). */
  escalated_at: number | null;
}

/** One versioned update the office sent to a compound's gates (retained on <site>/cmd/<kind>). */
export interface DownlinkTable {
  id: string;
  site: string;
  kind: string;
  version: number;
  /** The message as published (JSON text). */
  body: string;
  /** What it says, for the history (JSON text: {level} or {areas: n, sample}). */
  summary: string;
  /** The gates expected to answer, JSON ["g1", …]. */
  gates: string;
  sent_by: string;
  sent_at: number;
}

/** How often the office sent an update again to a gate that had not answered it, and when last. */
export interface DownlinkResendTable {
  downlink_id: string;
  gate: string;
  count: number;
  last_at: number;
}

export interface DownlinkAnswerTable {
  downlink_id: string;
  gate: string;
  result: string;
  /** JSON [{code, zh, en}]. */
  reasons: string;
  at: number;
}

/** 无疫情天数 per compound, set by the office: counted from `since` (seed 004 篇四). */
export interface FreeDaysTable {
  site: string;
  /** The first epidemic-free day, 'YYYY-MM-DD'. */
  since: string;
  set_by: string;
  set_at: number;
  note: string | null;
}

/** A confirmed or suspected case or a close contact the office recorded for a compound: the count restarts the day after they leave. */
export interface CompoundCaseTable {
  id: string;
  site: string;
  kind: string;
  found_day: string;
  /** The day they left the compound (taken to treatment or quarantine); null while still in it. */
  left_day: string | null;
  note: string | null;
  recorded_by: string;
  recorded_at: number;
  /** Recorded in error: no longer counted (kept for the audit). */
  voided_by: string | null;
  voided_at: number | null;
}

export interface HubTables {
  free_days: FreeDaysTable;
  compound_cases: CompoundCaseTable;
  downlinks: DownlinkTable;
  downlink_answers: DownlinkAnswerTable;
  downlink_resends: DownlinkResendTable;
  office_users: OfficeUserTable;
  office_sessions: OfficeSessionTable;
  audit_log: AuditTable;
  alert_actions: AlertActionTable;
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
