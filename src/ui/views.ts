// What the kiosk shows of the ledger: names, ID numbers and phones masked, nothing more than the
// screen needs. Every object that leaves the server for the page goes through one of these.
import type { DeviceHealth } from '../devices/events.js';
import type { LaneView } from '../runtime/runtime-api.js';
import type { Alert, Passage, Subject } from '../gate/model.js';
import type { AlertRecord, PersonRecord, RecordedPassage, VisitorRecord } from '../store/api.js';
import { maskName } from '../store/mask.js';

export interface SubjectView {
  kind: Subject['kind'];
  id: string;
  name?: string;
  idTail?: string;
  plate?: string;
  householdId?: string;
}

export function subjectView(s: Subject | null | undefined): SubjectView | null {
  if (!s) return null;
  const v: SubjectView = { kind: s.kind, id: s.kind === 'resident-id' && s.id.length > 8 ? `****${s.id.slice(-4)}` : s.id };
  if (s.name) v.name = maskName(s.name);
  if (s.idTail) v.idTail = s.idTail;
  if (s.vehiclePlate) v.plate = s.vehiclePlate;
  if (s.householdId) v.householdId = s.householdId;
  return v;
}

export function passageView(p: Partial<Passage> & { id: string }, seq?: number) {
  return {
    id: p.id,
    seq,
    lane: p.lane,
    direction: p.direction,
    subject: subjectView(p.subject),
    temperatures: (p.temperatures ?? []).map((t) => ({ celsius: t.celsius, source: t.source })),
    colour: p.colour ?? null,
    mask: p.mask ?? null,
    outcome: p.outcome,
    reasons: (p.reasons ?? []).map((r) => ({ code: r.code, zh: r.zh, en: r.en })),
    flags: p.flags ?? [],
    operatorId: p.operatorId,
    startedAt: p.startedAt,
    decidedAt: p.decidedAt,
  };
}
export type PassageView = ReturnType<typeof passageView>;

export function recordedView(r: RecordedPassage, withOverrideReason = false) {
  const v = passageView(r.passage, r.seq);
  return withOverrideReason && r.passage.overrideReason ? { ...v, overrideReason: r.passage.overrideReason } : v;
}

export function laneView(l: LaneView) {
  return { id: l.id, name: l.name, direction: l.direction, stage: l.stage, passage: l.passage ? passageView(l.passage) : null, prompt: l.prompt ?? null };
}

export function alertView(a: Alert, ack?: { at?: number; by?: string }) {
  return { id: a.id, kind: a.kind, severity: a.severity, lane: a.lane, passageId: a.passageId, subject: subjectView(a.subject), text: a.text, at: a.at, detail: a.detail ?? {}, acknowledgedAt: ack?.at, acknowledgedBy: ack?.by };
}

export const alertRecordView = (r: AlertRecord) => alertView(r.alert, { ...(r.acknowledgedAt ? { at: r.acknowledgedAt } : {}), ...(r.acknowledgedBy ? { by: r.acknowledgedBy } : {}) });

export function visitorView(v: VisitorRecord, overdueMs: number, now: number) {
  return {
    id: v.id,
    name: maskName(v.name),
    idNumber: v.idNumberMasked,
    phone: v.phoneMasked,
    origin: v.origin,
    travel: v.travel,
    hostHouseholdId: v.hostHouseholdId,
    reason: v.reason,
    escort: v.escort === undefined ? undefined : maskName(v.escort),
    plate: v.plate,
    temperature: v.temperature,
    registeredAt: v.registeredAt,
    signedOutAt: v.signedOutAt,
    overdue: v.signedOutAt === undefined && now - v.registeredAt > overdueMs,
  };
}

export function personView(p: PersonRecord) {
  return {
    id: p.id,
    householdId: p.householdId,
    name: maskName(p.name),
    idNumber: p.idNumberMasked,
    phone: p.phoneMasked,
    resident: p.resident,
    categories: p.categories,
    quarantine: p.quarantine,
    health: p.health,
    lastTestAt: p.lastTestAt,
    vaccinated: p.vaccinated,
    riskTravel: p.riskTravel,
  };
}

export const deviceView = (d: DeviceHealth) => ({ id: d.id, kind: d.kind, lane: d.lane, driver: d.driver, state: d.state, detail: d.detail, since: d.since });
