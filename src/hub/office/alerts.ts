// The office's alert feed across gates: what each gate raised, joined with what the office did about
// it (acknowledged by whom, when, with what note; assigned; closed with an outcome). Critical and
// unacknowledged first, then newest. Bounded: the open ones and the last `limit` closed.
import { type Kysely, sql } from 'kysely';
import type { HubTables } from '../storage/tables.js';

export const OUTCOMES = ['retest-normal', 'taken-to-clinic', 'home-isolation', 'false-alarm', 'other'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AlertKey {
  site: string;
  gate: string;
  history: number;
  seq: number;
}

export interface FeedAlert extends AlertKey {
  id: string;
  at: number;
  kind: string;
  severity: string;
  lane: string | null;
  data: Record<string, unknown>;
  ackedBy: string | null;
  ackedAt: number | null;
  note: string | null;
  assignedTo: string | null;
  closedBy: string | null;
  closedAt: number | null;
  outcome: string | null;
  escalatedAt: number | null;
  /** A fever alert: the hand-over the gate recorded (who was called, who collected the person, the outcome). */
  handover?: FeverHandover;
}

export interface FeverHandover {
  called?: string;
  calledAt?: number;
  handedTo?: string;
  handedAt?: number;
  /** The gate's outcome: collected, escorted-to-clinic, recheck-normal, other. */
  outcome?: string;
  note?: string;
  updatedBy?: string;
  updatedAt?: number;
}

export const alertRef = (k: AlertKey) => `${k.site}/${k.gate}/${k.history}/${k.seq}`;

/** A literal, not a parameter: the planners use the partial index alerts_open only when they see `office_closed = 0`. */
const OPEN = sql<boolean>`a.office_closed = 0`;

const FEED_COLUMNS = ['a.site', 'a.gate', 'a.history', 'a.seq', 'a.at', 'a.alert_id', 'a.kind', 'a.severity', 'a.lane', 'a.data', 'x.acked_by', 'x.acked_at', 'x.note', 'x.assigned_to', 'x.closed_by', 'x.closed_at', 'x.outcome', 'x.escalated_at'] as const;

const SEVERITY_ORDER = sql<number>`case a.severity when 'critical' then 0 when 'warning' then 1 else 2 end`;

export class AlertDesk {
  constructor(private readonly db: Kysely<HubTables>) {}

  private base() {
    return this.db
      .selectFrom('alerts as a')
      .leftJoin('alert_actions as x', (j) => j.onRef('x.site', '=', 'a.site').onRef('x.gate', '=', 'a.gate').onRef('x.history', '=', 'a.history').onRef('x.seq', '=', 'a.seq'))
      .select(FEED_COLUMNS);
  }

  /** Open alerts (not closed), critical and unacknowledged first; then the latest closed ones. */
  async feed(o: { site?: string; closedLimit?: number } = {}): Promise<{ open: FeedAlert[]; closed: FeedAlert[] }> {
    let open = this.base().where(OPEN);
    // The latest closings first (alert_actions (closed_at)), then their alerts by key: never the year's alerts.
    let latest = this.db.selectFrom('alert_actions').selectAll().where('closed_at', 'is not', null);
    if (o.site) {
      open = open.where('a.site', '=', o.site);
      latest = latest.where('site', '=', o.site);
    }
    const closed = this.db
      .selectFrom(latest.orderBy('closed_at', 'desc').limit(Math.max(1, Math.min(200, o.closedLimit ?? 20))).as('x'))
      .innerJoin('alerts as a', (j) => j.onRef('a.site', '=', 'x.site').onRef('a.gate', '=', 'x.gate').onRef('a.history', '=', 'x.history').onRef('a.seq', '=', 'x.seq'))
      .select(FEED_COLUMNS);
    const openRows = await open
      .orderBy(SEVERITY_ORDER)
      .orderBy(sql`case when x.acked_at is null then 0 else 1 end`)
      .orderBy('a.at', 'desc')
      .limit(1000)
      .execute();
    const closedRows = await closed.orderBy('x.closed_at', 'desc').execute();
    const out = { open: openRows.map(view), closed: closedRows.map(view) };
    await this.attachHandovers([...out.open, ...out.closed]);
    return out;
  }

  /**
   * The gate sends each change of a fever case as a correction (type 'fever-handling', keyed by the
   * passage); the latest one per passage goes on its fever alerts. Read by time from the earliest of
   * those alerts on (the corrections' `at` index): a fever case changes after its alert.
   */
  async attachHandovers(alerts: FeedAlert[]): Promise<void> {
    const fevers = alerts.filter((a) => a.kind.startsWith('fever') && typeof a.data.passageId === 'string');
    if (fevers.length === 0) return;
    const since = Math.min(...fevers.map((a) => a.at));
    const rows = await this.db.selectFrom('corrections').select(['site', 'gate', 'at', 'data']).where('at', '>=', since).where('type', '=', 'fever-handling').orderBy('at').limit(5000).execute();
    const latest = new Map<string, FeverHandover>();
    for (const r of rows) {
      let d: Record<string, unknown>;
      try {
        d = JSON.parse(r.data) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof d.passageId !== 'string') continue;
      const h: FeverHandover = {};
      for (const k of ['called', 'handedTo', 'outcome', 'note', 'updatedBy'] as const) if (typeof d[k] === 'string') h[k] = (d[k] as string).slice(0, 200);
      for (const k of ['calledAt', 'handedAt', 'updatedAt'] as const) if (typeof d[k] === 'number') h[k] = d[k] as number;
      latest.set(`${r.site}/${r.gate}/${d.passageId}`, h);
    }
    for (const a of fevers) {
      const h = latest.get(`${a.site}/${a.gate}/${a.data.passageId as string}`);
      if (h) a.handover = h;
    }
  }

  async get(k: AlertKey): Promise<FeedAlert | undefined> {
    const r = await this.base().where('a.site', '=', k.site).where('a.gate', '=', k.gate).where('a.history', '=', k.history).where('a.seq', '=', k.seq).executeTakeFirst();
    if (!r) return undefined;
    const a = view(r);
    await this.attachHandovers([a]);
    return a;
  }

  /** Unacknowledged critical alerts: what keeps the alarm sounding. */
  async unackedCritical(): Promise<number> {
    // A closed alert is acknowledged (closing acknowledges), so the unacknowledged ones are open.
    const r = await this.base().clearSelect().select(sql<number>`count(*)`.as('n')).where(OPEN).where('a.severity', '=', 'critical').where('x.acked_at', 'is', null).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Open alerts per gate ("site/gate" → count). */
  async openByGate(): Promise<Map<string, { open: number; unackedCritical: number }>> {
    const rows = await this.base()
      .clearSelect()
      .select(['a.site', 'a.gate', sql<number>`count(*)`.as('n'), sql<number>`sum(case when a.severity = 'critical' and x.acked_at is null then 1 else 0 end)`.as('c')])
      .where(OPEN)
      .groupBy(['a.site', 'a.gate'])
      .execute();
    return new Map(rows.map((r) => [`${r.site}/${r.gate}`, { open: Number(r.n), unackedCritical: Number(r.c) }]));
  }

  private async upsert(k: AlertKey, set: Partial<Omit<HubTables['alert_actions'], keyof AlertKey>>, db: Kysely<HubTables> = this.db): Promise<void> {
    await db
      .insertInto('alert_actions')
      .values({ site: k.site, gate: k.gate, history: k.history, seq: k.seq, acked_by: null, acked_at: null, note: null, assigned_to: null, closed_by: null, closed_at: null, outcome: null, escalated_at: null, ...set })
      .onConflict((oc) => oc.columns(['site', 'gate', 'history', 'seq']).doUpdateSet(set))
      .execute();
  }

  /** Critical alerts received before `before`, not acknowledged and not yet escalated. */
  async dueForEscalation(before: number): Promise<FeedAlert[]> {
    const rows = await this.base().where(OPEN).where('a.severity', '=', 'critical').where('x.acked_at', 'is', null).where('x.escalated_at', 'is', null).where('a.received_at', '<', before).orderBy('a.received_at').limit(100).execute();
    return rows.map(view);
  }

  async markEscalated(k: AlertKey, at: number): Promise<void> {
    await this.upsert(k, { escalated_at: at });
  }

  /** Acknowledges once: a second acknowledgement keeps the first one's who and when, and says so. */
  async ack(k: AlertKey, by: string, note: string, at: number): Promise<'acked' | 'already'> {
    const cur = await this.get(k);
    if (!cur) throw new Error('no such alert');
    if (cur.ackedAt) return 'already';
    await this.upsert(k, { acked_by: by, acked_at: at, note });
    return 'acked';
  }

  async assign(k: AlertKey, to: string): Promise<void> {
    if (!(await this.get(k))) throw new Error('no such alert');
    await this.upsert(k, { assigned_to: to });
  }

  /** Closing acknowledges too, when nobody had. */
  async close(k: AlertKey, by: string, outcome: Outcome, note: string, at: number): Promise<void> {
    const cur = await this.get(k);
    if (!cur) throw new Error('no such alert');
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set({ office_closed: 1 }).where('site', '=', k.site).where('gate', '=', k.gate).where('history', '=', k.history).where('seq', '=', k.seq).execute();
      await this.upsert(
        k,
        {
          closed_by: by,
          closed_at: at,
          outcome,
          ...(cur.ackedAt ? {} : { acked_by: by, acked_at: at }),
          note: [cur.note, note].filter(Boolean).join(' / ') || null,
        },
        trx,
      );
    });
  }
}

function view(r: Record<string, unknown>): FeedAlert {
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(r.data as string) as Record<string, unknown>;
  } catch {}
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    site: r.site as string,
    gate: r.gate as string,
    history: Number(r.history),
    seq: Number(r.seq),
    id: (r.alert_id as string | null) ?? '',
    at: Number(r.at),
    kind: (r.kind as string | null) ?? 'unknown',
    severity: (r.severity as string | null) ?? 'info',
    lane: (r.lane as string | null) ?? null,
    data,
    ackedBy: (r.acked_by as string | null) ?? null,
    ackedAt: num(r.acked_at),
    note: (r.note as string | null) ?? null,
    assignedTo: (r.assigned_to as string | null) ?? null,
    closedBy: (r.closed_by as string | null) ?? null,
    closedAt: num(r.closed_at),
    outcome: (r.outcome as string | null) ?? null,
    escalatedAt: num(r.escalated_at),
  };
}
