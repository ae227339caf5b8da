// The ledger (台账) as the gate runtime, the kiosk and the MQTT sync see it. Implemented over
// better-sqlite3 by openLedger() in ./ledger.ts. Every method is synchronous: SQLite commits in
// well under a millisecond here and a single writer keeps the order of the outbox.
// Later changes are additive only.
import type { Policy, RosterView, TimeWindow } from '../gate/contract.js';
import type { Alert, AlertKind, AlertSeverity, CodeColour, Direction, Passage, PassageOutcome, ZoneLevel } from '../gate/model.js';
import type { DeclarationLedger } from './declaration-types.js';

// ---------- passages ----------

export interface RecordedPassage {
  /** Per-gate monotonic sequence of the outbox row written with it (never reused). */
  seq: number;
  passage: Passage;
  /** Wall ms when written to the ledger. */
  recordedAt: number;
  clockSynced: boolean;
}

export interface PassageQuery {
  /** Wall ms, inclusive. */
  from?: number;
  /** Wall ms, exclusive. */
  to?: number;
  outcome?: PassageOutcome | PassageOutcome[];
  direction?: Direction;
  lane?: string;
  /** Matches the subject's full name, card/subject id, ID tail (last 4) or plate, each exactly (indexed; see docs/ledger.md). */
  text?: string;
  /** Only passages carrying this reason code. */
  reasonCode?: string;
  /** Newest first; default 100, at most 1000. */
  limit?: number;
  /** Return rows older than this passage seq (paging). */
  beforeSeq?: number;
}

export interface TodayCounts {
  /** Local day 'YYYY-MM-DD' the counts are for. */
  day: string;
  entries: number;
  exits: number;
  /** People inside now: residents and visitors known to be in (anti-passback state). */
  peopleInside: number;
  visitorsInside: number;
  refusals: number;
  refusalsByReason: Record<string, number>;
  feverAlerts: number;
  overrides: number;
}

/** What the gate runtime commits: a decided passage, or an alert raised by the gate or a device. */
export type LedgerDecision = { kind: 'passage'; passage: Passage } | { kind: 'alert'; alert: Alert };

// ---------- outbox ----------

export type OutboxKind = 'passage' | 'alert' | 'report' | 'correction' | 'state' | 'roster-ack';

/** Lower numbers are sent first. */
export const OutboxPriority = { alert: 0, report: 5, passage: 10, other: 20 } as const;

export interface OutboxRow {
  /** Per-gate, strictly increasing, never reused, survives restart. */
  seq: number;
  kind: OutboxKind;
  priority: number;
  /** JSON-ready payload, already minimised (no names or ID numbers unless configured). */
  readonly payload: Record<string, unknown>;
  /** The payload as stored (JSON text), when read from the ledger: the drain sends it without a parse. */
  readonly payloadJson?: string;
  /** Wall ms. */
  createdAt: number;
  clockSynced: boolean;
}

/**
 * Which rows to read (the drain reads each row once instead of from the head every time):
 * - `after`: the rows after this position in the ledger's order (priority, then seq);
 * - `priorityBelow` + `seqAbove`: rows more urgent than the drain's position that were committed
 *   since it last read (seqs only grow, so a row committed later always has a higher seq).
 */
export type OutboxRange = { after: { priority: number; seq: number } } | { priorityBelow: number; seqAbove: number };

// ---------- roster (一户一档) ----------

/** The seven vulnerable groups (七类人), tenants (租户) and other categories the roster records. */
export const PERSON_CATEGORIES = [
  'elderly-alone', // 独居老人
  'pregnant', // 孕产妇
  'disabled', // 残疾人
  'limited-mobility', // 行动不便
  'dialysis', // 透析患者
  'mental-illness', // 精神病患者
  'chronic', // 慢性病患者
  'tenant', // 租户
  'returnee-abroad', // 境外返回
  'close-contact', // 密接
  'secondary-contact', // 次密接
  'risk-area-arrival', // 中高风险地区来(返)人员
  'staff', // 工作人员
  'medical', // 医护
] as const;
export type PersonCategory = (typeof PERSON_CATEGORIES)[number];

