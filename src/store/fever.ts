// Fever at the gate is held, not sent away (seed 002: 由工作队联系医疗机构上门收治，严禁自行乘车).
// Each fever refusal opens a case beside its passage; the volunteer fills it in with taps (who was
// called, when, handed over to whom, the outcome). Every change is audited by the caller and sent up
// as a 'correction' of the passage; a case not handed over in time raises a second alert.
import type { Alert, Passage } from '../gate/model.js';
import type { FeverCase, FeverOutcome, FeverUpdate } from './practice-types.js';
import { OutboxPriority } from './outbox.js';
import type { StoreCtx } from './db.js';
import type { Outbox } from './outbox.js';

export const FEVER_OUTCOMES: readonly FeverOutcome[] = ['collected', 'escorted-to-clinic', 'recheck-normal', 'other'];



type Row = {
  passage_id: string;
  at: number;
  lane: string | null;
  called: string | null;
  called_at: number | null;
  handed_to: string | null;
  handed_at: number | null;
  outcome: string | null;
  note: string | null;
  updated_by: string | null;
  updated_at: number | null;
  second_alert_at: number | null;
};

function toCase(r: Row): FeverCase {
  const c: FeverCase = { passageId: r.passage_id, at: r.at };
  if (r.lane) c.lane = r.lane;
  if (r.called) c.called = r.called;
  if (r.called_at !== null) c.calledAt = r.called_at;
  if (r.handed_to) c.handedTo = r.handed_to;
  if (r.handed_at !== null) c.handedAt = r.handed_at;
  if (r.outcome) c.outcome = r.outcome as FeverOutcome;
  if (r.note) c.note = r.note;
  if (r.updated_by) c.updatedBy = r.updated_by;
  if (r.updated_at !== null) c.updatedAt = r.updated_at;
  if (r.second_alert_at !== null) c.secondAlertAt = r.second_alert_at;
  return c;
}

export function validateFeverUpdate(u: FeverUpdate, now: number): void {
  for (const k of ['called', 'handedTo', 'note'] as const) if (u[k] !== undefined && (typeof u[k] !== 'string' || u[k].length > 200)) throw new Error(`"${k}" must be text of at most 200 characters`);
  for (const k of ['calledAt', 'handedAt'] as const) if (u[k] !== undefined && !(Number.isInteger(u[k]) && (u[k] as number) <= now + 60_000)) throw new Error(`"${k}" must be a time that has passed`);
  if (u.outcome !== undefined && !FEVER_OUTCOMES.includes(u.outcome)) throw new Error(`The outcome is one of ${FEVER_OUTCOMES.join(', ')}`);
}

export function createFever(ctx: StoreCtx, outbox: Outbox) {
  const { db } = ctx;
  const ins = db.prepare('INSERT OR IGNORE INTO fever_cases (passage_id, at, lane) VALUES (?, ?, ?)');
  const get = db.prepare<[string], Row>('SELECT * FROM fever_cases WHERE passage_id = ?');
  const open = db.prepare<[number], Row>('SELECT * FROM fever_cases WHERE outcome IS NULL ORDER BY at DESC LIMIT ?');
  const recent = db.prepare<[number, number], Row>('SELECT * FROM fever_cases WHERE at >= ? ORDER BY at DESC LIMIT ?');
  const upd = db.prepare(`UPDATE fever_cases SET called = @called, called_at = @called_at, handed_to = @handed_to, handed_at = @handed_at,
    outcome = @outcome, note = @note, updated_by = @updated_by, updated_at = @updated_at WHERE passage_id = @passage_id`);
  const unhanded = db.prepare<[number], Row>('SELECT * FROM fever_cases WHERE outcome IS NULL AND handed_at IS NULL AND second_alert_at IS NULL AND at <= ? ORDER BY at');
  const marked = db.prepare('UPDATE fever_cases SET second_alert_at = ? WHERE passage_id = ?');

  return {
    /** In the passage's transaction: a fever refusal opens its case. */
    openFor(p: Passage): void {
      if (p.alerts.some((a) => a.kind === 'fever')) ins.run(p.id, p.decidedAt, p.lane);
    },
    get: (passageId: string) => {
      const r = get.get(passageId);
      return r ? toCase(r) : undefined;
    },
    list: (q: { openOnly?: boolean; since?: number; limit?: number } = {}) =>
      (q.openOnly ? open.all(q.limit ?? 100) : recent.all(q.since ?? 0, q.limit ?? 100)).map(toCase),
    /** In the caller's transaction: the case updated and its outbox row. Undefined when there is no such case. */
    update(passageId: string, u: FeverUpdate, actor: string): FeverCase | undefined {
      const now = ctx.now();
      validateFeverUpdate(u, now);
      const r = get.get(passageId);
      if (!r) return undefined;
      const c = toCase(r);
      const next: FeverCase = {
        ...c,
        ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)),
        // Tapping "called" or "handed over" stamps the time unless one is given.
        ...(u.called !== undefined && u.calledAt === undefined && c.calledAt === undefined ? { calledAt: now } : {}),
        ...(u.handedTo !== undefined && u.handedAt === undefined && c.handedAt === undefined ? { handedAt: now } : {}),
        updatedBy: actor,
        updatedAt: now,
      };
      upd.run({
        passage_id: passageId,
        called: next.called ?? null,
        called_at: next.calledAt ?? null,
        handed_to: next.handedTo ?? null,
        handed_at: next.handedAt ?? null,
        outcome: next.outcome ?? null,
        note: next.note ?? null,
        updated_by: actor,
        updated_at: now,
      });
      outbox.insert('correction', { type: 'fever-handling', ...next }, OutboxPriority.alert);
      return next;
    },
    /** Cases neither handed over nor closed `withinMs` after the refusal, with no second alert yet. */
    overdue: (now: number, withinMs: number) => unhanded.all(now - withinMs).map(toCase),
    markSecondAlert: (passageId: string, at: number) => void marked.run(at, passageId),
  };
}

export type Fever = ReturnType<typeof createFever>;

/** The second alert for a fever not handed over in time. */
export function unhandledFeverAlert(c: FeverCase, gateId: string, now: number, withinMs: number): Alert {
  const minutes = Math.round((now - c.at) / 60_000);
  return {
    id: `${gateId}-fever-unhandled-${c.passageId}`,
    kind: 'fever-unhandled',
    severity: 'critical',
    passageId: c.passageId,
    ...(c.lane ? { lane: c.lane } : {}),
    at: now,
    text: {
      zh: `发热人员已在卡口等候 ${minutes} 分钟仍未交接${c.called ? `（已联系：${c.called}）` : '（尚未记录联系了谁）'}：请工作队立即联系医疗机构上门收治，严禁自行离开`,
      en: `A person with fever has waited at the gate ${minutes} min and is not handed over${c.called ? ` (called: ${c.called})` : ' (nobody recorded as called)'}: the work team must get the medical service now; they must not leave alone`,
    },
    detail: { waitedMinutes: minutes, limitMinutes: Math.round(withinMs / 60_000), called: c.called !== undefined },
  };
}
