// The daily report (日报), the zero report (零报告) and the epidemic-free-days counter (无疫情天数).
// Reset rule (seed 004, 篇四): a confirmed or suspected case or a close contact restarts the
// count from the day after they leave the compound; while still inside the count is zero.
// A fever of unknown cause does not reset it until diagnosed (then record it as a case).
import type { ZoneLevel } from '../gate/model.js';
import type { StoreCtx } from './db.js';
import type { Passages } from './passages.js';
import type { PolicyStore } from './policy.js';
import { addDays, daysBetween, isDay, localDay, localTime } from './time.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

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
  /** Alerts of note that day (code yellow/red, quarantine breach, risk-area visitor or returnee), beside the zero report. */
  notableAlerts: number;
  /** No-contact deliveries handed over that day, and their parcels. */
  deliveries: number;
  parcels: number;
  /** People of the roster in quarantine (home or central) when the report was made. */
  inQuarantine: number;
  /** People in health monitoring (居家健康监测 or 日常健康监测) when the report was made. */
  inMonitoring: number;
  /** Returnees who reported (报备) at the gate that day. */
  returnees: number;
  /** Confirmed or suspected cases found that day (recorded case events). */
  casesFound: number;
  /** Close contacts found that day. */
  closeContactsFound: number;
  /** 零报告 (seed 002: 无病例零报告): no confirmed or suspected case found that day. Refusals, fevers and alerts are reported beside it. */
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

/** Daily reports, cases and the epidemic-free count. */
export interface ReportLedger {
  recordCase(ev: CaseEvent, actor: string): void;
  cases(): CaseEvent[];
  epidemicFreeDays(day?: string): number;
  dailyReport(day?: string): DailyReport;
  /**
   * Builds the day's report and, in ONE transaction, queues it for the hub (outbox kind 'report',
   * payload `{ type: 'daily-report', ...report }`) and writes 'daily-report' to the audit log.
   */
  queueDailyReport(day?: string, actor?: string, detail?: Record<string, unknown>): { seq: number; report: DailyReport };
}

type CaseRow = { kind: CaseEvent['kind']; found_day: string; left_day: string | null; note: string | null };

export function epidemicFreeDaysOn(day: string, since: string, cases: CaseEvent[]): number {
  let base = since;
  for (const c of cases) {
    if (c.foundDay > day) continue;
    if (!c.leftDay || c.leftDay >= day) return 0;
    const restart = addDays(c.leftDay, 1);
    if (restart > base) base = restart;
  }
  if (base > day) return 0;
  return daysBetween(base, day) + 1;
}

export function createReports(ctx: StoreCtx, passages: Passages, policy: PolicyStore, deliveries: (day: string) => { deliveries: number; parcels: number }, epidemicFreeSince?: string) {
  const { db } = ctx;
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  if (!meta.get('counter_start')) {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('counter_start', epidemicFreeSince ?? localDay(ctx.now(), ctx.timeZone));
  }
  const since = () => epidemicFreeSince ?? (meta.get('counter_start')?.value as string);

  function cases(): CaseEvent[] {
    return db
      .prepare<[], CaseRow>('SELECT kind, found_day, left_day, note FROM cases ORDER BY found_day, id')
      .all()
      .map((r) => ({ kind: r.kind, foundDay: r.found_day, ...(r.left_day ? { leftDay: r.left_day } : {}), ...(r.note ? { note: r.note } : {}) }));
  }

  function recordCase(ev: CaseEvent): void {
    if (!['case', 'suspected', 'close-contact'].includes(ev.kind)) throw new Error('A case event is "case", "suspected" or "close-contact"');
    if (!isDay(ev.foundDay) || (ev.leftDay !== undefined && !isDay(ev.leftDay))) throw new Error('Days are written YYYY-MM-DD');
    if (ev.leftDay && ev.leftDay < ev.foundDay) throw new Error('A person cannot leave before the case was found');
    // The same person found on the same day is updated (e.g. their leaving day is now known).
    const existing = db
      .prepare<[string, string, string], { id: number }>("SELECT id FROM cases WHERE kind = ? AND found_day = ? AND coalesce(note, '') = ? AND left_day IS NULL")
      .get(ev.kind, ev.foundDay, ev.note ?? '');
    if (existing && ev.leftDay) db.prepare('UPDATE cases SET left_day = ? WHERE id = ?').run(ev.leftDay, existing.id);
    else db.prepare('INSERT INTO cases (kind, found_day, left_day, note, recorded_at) VALUES (?, ?, ?, ?, ?)').run(ev.kind, ev.foundDay, ev.leftDay ?? null, ev.note ?? null, ctx.now());
  }

  const counts = db.prepare<[string], Record<string, number>>('SELECT * FROM daily_counts WHERE day = ?');
  const reasons = db.prepare<[string], { code: string; n: number }>('SELECT code, n FROM daily_reasons WHERE day = ?');
  const tiers = db.prepare<[number], { kind: string; n: number }>('SELECT quarantine_kind AS kind, count(*) AS n FROM persons WHERE quarantine_kind IS NOT NULL AND quarantine_until > ? GROUP BY quarantine_kind');
  const reported = db.prepare<[number, number], { n: number }>("SELECT count(*) AS n FROM audit WHERE at >= ? AND at < ? AND action = 'returnee-report'");

  function dailyReport(day = localDay(ctx.now(), ctx.timeZone)): DailyReport {
    if (!isDay(day)) throw new Error(`A report day is written YYYY-MM-DD (got "${day}")`);
    const c = counts.get(day);
    const refusalsByReason: Record<string, number> = {};
    for (const r of reasons.all(day)) refusalsByReason[r.code] = r.n;
    const all = cases();
    const found = all.filter((x) => x.foundDay === day);
    const casesFound = found.filter((x) => x.kind === 'case' || x.kind === 'suspected').length;
    const tier: Record<string, number> = {};
    for (const t of tiers.all(ctx.now())) tier[t.kind] = t.n;
    const report: DailyReport = {
      day,
      gateId: ctx.gateId,
      siteId: ctx.siteId,
      entries: c?.entries ?? 0,
      exits: c?.exits ?? 0,
      visitors: c?.visitors ?? 0,
      refusals: c?.refusals ?? 0,
      refusalsByReason,
      feverAlerts: c?.fever_alerts ?? 0,
      notableAlerts: c?.notable_alerts ?? 0,
      ...deliveries(day),
      inQuarantine: (tier.home ?? 0) + (tier.central ?? 0),
      inMonitoring: (tier.monitoring ?? 0) + (tier.daily ?? 0),
      returnees: reported.get(localTime(day, ctx.timeZone), localTime(addDays(day, 1), ctx.timeZone))?.n ?? 0,
      casesFound,
      closeContactsFound: found.filter((x) => x.kind === 'close-contact').length,
      peopleInside: passages.counts(ctx.now()).peopleInside,
      // 无病例零报告 (seed 002): the zero report is about cases; a courier, a red code or a fever at the gate is reported beside it.
      zeroReport: casesFound === 0,
      epidemicFreeDays: epidemicFreeDaysOn(day, since(), all),
      zoneLevel: policy.current().zoneLevel,
      generatedAt: ctx.now(),
      clockSynced: ctx.synced(),
    };
    return report;
  }

  return { cases, recordCase, dailyReport, epidemicFreeDays: (day = localDay(ctx.now(), ctx.timeZone)) => epidemicFreeDaysOn(day, since(), cases()) };
}