export interface HouseholdRecord {
  id: string;
  address: string;
  grid?: string;
  /** 户籍人口 and 实际居住人口. */
  registeredResidents?: number;
  actualResidents?: number;
  note?: string;
  updatedAt?: number;
}

/** A person as written (import, hub, kiosk). The ID number and phone are stored in full. */
export interface PersonInput {
  id: string;
  householdId: string;
  name: string;
  idNumber?: string;
  phone?: string;
  resident?: boolean;
  categories?: string[];
  quarantine?: { kind: 'home' | 'central'; until: number } | null;
  health?: { colour: CodeColour; at: number } | null;
  lastTestAt?: number | null;
  vaccinated?: boolean | null;
  riskTravel?: { area: string; at: number } | null;
}

/** A person as read: ID number and phone masked, never in full. */
export interface PersonRecord {
  id: string;
  householdId: string;
  name: string;
  /** e.g. '3101**********123X'. */
  idNumberMasked?: string;
  idTail?: string;
  /** e.g. '138****5678'. */
  phoneMasked?: string;
  resident: boolean;
  categories: string[];
  quarantine?: { kind: 'home' | 'central'; until: number };
  health?: { colour: CodeColour; at: number };
  lastTestAt?: number;
  vaccinated?: boolean;
  riskTravel?: { area: string; at: number };
  updatedAt: number;
}

export interface PassCardRecord {
  id: string;
  type: 'household' | 'person' | 'vehicle' | 'staff' | 'visitor';
  personId?: string;
  householdId?: string;
  vehiclePlate?: string;
  validity?: TimeWindow[];
  /** Wall ms. */
  issuedAt: number;
  expiresAt?: number;
  revokedAt?: number;
  revokedReason?: string;
  issuedBy?: string;
}

export interface VehiclePermitRecord {
  id: string;
  plate: string;
  householdId?: string;
  validFrom?: number;
  validTo?: number;
  revokedAt?: number;
}

/** A roster change set, applied atomically. `full: true` replaces the whole roster (hub snapshot). */
export interface RosterChange {
  full?: boolean;
  households?: HouseholdRecord[];
  persons?: PersonInput[];
  cards?: Array<Omit<PassCardRecord, 'issuedAt'> & { issuedAt?: number }>;
  vehiclePermits?: VehiclePermitRecord[];
  removeHouseholds?: string[];
  removePersons?: string[];
  removeCards?: string[];
}

export interface RosterApplyResult {
  result: 'applied' | 'stale';
  version: number;
  households: number;
  persons: number;
  cards: number;
}

export interface RosterStats {
  version: number;
  households: number;
  persons: number;
  activeCards: number;
  byCategory: Record<string, number>;
  inQuarantine: number;
}

// ---------- visitors ----------

export interface VisitorForm {
  name: string;
  phone?: string;
  idNumber?: string;
  /** Where the visitor comes from. */
  origin?: string;
  /** Areas visited in the last 14 days. */
  travel: string[];
  hostHouseholdId?: string;
  reason?: string;
  escort?: string;
  plate?: string;
  validity?: TimeWindow[];
  lastTestAt?: number;
  vaccinated?: boolean;
  temperature?: number;
  operatorId?: string;
  /** Optional caller-assigned id; otherwise one is generated. */
  id?: string;
}

export interface VisitorRecord {
  id: string;
  name: string;
  idTail?: string;
  idNumberMasked?: string;
  phoneMasked?: string;
  origin?: string;
  travel: string[];
  hostHouseholdId?: string;
  reason?: string;
  escort?: string;
  plate?: string;
  validity?: TimeWindow[];
  lastTestAt?: number;
  vaccinated?: boolean;
  temperature?: number;
  registeredAt: number;
  registeredBy?: string;
  signedOutAt?: number;
  signedOutBy?: string;
}

