// A person's health tier changed at the village, without waiting for the hub: a breach that restarts
// home quarantine (seed 004: 私自外出的，自外出之日起重新计算隔离时间), a returnee's 报备, an admin's
// set / change / release with the sign-off the practice asks (seed 002: 共同签字确认后解除隔离; seed 003:
// tests on days 5 and 11). Each change is in the caller's transaction, with its outbox row for the hub
// (kind 'state', `type: quarantine-change`); the caller audits it.
import { CONFINED, type QuarantineKind } from '../gate/contract.js';
import type { Passage } from '../gate/model.js';
import type { QuarantineCause, QuarantineChange, QuarantineSignOff } from './practice-types.js';
import { OutboxPriority } from './outbox.js';
import type { StoreCtx } from './db.js';
import type { Outbox } from './outbox.js';
import { maskName } from './mask.js';
import { addDays, localDay, localTime } from './time.js';




/**
 * An admin's change: a tier needs a future end; a release (next null) needs the sign-off the practice
 * asks — at least one signer and the two negative tests (days 5 and 11), both past and on different days.
 */
export function validateQuarantineChange(next: { kind: QuarantineKind; until: number } | null, o: { cause: QuarantineCause; signOff?: QuarantineSignOff }, now: number): void {
  if (next) {
    if (!['home', 'central', 'monitoring', 'daily'].includes(next.kind)) throw new Error('The tier is home, central, monitoring or daily');
    if (!Number.isInteger(next.until) || next.until <= now) throw new Error('The tier needs an end in the future (until)');
    return;
  }
  const s = o.signOff;
  const signers = (s?.signedBy ?? []).map((x) => x.trim()).filter(Boolean);
  if (signers.length === 0) throw new Error('A release needs who signed it (共同签字确认后解除隔离): signedBy');
  const tests = [...new Set((s?.tests ?? []).map((t) => Math.floor(t / 86_400_000)))];
  if ((s?.tests ?? []).length < 2 || tests.length < 2) throw new Error('A release needs the two negative tests on different days (days 5 and 11): tests');
  if ((s?.tests ?? []).some((t) => !Number.isInteger(t) || t > now + 60_000)) throw new Error('The test days of a release must have passed');
}

type Row = { quarantine_kind: string | null; quarantine_until: number | null; household_id: string; name: string; id_tail: string | null };

/** The end of a tier of `days` days started on the local day of `at` (through that last day, inclusive). */
export function tierEnd(at: number, days: number, timeZone: string): number {
  return localTime(addDays(localDay(at, timeZone), days), timeZone);
}

export function createQuarantine(ctx: StoreCtx, outbox: Outbox) {
  const { db } = ctx;
  const get = db.prepare<[string], Row>('SELECT quarantine_kind, quarantine_until, household_id, name, id_tail FROM persons WHERE id = ?');
  const set = db.prepare('UPDATE persons SET quarantine_kind = ?, quarantine_until = ?, updated_at = ? WHERE id = ?');
  const setTravel = db.prepare('UPDATE persons SET risk_area = coalesce(?, risk_area), risk_at = coalesce(?, risk_at), last_test_at = coalesce(?, last_test_at), vaccinated = coalesce(?, vaccinated), updated_at = ? WHERE id = ?');

  function current(personId: string): { kind: QuarantineKind; until: number } | null | undefined {
    const r = get.get(personId);
    if (!r) return undefined;
    return r.quarantine_kind && r.quarantine_until !== null && r.quarantine_until > ctx.now() ? { kind: r.quarantine_kind as QuarantineKind, until: r.quarantine_until } : null;
  }

  function change(c: Omit<QuarantineChange, 'previous' | 'at'>): QuarantineChange | undefined {
    const previous = current(c.personId);
    if (previous === undefined) return undefined;
    const at = ctx.now();
    set.run(c.next?.kind ?? null, c.next?.until ?? null, at, c.personId);
    const done: QuarantineChange = { ...c, previous, at };
    // The office's quarantine register says who: the name masked and the ID tail, never more.
    const who = get.get(c.personId) as Row;
    outbox.insert('state', { type: 'quarantine-change', ...done, householdId: who.household_id, nameMasked: maskName(who.name), ...(who.id_tail ? { idTail: who.id_tail } : {}) }, OutboxPriority.alert);
    return done;
  }

  return {
    current,
    change,
    /** What a 报备 recorded about the person: the travel (when from a risk area), the test and the vaccination. */
    recordTravel(personId: string, riskArea: { area: string; at: number } | null, testAt?: number, vaccinated?: boolean): void {
      setTravel.run(riskArea?.area ?? null, riskArea?.at ?? null, testAt ?? null, vaccinated === undefined ? null : vaccinated ? 1 : 0, ctx.now(), personId);
    },
    /**
     * A quarantine-breach passage of a person in home or central quarantine restarts it from that day:
     * the end becomes the breach day + `days` (never earlier than it was). Undefined when nothing changed.
     */
    restartOnBreach(p: Passage, days: number): QuarantineChange | undefined {
      const personId = p.subject?.personId;
      if (!personId || !p.alerts.some((a) => a.kind === 'quarantine-breach')) return undefined;
      const q = current(personId);
      if (!q || !CONFINED.includes(q.kind)) return undefined;
      const until = Math.max(q.until, tierEnd(p.decidedAt, days, ctx.timeZone));
      if (until === q.until) return undefined;
      return change({ personId, cause: 'breach', next: { kind: q.kind, until }, passageId: p.id });
    },
  };
}

export type Quarantine = ReturnType<typeof createQuarantine>;
