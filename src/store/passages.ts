// Passages: the row, its outbox row, its alerts and the aggregates, all in the caller's transaction.
import type { AlertKind, AlertSeverity, Direction } from '../gate/model.js';
import { OutboxPriority } from './outbox.js';
import type { Alert, Passage, PassageOutcome } from '../gate/model.js';
import { json, type StoreCtx } from './db.js';
import type { Outbox } from './outbox.js';
import { localDay } from './time.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

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

export interface InsideState {
  /** Subject ids (person/card/visitor) whose last admitted passage was 'in', with its wall ms. */
  inside: Array<{ subjectId: string; kind: string; householdId?: string; since: number }>;
  /** Household id → wall ms of the last admitted 'out' passage of any member. */
  lastOuting: Record<string, number>;
}

/** What the gate commits and the kiosk reads back: passages, alerts and who is inside. */
export interface PassageLedger {
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
  alerts(q?: AlertQuery): AlertRecord[];
  acknowledgeAlert(alertId: string, operatorId: string): boolean;
  unacknowledgedAlerts(): number;
  insideState(): InsideState;
}

const PASSED: PassageOutcome[] = ['admitted', 'overridden'];
/** Alerts that make a day not a "zero report" day. */
const NOTABLE = new Set(['fever', 'code-yellow', 'code-red', 'quarantine-breach', 'risk-area-visitor', 'risk-area-returnee']);

export interface PassageOptions {
  /** Put subject names into uplink payloads. */
  uplinkNames: boolean;
}

export function passagePayload(p: Passage, o: PassageOptions): Record<string, unknown> {
  const s = p.subject;
  return {
    type: 'passage',
    id: p.id,
    lane: p.lane,
    direction: p.direction,
    subject: s ? { kind: s.kind, id: s.id, householdId: s.householdId, personId: s.personId, ...(o.uplinkNames && s.name ? { name: s.name } : {}) } : null,
    celsius: p.temperatures.at(-1)?.celsius ?? null,
    colour: p.colour,
    mask: p.mask,
    outcome: p.outcome,
    reasons: p.reasons.map((r) => r.code),
    operatorId: p.operatorId,
    overrideReason: p.overrideReason,
    flags: p.flags,
    zoneLevel: p.zoneLevel,
    startedAt: p.startedAt,
    decidedAt: p.decidedAt,
    clockSynced: p.clockSynced,
  };
}

export function alertPayload(a: Alert, o: PassageOptions): Record<string, unknown> {
  const s = a.subject;
  return {
    type: 'alert',
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    lane: a.lane,
    passageId: a.passageId,
    subject: s ? { kind: s.kind, id: s.id, householdId: s.householdId, ...(o.uplinkNames && s.name ? { name: s.name } : {}) } : undefined,
    text: a.text,
    at: a.at,
    detail: a.detail,
  };
}

type PassageRow = { seq: number; data: string; recorded_at: number; clock_synced: number };