// ---------- alerts ----------

export interface AlertRecord {
  alert: Alert;
  seq: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
}

export interface AlertQuery {
  from?: number;
  to?: number;
  kind?: AlertKind | AlertKind[];
  severity?: AlertSeverity;
  unacknowledgedOnly?: boolean;
  limit?: number;
}

// ---------- operators, duty ----------

export type OperatorRole = 'volunteer' | 'admin';

export interface OperatorRecord {
  id: string;
  name: string;
  role: OperatorRole;
  active: boolean;
  createdAt: number;
}

export interface DutyRecord {
  id: number;
  operatorId: string;
  operatorName?: string;
  signedInAt: number;
  signedOutAt?: number;
  note?: string;
}

// ---------- audit ----------

export type AuditAction =
  | 'override'
  | 'export'
  | 'export-full'
  | 'roster-import'
  | 'roster-change'
  | 'card-issue'
  | 'card-revoke'
  | 'config-change'
  | 'policy-change'
  | 'operator-change'
  | 'login'
  | 'login-failed'
  | 'purge'
  | 'visitor-signout'
  | 'alert-ack'
  | (string & {});

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: AuditAction;
  detail: Record<string, unknown>;
}

// ---------- policy ----------

// Payloads sync passes to applyPolicy (from the hub): 'risk-areas' string[], 'zone-level' ZoneLevel,
// 'revocations' string[] (card ids, the full list), 'thresholds' a partial object of
// { feverThreshold, temperatureFloor, riskAreaLookbackDays, nucleicTestMaxAgeHours (number | null),
//   healthStatusMaxAgeMinutes, householdQuotaDays, vaccinationRequired }.
export type PolicyKind = 'risk-areas' | 'zone-level' | 'revocations' | 'authorised' | 'thresholds';

export interface PolicyState {
  kind: PolicyKind;
  version: number;
  payload: unknown;
  appliedAt: number;
}

// ---------- inside state, reports, retention ----------

export interface InsideState {
  /** Subject ids (person/card/visitor) whose last admitted passage was 'in', with its wall ms. */
  inside: Array<{ subjectId: string; kind: string; householdId?: string; since: number }>;
  /** Household id → wall ms of the last admitted 'out' passage of any member. */
  lastOuting: Record<string, number>;
}

export interface DailyReport {
  /** Local day 'YYYY-MM-DD'. */
  day: string;
  gateId: string;
  siteId: string;
  entries: number;
  exits: number;
  visitors: number;
  refusals: number;
  refusalsByReason: Record<string, number>;
  feverAlerts: number;
  peopleInside: number;
  /** 零报告: nothing happened that needs reporting (no refusals, no fever, no alert of note). */
  zeroReport: boolean;
  /** 无疫情天数, see DOMAIN.md / seed 004 篇四. */
  epidemicFreeDays: number;
  zoneLevel: ZoneLevel;
  generatedAt: number;
  clockSynced: boolean;
}

/** A confirmed case or close contact in the compound: the epidemic-free count restarts the day after they leave. */
export interface CaseEvent {
  kind: 'case' | 'suspected' | 'close-contact';
  /** Local day 'YYYY-MM-DD' the case was found. */
  foundDay: string;
  /** Local day they left the compound (transferred out); unset while still in it. */
  leftDay?: string;
  note?: string;
}

export interface PurgeResult {
  cutoff: number;
  passages: number;
  visitors: number;
  alerts: number;
  duty: number;
  audit: number;
  freedPages: number;
}

export interface StorageHealth {
  dbBytes: number;
  walBytes: number;
  freeBytes: number;
  diskLow: boolean;
  outboxDepth: number;
  outboxFull: boolean;
  schemaVersion: number;
  /** False while the last write failed (disk full, I/O error); the gate holds its decisions in memory then. */
  writable: boolean;
  /** Why the last write failed, e.g. 'SQLITE_FULL: database or disk is full'; unset once a write succeeds again. */
  lastWriteError?: string;
  /** Wall ms of the first failed write of the current episode. */
  failingSince?: number;
}

