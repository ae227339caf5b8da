// The office's alert feed across gates: what each gate raised, joined with what the office did about
// it (acknowledged by whom, when, with what note; assigned; closed with an outcome). Critical and
// unacknowledged first, then newest. Bounded: the open ones and the last `limit` closed.
import { type Kysely, sql } from 'kysely';
import { ALERT_KINDS } from '../../gate/text.js';
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
  /** The kind in words (the gate's catalogue, src/gate/text.ts); an unknown kind as itself. */
  kindText: { zh: string; en: string };
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

// Literals, not parameters: the planners use a partial index only when they see its condition.
/** Not closed (partial indexes alerts_open, alerts_open_gate). */
const OPEN = sql<boolean>`a.office_state < 2`;
/** Not acknowledged (partial index alerts_unacked): what keeps the alarm sounding. */
const UNACKED = sql<boolean>`a.office_state = 0`;
const RANK: Record<string, number> = { critical: 0, warning: 1 };

const FEED_COLUMNS = ['a.site', 'a.gate', 'a.history', 'a.seq', 'a.at', 'a.alert_id', 'a.kind', 'a.severity', 'a.lane', 'a.data', 'x.acked_by', 'x.acked_at', 'x.note', 'x.assigned_to', 'x.closed_by', 'x.closed_at', 'x.outcome', 'x.escalated_at'] as const;


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
    // Each severity newest first along alerts_open (no sort of every open alert), at most 1000 of each;
    // then critical first, unacknowledged first, newest first.
    const bySeverity = (q: ReturnType<AlertDesk['base']>) => (o.site ? q.where('a.site', '=', o.site) : q).orderBy('a.at', 'desc').limit(1000).execute();
    // The latest closings first (alert_actions (closed_at)), then their alerts by key: never the year's alerts.
    let latest = this.db.selectFrom('alert_actions').selectAll().where('closed_at', 'is not', null);
    if (o.site) latest = latest.where('site', '=', o.site);
    const closed = this.db
      .selectFrom(latest.orderBy('closed_at', 'desc').limit(Math.max(1, Math.min(200, o.closedLimit ?? 20))).as('x'))
      .innerJoin('alerts as a', (j) => j.onRef('a.site', '=', 'x.site').onRef('a.gate', '=', 'x.gate').onRef('a.history', '=', 'x.history').onRef('a.seq', '=', 'x.seq'))
      .select(FEED_COLUMNS);
    const parts = await Promise.all([
      bySeverity(this.base().where(OPEN).where('a.severity', '=', 'critical')),
      bySeverity(this.base().where(OPEN).where('a.severity', '=', 'warning')),
      // The gate's severities are these three (src/gate/model.ts); the writer files any other as a warning.
      bySeverity(this.base().where(OPEN).where('a.severity', '=', 'info')),
    ]);
    const rank = (r: { severity: string | null }) => RANK[r.severity ?? ''] ?? 2;
    const openRows = parts
      .flat()
      .sort((x, y) => rank(x) - rank(y) || (x.acked_at === null ? 0 : 1) - (y.acked_at === null ? 0 : 1) || Number(y.at) - Number(x.at))
      .slice(0, 1000);
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
    const r = await this.db.selectFrom('alerts as a').select(sql<number>`count(*)`.as('n')).where(UNACKED).where('a.severity', '=', 'critical').executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Open alerts per gate ("site/gate" → count). */
  async openByGate(): Promise<Map<string, { open: number; unackedCritical: number }>> {
    const [open, unacked] = await Promise.all([
      this.db.selectFrom('alerts as a').select(['a.site', 'a.gate', sql<number>`count(*)`.as('n')]).where(OPEN).groupBy(['a.site', 'a.gate']).execute(),
      this.db.selectFrom('alerts as a').select(['a.site', 'a.gate', sql<number>`count(*)`.as('n')]).where(UNACKED).where('a.severity', '=', 'critical').groupBy(['a.site', 'a.gate']).execute(),
    ]);
    const out = new Map(open.map((r) => [`${r.site}/${r.gate}`, { open: Number(r.n), unackedCritical: 0 }]));
    for (const r of unacked) {
      const c = out.get(`${r.site}/${r.gate}`);
      if (c) c.unackedCritical = Number(r.n);
    }
    return out;
  }

  private async upsert(k: AlertKey, set: Partial<Omit<HubTables['alert_actions'], keyof AlertKey>>, db: Kysely<HubTables> = this.db): Promise<void> {
    await db
      .insertInto('alert_actions')
      .values({ site: k.site, gate: k.gate, history: k.history, seq: k.seq, acked_by: null, acked_at: null, note: null, assigned_to: null, closed_by: null, closed_at: null, outcome: null, escalated_at: null, ...set })
      .onConflict((oc) => oc.columns(['site', 'gate', 'history', 'seq']).doUpdateSet(set))
      .execute();
  }

  /** Keeps the alert's office_state (1 acknowledged, 2 closed; it never goes back) beside alert_actions. */
  private async setState(db: Kysely<HubTables>, k: AlertKey, state: 1 | 2): Promise<void> {
    await db.updateTable('alerts').set({ office_state: state }).where('site', '=', k.site).where('gate', '=', k.gate).where('history', '=', k.history).where('seq', '=', k.seq).where('office_state', '<', state).execute();
  }

  /** Critical alerts received before `before`, not acknowledged and not yet escalated. */
  async dueForEscalation(before: number): Promise<FeedAlert[]> {
    const rows = await this.base().where(UNACKED).where('a.severity', '=', 'critical').where('x.escalated_at', 'is', null).where('a.received_at', '<', before).orderBy('a.received_at').limit(100).execute();
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
    await this.db.transaction().execute(async (trx) => {
      await this.setState(trx, k, 1);
      await this.upsert(k, { acked_by: by, acked_at: at, note }, trx);
    });
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
      await this.setState(trx, k, 2);
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
    kindText: (ALERT_KINDS as Record<string, { zh: string; en: string } | undefined>)[r.kind as string] ?? { zh: String(r.kind ?? '?'), en: String(r.kind ?? '?') },
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