export function createPassages(ctx: StoreCtx, outbox: Outbox, o: PassageOptions) {
  const { db } = ctx;
  const byId = db.prepare<[string], { seq: number }>('SELECT seq FROM passages WHERE id = ?');
  const alertById = db.prepare<[string], { seq: number }>('SELECT seq FROM alerts WHERE id = ?');
  const insPassage = db.prepare(`INSERT INTO passages (seq, id, lane, direction, subject_kind, subject_id, household_id, person_id, name, id_tail, plate,
    outcome, reasons, colour, mask, celsius, operator_id, override_reason, decided_at, recorded_at, clock_synced, data)
    VALUES (@seq, @id, @lane, @direction, @subject_kind, @subject_id, @household_id, @person_id, @name, @id_tail, @plate,
    @outcome, @reasons, @colour, @mask, @celsius, @operator_id, @override_reason, @decided_at, @recorded_at, @clock_synced, @data)`);
  const insAlert = db.prepare('INSERT INTO alerts (id, seq, kind, severity, lane, passage_id, at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const bump = (col: string) =>
    db.prepare(`INSERT INTO daily_counts (day, ${col}) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET ${col} = ${col} + 1`);
  const bumps = {
    entries: bump('entries'),
    exits: bump('exits'),
    refusals: bump('refusals'),
    overrides: bump('overrides'),
    abandoned: bump('abandoned'),
    visitors: bump('visitors'),
    fever_alerts: bump('fever_alerts'),
    notable_alerts: bump('notable_alerts'),
  };
  const bumpReason = db.prepare('INSERT INTO daily_reasons (day, code, n) VALUES (?, ?, 1) ON CONFLICT(day, code) DO UPDATE SET n = n + 1');
  const presence = db.prepare(`INSERT INTO presence (subject_id, kind, household_id, direction, at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(subject_id) DO UPDATE SET kind = excluded.kind, household_id = excluded.household_id, direction = excluded.direction, at = excluded.at
    WHERE excluded.at >= presence.at`);
  const outing = db.prepare(`INSERT INTO household_outings (household_id, at) VALUES (?, ?)
    ON CONFLICT(household_id) DO UPDATE SET at = max(at, excluded.at)`);
  const visitorOut = db.prepare('UPDATE visitors SET signed_out_at = ?, signed_out_by = ? WHERE id = ? AND signed_out_at IS NULL');

  function insertAlert(a: Alert): number {
    const seq = outbox.insert('alert', alertPayload(a, o), OutboxPriority.alert);
    insAlert.run(a.id, seq, a.kind, a.severity, a.lane ?? null, a.passageId ?? null, a.at, JSON.stringify(a));
    const day = localDay(a.at, ctx.timeZone);
    if (a.kind === 'fever') bumps.fever_alerts.run(day);
    if (NOTABLE.has(a.kind)) bumps.notable_alerts.run(day);
    return seq;
  }

  function record(p: Passage): number {
    const existing = byId.get(p.id);
    if (existing) return existing.seq;
    const seq = outbox.insert('passage', passagePayload(p, o), OutboxPriority.passage);
    const s = p.subject;
    insPassage.run({
      seq,
      id: p.id,
      lane: p.lane,
      direction: p.direction,
      subject_kind: s?.kind ?? null,
      subject_id: s?.id ?? null,
      household_id: s?.householdId ?? null,
      person_id: s?.personId ?? null,
      name: s?.name ?? null,
      id_tail: s?.idTail?.toUpperCase() ?? null,
      plate: s?.vehiclePlate ?? null,
      outcome: p.outcome,
      reasons: p.reasons.map((r) => r.code).join(','),
      colour: p.colour,
      mask: p.mask == null ? null : p.mask ? 1 : 0,
      celsius: p.temperatures.at(-1)?.celsius ?? null,
      operator_id: p.operatorId ?? null,
      override_reason: p.overrideReason ?? null,
      decided_at: p.decidedAt,
      recorded_at: ctx.now(),
      clock_synced: p.clockSynced ? 1 : 0,
      data: JSON.stringify(p),
    });
    for (const a of p.alerts) if (!alertById.get(a.id)) insertAlert({ ...a, passageId: a.passageId ?? p.id });
    const day = localDay(p.decidedAt, ctx.timeZone);
    const passed = PASSED.includes(p.outcome);
    if (passed) (p.direction === 'in' ? bumps.entries : bumps.exits).run(day);
    if (p.outcome === 'overridden') bumps.overrides.run(day);
    if (p.outcome === 'abandoned') bumps.abandoned.run(day);
    if (p.outcome === 'refused') {
      bumps.refusals.run(day);
      for (const code of new Set(p.reasons.map((r) => r.code))) bumpReason.run(day, code);
    }
    if (passed && s && s.kind !== 'courier' && s.kind !== 'unknown') {
      presence.run(s.personId ?? s.id, s.kind, s.householdId ?? null, p.direction, p.decidedAt);
      if (p.direction === 'out' && s.householdId) outing.run(s.householdId, p.decidedAt);
      if (p.direction === 'out' && (s.kind === 'visitor' || s.kind === 'visitor-id')) visitorOut.run(p.decidedAt, p.operatorId ?? 'gate', s.personId ?? s.id);
    }
    return seq;
  }

  function recordAlert(a: Alert): number {
    return alertById.get(a.id)?.seq ?? insertAlert(a);
  }

  function toRecorded(r: PassageRow): RecordedPassage {
    return { seq: r.seq, passage: JSON.parse(r.data) as Passage, recordedAt: r.recorded_at, clockSynced: r.clock_synced === 1 };
  }

  function query(q: PassageQuery = {}): RecordedPassage[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.from !== undefined) where.push('decided_at >= ?') && args.push(q.from);
    if (q.to !== undefined) where.push('decided_at < ?') && args.push(q.to);
    if (q.beforeSeq !== undefined) where.push('seq < ?') && args.push(q.beforeSeq);
    if (q.direction) where.push('direction = ?') && args.push(q.direction);
    if (q.lane) where.push('lane = ?') && args.push(q.lane);
    if (q.outcome) {
      const list = Array.isArray(q.outcome) ? q.outcome : [q.outcome];
      where.push(`outcome IN (${list.map(() => '?').join(',')})`);
      args.push(...list);
      // Lets SQLite use the partial index passages_not_admitted (migration 4).
      if (!list.includes('admitted')) where.push("outcome <> 'admitted'");
    }
    if (q.reasonCode) where.push("(',' || reasons || ',') LIKE ?") && args.push(`%,${q.reasonCode},%`);
    const limit = Math.max(1, Math.min(1000, q.limit ?? 100));
    const text = q.text?.trim();
    let sql: string;
    if (text) {
      // One indexed lookup per way of naming a subject, merged newest first. INDEXED BY: without
      // statistics SQLite may drive "name = ? AND outcome = 'refused'" from the outcome index and
      // read thousands of refusals (235 ms at 2M passages) instead of one person's few hundred rows.
      // Each way is its own query, newest first from its (column, seq) index; merged here. (Inside
      // one UNION, SQLite sorted every part in a temp b-tree: 60–120 ms for a common name at 2M rows.)
      const base = where.length ? ` AND ${where.join(' AND ')}` : '';
      const seqs = new Set<number>();
      const lookup = (index: string, cond: string, v: unknown) => {
        const rows = db.prepare<unknown[], { seq: number }>(`SELECT seq FROM passages INDEXED BY ${index} WHERE ${cond}${base} ORDER BY seq DESC LIMIT ${limit}`).all(v, ...args);
        for (const r of rows) seqs.add(r.seq);
      };
      // With an outcome filter that leaves out admitted passages (refusals, overrides…), the partial
      // indexes of schema version 5 hold only those rows: no passage of the person is read in vain.
      const notAdmitted = where.includes("outcome <> 'admitted'");
      if (/^[\dXx]{4}$/.test(text)) lookup('passages_tail', 'id_tail = ?', text.toUpperCase());
      lookup(notAdmitted ? 'passages_subject_not_admitted' : 'passages_subject', 'subject_id = ?', text);
      lookup(notAdmitted ? 'passages_name_not_admitted' : 'passages_name', 'name = ?', text);
      lookup('passages_plate', 'plate = ?', text.toUpperCase());
      const picked = [...seqs].sort((a, b) => b - a).slice(0, limit);
      if (picked.length === 0) return [];
      sql = `SELECT seq, data, recorded_at, clock_synced FROM passages WHERE seq IN (${picked.map(() => '?').join(',')}) ORDER BY seq DESC`;
      return db.prepare<unknown[], PassageRow>(sql).all(...picked).map(toRecorded);
    }
    // Pick the seqs first (a date range is then answered from the decided_at index alone), read the rows after.
    sql = `SELECT seq, data, recorded_at, clock_synced FROM passages WHERE seq IN (SELECT seq FROM passages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}) ORDER BY seq DESC`;
    return db.prepare<unknown[], PassageRow>(sql).all(...args).map(toRecorded);
  }

  const oneById = db.prepare<[string], PassageRow>('SELECT seq, data, recorded_at, clock_synced FROM passages WHERE id = ?');
  const dayCounts = db.prepare<[string], Record<string, number>>('SELECT * FROM daily_counts WHERE day = ?');
  const dayReasons = db.prepare<[string], { code: string; n: number }>('SELECT code, n FROM daily_reasons WHERE day = ?');
  const insideCount = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM presence WHERE direction = 'in' AND kind NOT IN ('visitor', 'visitor-id')");
  const visitorsInside = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM visitors WHERE signed_out_at IS NULL');

  function counts(now: number): TodayCounts {
    const day = localDay(now, ctx.timeZone);
    const c = dayCounts.get(day);
    const refusalsByReason: Record<string, number> = {};
    for (const r of dayReasons.all(day)) refusalsByReason[r.code] = r.n;
    const visitors = visitorsInside.get()?.n ?? 0;
    return {
      day,
      entries: c?.entries ?? 0,
      exits: c?.exits ?? 0,
      peopleInside: (insideCount.get()?.n ?? 0) + visitors,
      visitorsInside: visitors,
      refusals: c?.refusals ?? 0,
      refusalsByReason,
      feverAlerts: c?.fever_alerts ?? 0,
      overrides: c?.overrides ?? 0,
    };
  }

  const presenceAll = db.prepare<[], { subject_id: string; kind: string; household_id: string | null; at: number }>(
    "SELECT subject_id, kind, household_id, at FROM presence WHERE direction = 'in'",
  );
  const outingsAll = db.prepare<[], { household_id: string; at: number }>('SELECT household_id, at FROM household_outings');

  function insideState(): InsideState {
    const lastOuting: Record<string, number> = {};
    for (const r of outingsAll.all()) lastOuting[r.household_id] = r.at;
    return {
      inside: presenceAll.all().map((r) => ({ subjectId: r.subject_id, kind: r.kind, since: r.at, ...(r.household_id ? { householdId: r.household_id } : {}) })),
      lastOuting,
    };
  }

  function alerts(q: AlertQuery = {}): AlertRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.from !== undefined) where.push('at >= ?') && args.push(q.from);
    if (q.to !== undefined) where.push('at < ?') && args.push(q.to);
    if (q.severity) where.push('severity = ?') && args.push(q.severity);
    if (q.unacknowledgedOnly) where.push('ack_at IS NULL');
    if (q.kind) {
      const list = Array.isArray(q.kind) ? q.kind : [q.kind];
      where.push(`kind IN (${list.map(() => '?').join(',')})`);
      args.push(...list);
    }
    const limit = Math.max(1, Math.min(5000, q.limit ?? 200));
    const rows = db
      .prepare<unknown[], { seq: number; data: string; ack_at: number | null; ack_by: string | null }>(
        `SELECT seq, data, ack_at, ack_by FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT ${limit}`,
      )
      .all(...args);
    return rows.map((r) => ({ alert: json<Alert>(r.data, {} as Alert), seq: r.seq, ...(r.ack_at != null ? { acknowledgedAt: r.ack_at } : {}), ...(r.ack_by != null ? { acknowledgedBy: r.ack_by } : {}) }));
  }

  const ack = db.prepare('UPDATE alerts SET ack_at = ?, ack_by = ? WHERE id = ? AND ack_at IS NULL');
  const unacked = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts WHERE ack_at IS NULL');

  return {
    record,
    recordAlert,
    query,
    one: (id: string) => {
      const r = oneById.get(id);
      return r ? toRecorded(r) : undefined;
    },
    counts,
    insideState,
    alerts,
    acknowledge: (id: string, operatorId: string) => ack.run(ctx.now(), operatorId, id).changes > 0,
    unacknowledged: () => unacked.get()?.n ?? 0,
    bumpVisitors: (day: string) => bumps.visitors.run(day),
  };
}

export type Passages = ReturnType<typeof createPassages>;