// ---------- exports ----------

export type ExportKind = 'passages' | 'visitors' | 'refusals' | 'alerts' | 'duty';

export interface ExportTable {
  columns: string[];
  rows: Array<Array<string | number>>;
}

// ---------- the ledger ----------

export interface Ledger {
  readonly gateId: string;
  readonly siteId: string;

  // passages
  /** Passage row + its outbox row + its alerts (rows + higher-priority outbox rows) in ONE transaction. */
  recordPassage(p: Passage): { seq: number };
  /** An alert not tied to a passage (device offline, disk full …): alert row + outbox row. */
  recordAlert(a: Alert): { seq: number };
  /**
   * Decisions in the order they were made, all in ONE transaction (group commit: under load one
   * commit carries many decisions). Returns each one's outbox seq; on error none is stored.
   */
  recordDecisions(items: ReadonlyArray<LedgerDecision>): number[];
  passages(q?: PassageQuery): RecordedPassage[];
  passage(id: string): RecordedPassage | undefined;
  todayCounts(now?: number): TodayCounts;

  // outbox (drained by src/sync)
  /** Up to `limit` rows in the ledger's order (priority, then seq), from the head or within `range`. */
  outboxBatch(limit: number, range?: OutboxRange): OutboxRow[];
  /**
   * The outbox rows this connection committed since the previous call, in seq order, handed over
   * in memory so that the drain need not read back rows it was just told about. Undefined when the
   * ledger cannot vouch that no row is missing from them (another process wrote to the outbox, a
   * transaction was rolled back, more than FRESH_ROWS_MAX piled up): read the outbox then. One
   * consumer only (the drain), which calls it right after each read that covered every row, to
   * drop what that read saw.
   */
  outboxFresh(): OutboxRow[] | undefined;
  /** Call only after the broker's PUBACK; acknowledged rows are deleted. */
  outboxAck(seqs: number[]): void;
  outboxDepth(): number;
  /** The hub asked for from..to again: sent rows go back in the outbox; `gone` = seqs purged since. */
  outboxResend(from: number, to: number): { requeued: number; gone: Array<[number, number]> };
  /** Made with the ledger: a wiped ledger has a new one, so the hub keeps the two histories apart. */
  ledgerId(): string;
  enqueue(kind: OutboxKind, payload: Record<string, unknown>, priority?: number): { seq: number };

  // roster
  rosterView(): RosterView;
  rosterVersion(): number;
  /** Apply a change set atomically. With `version`, a version ≤ the current one is 'stale' and changes nothing. */
  applyRoster(change: RosterChange, opts?: { version?: number; actor?: string }): RosterApplyResult;
  households(q?: { text?: string; grid?: string; limit?: number }): HouseholdRecord[];
  persons(q?: { householdId?: string; text?: string; category?: string; quarantined?: boolean; limit?: number }): PersonRecord[];
  person(id: string): PersonRecord | undefined;
  rosterStats(): RosterStats;
  issueCard(card: Omit<PassCardRecord, 'issuedAt'> & { issuedAt?: number }, actor: string): PassCardRecord;
  revokeCard(id: string, reason: string, actor: string): boolean;
  cards(q?: { householdId?: string; personId?: string; includeRevoked?: boolean }): PassCardRecord[];
  vehiclePermits(q?: { householdId?: string }): VehiclePermitRecord[];

  // visitors
  registerVisitor(form: VisitorForm): VisitorRecord;
  /** 销号. False when unknown or already signed out. */
  signOutVisitor(id: string, operatorId?: string): boolean;
  visitorsInside(): VisitorRecord[];
  visitors(q?: { from?: number; to?: number; text?: string; limit?: number }): VisitorRecord[];
  /** Health declarations from visitors' phones (./declarations.ts, docs/declare.md). */
  declarations: DeclarationLedger<VisitorForm, VisitorRecord>;

