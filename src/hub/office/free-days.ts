// 无疫情天数 per compound, set and reset by the office (seed 004 篇四, the rules the gates follow too:
// src/store/reports.ts):
//  1. epidemic-free = X ≥ 1 days in a row without a confirmed or suspected case, a fever case or a close
//     contact not yet released;
//  2. a new confirmed or suspected case restarts the count from the day after they leave the compound
//     for treatment (集中收治之日的第二天); while they are still in it the count is 0;
//  3. a fever of unknown cause does not reset it; once diagnosed as a case it is recorded as one, with
//     the day they were taken away (the restart is then back-dated);
//  4. a close contact restarts it from the day after they were taken to the quarantine site.
// The office sets the count (N days as of a day, e.g. when the hub is installed), records cases, marks
// when they left, voids one recorded in error; every change is audited by the caller.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type CaseEvent, epidemicFreeDaysOn } from '../../store/reports.js';
import { addDays, isDay } from '../../store/time.js';
import type { HubTables } from '../storage/tables.js';

export const CASE_KINDS = ['case', 'suspected', 'close-contact'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export interface CompoundCase {
  id: string;
  site: string;
  kind: CaseKind;
  foundDay: string;
  leftDay: string | null;
  note: string | null;
  recordedBy: string;
  recordedAt: number;
}

export interface CompoundFreeDays {
  site: string;
  /** Null: the office has not set the count for this compound. */
  since: string | null;
  setBy: string | null;
  setAt: number | null;
  /** On the day asked for; null when not set. */
  days: number | null;
  /** Cases found on that day (they make the zero report false). */
  casesFoundThatDay: number;
  /** Cases counted (not voided), newest first. */
  cases: CompoundCase[];
}

export class FreeDaysError extends Error {}

const caseOf = (r: HubTables['compound_cases']): CompoundCase => ({
  id: r.id,
  site: r.site,
  kind: r.kind as CaseKind,
  foundDay: r.found_day,
  leftDay: r.left_day,
  note: r.note,
  recordedBy: r.recorded_by,
  recordedAt: Number(r.recorded_at),
});

export class FreeDays {
  constructor(private readonly db: Kysely<HubTables>) {}

  /** The count of each compound on `day` (small tables: one row per compound, a few cases). */
  async on(sites: string[], day: string): Promise<Map<string, CompoundFreeDays>> {
    const out = new Map<string, CompoundFreeDays>();
    if (sites.length === 0) return out;
    const [set, cases] = await Promise.all([
      this.db.selectFrom('free_days').selectAll().where('site', 'in', sites).execute(),
      this.db.selectFrom('compound_cases').selectAll().where('site', 'in', sites).where('voided_at', 'is', null).orderBy('found_day', 'desc').orderBy('recorded_at', 'desc').execute(),
    ]);
    for (const site of sites) {
      const s = set.find((r) => r.site === site);
      const mine = cases.filter((c) => c.site === site).map(caseOf);
      const events: CaseEvent[] = mine.map((c) => ({ kind: c.kind, foundDay: c.foundDay, ...(c.leftDay ? { leftDay: c.leftDay } : {}) }));
      out.set(site, {
        site,
        since: s?.since ?? null,
        setBy: s?.set_by ?? null,
        setAt: s ? Number(s.set_at) : null,
        days: s ? epidemicFreeDaysOn(day, s.since, events) : null,
        casesFoundThatDay: mine.filter((c) => c.foundDay === day && c.kind !== 'close-contact').length,
        cases: mine.slice(0, 50),
      });
    }
    return out;
  }

  /** "N days free as of `asOf`": the count starts N − 1 days before (N = 0: from the next day). */
  async set(site: string, days: number, asOf: string, by: string, at: number, note?: string): Promise<string> {
    if (!Number.isSafeInteger(days) || days < 0 || days > 36_500) throw new FreeDaysError('days: a whole number from 0');
    if (!isDay(asOf)) throw new FreeDaysError('asOf: YYYY-MM-DD');
    const since = addDays(asOf, 1 - days);
    const row = { since, set_by: by, set_at: at, note: note || null };
    await this.db
      .insertInto('free_days')
      .values({ site, ...row })
      .onConflict((oc) => oc.column('site').doUpdateSet(row))
      .execute();
    return since;
  }

  async recordCase(c: { site: string; kind: CaseKind; foundDay: string; leftDay?: string; note?: string }, by: string, at: number): Promise<CompoundCase> {
    if (!CASE_KINDS.includes(c.kind)) throw new FreeDaysError(`kind: one of ${CASE_KINDS.join(', ')}`);
    if (!isDay(c.foundDay) || (c.leftDay !== undefined && !isDay(c.leftDay))) throw new FreeDaysError('days: YYYY-MM-DD');
    if (c.leftDay && c.leftDay < c.foundDay) throw new FreeDaysError('leftDay: not before the day found');
    const row = { id: randomUUID(), site: c.site, kind: c.kind, found_day: c.foundDay, left_day: c.leftDay ?? null, note: c.note || null, recorded_by: by, recorded_at: at, voided_by: null, voided_at: null };
    await this.db.insertInto('compound_cases').values(row).execute();
    return caseOf(row);
  }

  /** The person left the compound on `leftDay` (taken to treatment or quarantine). */
  async left(id: string, leftDay: string): Promise<CompoundCase> {
    if (!isDay(leftDay)) throw new FreeDaysError('leftDay: YYYY-MM-DD');
    const r = await this.db.selectFrom('compound_cases').selectAll().where('id', '=', id).where('voided_at', 'is', null).executeTakeFirst();
    if (!r) throw new FreeDaysError('no such case');
    if (leftDay < r.found_day) throw new FreeDaysError('leftDay: not before the day found');
    await this.db.updateTable('compound_cases').set({ left_day: leftDay }).where('id', '=', id).execute();
    return caseOf({ ...r, left_day: leftDay });
  }

  /** Recorded in error: kept, no longer counted. */
  async void(id: string, by: string, at: number): Promise<CompoundCase> {
    const r = await this.db.selectFrom('compound_cases').selectAll().where('id', '=', id).where('voided_at', 'is', null).executeTakeFirst();
    if (!r) throw new FreeDaysError('no such case');
    await this.db.updateTable('compound_cases').set({ voided_by: by, voided_at: at }).where('id', '=', id).execute();
    return caseOf(r);
  }
}
