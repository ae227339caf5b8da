// The ledger's part for the practice at the gate (issue 18): visitors inside and overdue, fever held at
// the gate, health tiers changed at the village (报备, set, release), no-contact deliveries, and policy
// set locally by the admin. Each write in one transaction with its audit row and outbox row.
import type { Alert } from '../gate/model.js';
import type { PolicyLedger } from './policy.js';
import type { PracticeLedger as PracticeLedgerPart } from './practice-types.js';
import type { VisitorLedger } from './visitors.js';
import type { StoreCtx } from './db.js';
import type { Deliveries } from './deliveries.js';
import { type Fever, unhandledFeverAlert } from './fever.js';
import type { Operators } from './operators.js';
import type { Passages } from './passages.js';
import type { PolicyStore } from './policy.js';
import { type Quarantine, validateQuarantineChange } from './quarantine.js';
import { returneeDecision, validateReturneeReport } from './returnee.js';
import type { Roster } from './roster.js';
import { visitEnd } from './visit-window.js';
import type { Visitors } from './visitors.js';

export interface PracticeDeps {
  ctx: StoreCtx;
  write: <T>(fn: () => T) => T;
  changed: (what: 'counts' | 'visitors' | 'roster' | 'policy' | 'alerts' | 'outbox') => void;
  onAlert: (a: Alert) => void;
  isClosed: () => boolean;
  operators: Operators;
  passages: Passages;
  visitors: Visitors;
  roster: Roster;
  policy: PolicyStore;
  fever: Fever;
  quarantine: Quarantine;
  deliveries: Deliveries;
}

export type PracticeLedger = PracticeLedgerPart & Pick<VisitorLedger, 'visitorsOpen' | 'raiseOverdueVisitors'> & Pick<PolicyLedger, 'applyLocalPolicy'>;

export function createPracticeLedger(d: PracticeDeps): PracticeLedger {
  const { ctx, write, changed, operators, passages, visitors, roster, policy, fever, quarantine, deliveries } = d;
  return {
    visitorsOpen: () => visitors.open(),
    setQuarantine: (personId, next, o, actor) => {
      validateQuarantineChange(next, o, ctx.now());
      const c = write(() => {
        const done = quarantine.change({ personId, cause: o.cause, next, ...(o.signOff ? { signOff: o.signOff } : {}), ...(o.note ? { note: o.note } : {}) });
        if (done) operators.audit(actor, 'quarantine-change', { ...done });
        return done;
      });
      if (c) {
        roster.touch({ persons: [personId] });
        changed('roster');
        changed('outbox');
      }
      return c;
    },
    reportReturnee: (report, actor, p) => {
      const now = ctx.now();
      validateReturneeReport(report, now);
      const decision = returneeDecision(report, { ...p, riskAreas: policy.current().riskAreas, timeZone: ctx.timeZone, now });
      const c = write(() => {
        const done = quarantine.change({ personId: report.personId, cause: 'report', next: decision.tier, note: `${report.from}` });
        if (!done) return undefined;
        quarantine.recordTravel(report.personId, decision.fromRiskArea ? { area: report.from.trim(), at: report.arrivedAt } : null, report.testAt, report.vaccinated);
        operators.audit(actor, 'returnee-report', { ...report, decision: decision.tier, fromRiskArea: decision.fromRiskArea });
        operators.audit(actor, 'quarantine-change', { ...done });
        return done;
      });
      if (!c) return undefined;
      roster.touch({ persons: [report.personId] });
      changed('roster');
      changed('outbox');
      return { ...decision, change: c };
    },
    recordDelivery: (f) => {
      const d = write(() => {
        const r = deliveries.record(f);
        operators.audit(f.operatorId ?? 'kiosk', 'delivery', { id: r.id, parcels: r.parcels, ...(r.householdId ? { householdId: r.householdId } : {}) });
        return r;
      });
      changed('counts');
      return d;
    },
    deliveries: (q) => deliveries.list(q),
    collectDelivery: (id, operatorId) => {
      const ok = write(() => deliveries.collect(id, operatorId));
      if (ok) changed('counts');
      return ok;
    },
    feverCases: (q) => fever.list(q),
    feverCase: (passageId) => fever.get(passageId),
    updateFever: (passageId, u, actor) => {
      const c = write(() => {
        const next = fever.update(passageId, u, actor);
        if (next) operators.audit(actor, 'fever-handling', { passageId, ...u });
        return next;
      });
      if (c) {
        changed('alerts');
        changed('outbox');
      }
      return c;
    },
    raiseUnhandledFevers: (withinMs) => {
      const now = ctx.now();
      const due = fever.overdue(now, withinMs).map((c) => unhandledFeverAlert(c, ctx.gateId, now, withinMs));
      if (due.length === 0) return [];
      write(() => {
        for (const a of due) {
          if (!passages.hasAlert(a.id)) passages.recordAlert(a);
          fever.markSecondAlert(a.passageId as string, now);
        }
      });
      for (const a of due) d.onAlert(a);
      changed('alerts');
      changed('outbox');
      return due;
    },
    raiseOverdueVisitors: (overdueMs) => {
      const now = ctx.now();
      const due = visitors
        .inside()
        .filter((v) => now > visitEnd(v, overdueMs, now, ctx.timeZone))
        .map((v): Alert => ({
          id: `${ctx.gateId}-visitor-overdue-${v.id}`,
          kind: 'visitor-overdue',
          severity: 'warning',
          subject: { kind: 'visitor', id: v.id },
          text: { zh: `访客已过访问时段仍未销号（登记于${Math.floor((now - v.registeredAt) / 60_000)}分钟前），请联系带领人核实去向`, en: `Visitor past the visit window and not signed out (registered ${Math.floor((now - v.registeredAt) / 60_000)} min ago); check with the escort where they are` },
          at: now,
          detail: { registeredAt: v.registeredAt, overdueMinutes: Math.round(overdueMs / 60_000), ...(v.hostHouseholdId ? { hostHouseholdId: v.hostHouseholdId } : {}) },
        }))
        .filter((a) => !passages.hasAlert(a.id));
      if (due.length === 0) return [];
      write(() => {
        for (const a of due) passages.recordAlert(a);
      });
      for (const a of due) d.onAlert(a);
      changed('alerts');
      changed('outbox');
      return due;
    },
    applyLocalPolicy: (kind, payload, actor) => {
      if (d.isClosed()) throw new Error('The ledger is closed');
      const version = policy.applyLocal(kind, payload);
      operators.audit(actor, 'policy-change', { kind, version, local: true });
      changed('policy');
      const s = policy.states().find((x) => x.kind === kind);
      if (!s) throw new Error(`The ${kind} policy was not stored`);
      return { ...s, version };
    },
  };
}