  // alerts
  alerts(q?: AlertQuery): AlertRecord[];
  acknowledgeAlert(alertId: string, operatorId: string): boolean;
  unacknowledgedAlerts(): number;

  // operators, duty
  createOperator(op: { id: string; name: string; role: OperatorRole; pin: string }, actor: string): OperatorRecord;
  setOperatorPin(id: string, pin: string, actor: string): void;
  setOperatorActive(id: string, active: boolean, actor: string): void;
  /** Constant-time scrypt check; undefined when the operator is unknown, inactive or the PIN is wrong. */
  verifyOperator(id: string, pin: string): OperatorRecord | undefined;
  operators(): OperatorRecord[];
  hasAdmin(): boolean;
  dutySignIn(operatorId: string, note?: string): DutyRecord;
  dutySignOut(operatorId: string): DutyRecord | undefined;
  duty(q?: { from?: number; to?: number; onDutyOnly?: boolean }): DutyRecord[];

  // audit
  audit(actor: string, action: AuditAction, detail?: Record<string, unknown>): void;
  auditLog(q?: { from?: number; to?: number; action?: AuditAction; limit?: number }): AuditEntry[];

  // policy
  /** Atomic; a version ≤ the stored one for that kind is 'stale'. */
  applyPolicy(kind: PolicyKind, version: number, payload: unknown, actor?: string): 'applied' | 'stale';
  policy(): Policy;
  policyStates(): PolicyState[];
  /**
   * Added for sync (hub downlink): health-code colours per person, versioned like policies ('health').
   * Atomic; a version ≤ the stored one is 'stale' and changes nothing. Unknown person ids are listed, not created;
   * per person an older reading never replaces a newer one. Bad entries throw with the entry's number.
   * (Optional in the type so stand-in ledgers of other tests need not implement it; openLedger() does.)
   */
  applyHealth?(updates: Array<{ personId: string; colour: CodeColour; at: number }>, opts: { version: number; actor?: string }): { result: 'applied' | 'stale'; version: number; updated: number; unknown: string[] };

  // state, reports, retention
  insideState(): InsideState;
  recordCase(ev: CaseEvent, actor: string): void;
  cases(): CaseEvent[];
  epidemicFreeDays(day?: string): number;
  dailyReport(day?: string): DailyReport;
  /**
   * Builds the day's report and, in ONE transaction, queues it for the hub (outbox kind 'report',
   * payload `{ type: 'daily-report', ...report }`) and writes 'daily-report' to the audit log.
   */
  queueDailyReport(day?: string, actor?: string, detail?: Record<string, unknown>): { seq: number; report: DailyReport };
  /** Purge personal data older than retentionDays (aggregates kept) and reclaim pages. */
  purge(now?: number): PurgeResult;
  health(): StorageHealth;
  /** Checks free disk space and the outbox cap; raises 'disk-full' / 'outbox-full' alerts (once per episode). */
  checkLimits(): StorageHealth;
  integrityCheck(): string;
  /** When another process (e.g. `gate roster import`) committed to the file, drop the cached roster and policy; true if it did. */
  reloadIfChanged(): boolean;
  /**
   * The rows of a ledger for export, wall ms range [from, to). ID numbers, phones and names are
   * masked unless `full`, which needs an active admin operator and is audited ('export-full').
   * Formatting (CSV/XLSX) is in ./export.ts.
   */
  exportRows(what: ExportKind, q: { from: number; to: number; full?: boolean; operatorId?: string; format?: string }): ExportTable;
  /**
   * WAL housekeeping for the daemon (./checkpointer.ts): SQLite's automatic checkpoint after every
   * commit that leaves `frames` or more in the WAL (0 = off; SQLite's default is 1000).
   */
  setAutoCheckpoint(frames: number): void;
  /** One PASSIVE checkpoint: copies what no reader still needs into the database file, never waits. */
  checkpoint(): { busy: boolean; log: number; checkpointed: number };
  /** Finish, checkpoint the WAL and close. */
  close(): void;
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
}
