// The rules that depend only on who is at the gate, the direction, the zone level and the time —
// checked at the scan, so a person who may not pass is turned back before any measuring.
// Temperature, mask and health code are checked by the passage machine (passage.ts).
import type { RulesConfig } from './config.js';
import { CONFINED, type Policy, type RosterPerson } from './contract.js';
import type { Identity } from './identify.js';
import type { AlertKind, AlertSeverity, Direction, Reason } from './model.js';
import { reason } from './text.js';
import { inWindows, localDayNumber } from './time-window.js';

const DAY_MS = 86_400_000;

export interface RuleEnv {
  rules: RulesConfig;
  policy: Policy;
  now: number;
  timeZone: string;
  /** Presence keys of cards/people inside (anti-passback). */
  inside: ReadonlySet<string>;
  /** Wall ms of each household's last admitted outing. */
  outings: ReadonlyMap<string, number>;
  /** Admitted outings today of a person in 居家健康监测. */
  monitoringOutings: (personId: string) => number;
}

export interface AlertSpec {
  kind: AlertKind;
  severity: AlertSeverity;
  reason: Reason;
  detail?: Record<string, string | number | boolean>;
}

export interface Screening {
  refusals: Reason[];
  /** Reasons that do not refuse but must be recorded (e.g. a returnee). */
  notes: Reason[];
  flags: string[];
  alerts: AlertSpec[];
}

/** Flags that only mean something for someone let through (an escort to walk with, a sign-out). */
const ADMIT_ONLY_FLAGS = new Set(['escort-required', 'visitor-sign-out']);

export function refusedFlags(flags: string[]): string[] {
  return flags.filter((f) => !ADMIT_ONLY_FLAGS.has(f));
}

/** In a tier that keeps the person at home (居家隔离医学观察, 集中隔离). */
function quarantined(p: RosterPerson, now: number): boolean {
  return p.quarantine !== undefined && CONFINED.includes(p.quarantine.kind) && p.quarantine.until > now;
}

function inTier(p: RosterPerson | undefined, kind: 'monitoring' | 'daily', now: number): boolean {
  return p?.quarantine?.kind === kind && p.quarantine.until > now;
}

/** Whether the household's last outing still holds its quota: by local calendar days (default) or rolling hours. */
function quotaUsed(last: number, env: RuleEnv): boolean {
  const q = env.rules.householdQuota;
  if (q.mode === 'rolling-hours') return env.now - last < q.days * DAY_MS;
  return localDayNumber(env.now, env.timeZone) - localDayNumber(last, env.timeZone) < q.days;
}

function recentRiskTravel(p: RosterPerson | undefined, env: RuleEnv): boolean {
  return p?.riskTravel !== undefined && env.now - p.riskTravel.at <= env.rules.riskAreaLookbackDays * DAY_MS;
}

/** Whether the household's outing quota applies at this zone level. */
export function quotaApplies(rules: RulesConfig, policy: Policy): boolean {
  return (rules.householdQuota.zoneLevels as string[]).includes(policy.zoneLevel);
}

function exitRules(id: Identity, env: RuleEnv, s: Screening): void {
  const { policy, now } = env;
  if (policy.zoneLevel === 'sealed' && !id.privileged) s.refusals.push(reason('zone.sealed'));
  if (policy.zoneLevel === 'controlled' && !id.privileged) s.refusals.push(reason('zone.controlled'));
  const inQuarantine = id.person ? quarantined(id.person, now) : id.members.length > 0 && id.members.every((m) => quarantined(m, now));
  if (inQuarantine) {
    const r = reason('quarantine.breach');
    s.refusals.push(r);
    const q = id.person?.quarantine ?? id.members[0]?.quarantine;
    s.alerts.push({ kind: 'quarantine-breach', severity: 'critical', reason: r, detail: { quarantine: q?.kind ?? 'home', untilMs: q?.until ?? 0 } });
  }
  const hh = id.subject.householdId;
  if (hh && !id.privileged && id.category !== 'visitor' && quotaApplies(env.rules, policy)) {
    const last = env.outings.get(hh);
    if (last !== undefined && quotaUsed(last, env)) {
      const r = reason('quota.household');
      s.refusals.push(r);
      s.alerts.push({ kind: 'household-quota', severity: 'info', reason: r, detail: { lastOutingMs: last, days: env.rules.householdQuota.days, mode: env.rules.householdQuota.mode } });
    }
  }
  const person = id.person;
  if (person && inTier(person, 'monitoring', now)) {
    // 居家健康监测: out only when necessary — admitted with a warning, outings counted (a limit when the site sets one).
    const done = env.monitoringOutings(person.id);
    const max = env.rules.monitoringMaxOutingsPerDay;
    if (max !== undefined && done >= max) {
      const r = reason('monitoring.limit');
      s.refusals.push(r);
      s.alerts.push({ kind: 'health-monitoring', severity: 'warning', reason: r, detail: { outingsToday: done, max, untilMs: person.quarantine?.until ?? 0 } });
    } else {
      const r = reason('monitoring.outing');
      s.notes.push(r);
      s.flags.push('health-monitoring');
      s.alerts.push({ kind: 'health-monitoring', severity: 'info', reason: r, detail: { outingsToday: done + 1, ...(max !== undefined ? { max } : {}), untilMs: person.quarantine?.until ?? 0 } });
    }
  }
  if (inTier(person, 'daily', now)) s.flags.push('daily-monitoring');
  if (id.visitor) {
    s.notes.push(reason('visitor.sign-out'));
    s.flags.push('visitor-sign-out');
  }
}

function visitorRules(id: Identity, env: RuleEnv, s: Screening): void {
  const { rules, policy, now } = env;
  const v = id.visitor;
  if (!v) {
    s.refusals.push(reason('visitor.unregistered'));
    if (recentRiskTravel(id.person, env)) {
      const r = reason('risk.visitor');
      s.refusals.push(r);
      s.alerts.push({ kind: 'risk-area-visitor', severity: 'warning', reason: r, detail: { area: id.person?.riskTravel?.area ?? '' } });
    }
    return;
  }
  if (v.signedOutAt !== undefined && v.signedOutAt <= now) s.refusals.push(reason('visitor.signed-out'));
  const risky = v.travel.filter((a) => policy.riskAreas.includes(a));
  if (risky.length > 0 || recentRiskTravel(id.person, env)) {
    const r = reason('risk.visitor');
    s.refusals.push(r);
    s.alerts.push({ kind: 'risk-area-visitor', severity: 'warning', reason: r, detail: { area: risky.join(',') || (id.person?.riskTravel?.area ?? '') } });
  }
  if ((rules.visitorEscortRequired || policy.zoneLevel === 'precaution') && !v.escort) s.refusals.push(reason('visitor.no-escort'));
  if (v.escort) s.flags.push('escort-required');
  if (v.validity && !inWindows(v.validity, now, env.timeZone)) s.refusals.push(reason('card.hours'));
}

function entryRules(id: Identity, env: RuleEnv, s: Screening): void {
  const { rules, policy, now } = env;
  const outsider = id.category === 'visitor' || id.category === 'outsider';
  if (policy.zoneLevel === 'sealed' && !id.privileged) s.refusals.push(reason('zone.sealed'));
  if (policy.zoneLevel === 'controlled' && outsider && !id.privileged) s.refusals.push(reason('zone.controlled-visitor'));
  if (outsider && !id.privileged) {
    visitorRules(id, env, s);
    if (rules.outsiderHours && !inWindows(rules.outsiderHours, now, env.timeZone)) s.refusals.push(reason('hours.outsider'));
  }
  if (id.card?.validity && !inWindows(id.card.validity, now, env.timeZone)) s.refusals.push(reason('card.hours'));
  if (rules.antiPassback && env.inside.has(id.presenceKey)) s.refusals.push(reason('passback.inside'));
  // Test and vaccination: checked with the other 四验 (passage.ts recordChecks), so the volunteer can verify them on the phone.
  if (id.category === 'resident' && recentRiskTravel(id.person, env)) {
    const r = reason('risk.returnee');
    s.notes.push(r);
    s.flags.push('home-quarantine-required');
    s.alerts.push({ kind: 'risk-area-returnee', severity: 'warning', reason: r, detail: { area: id.person?.riskTravel?.area ?? '' } });
  }
}

/**
 * A household card that names no one person, going out, while some (not all) of its members are in
 * home or central quarantine or in health monitoring: the rules must know who is passing.
 */
export function needsMemberPick(id: Identity, direction: Direction, now: number): boolean {
  if (direction !== 'out' || id.person || id.card?.type !== 'household' || id.members.length < 2) return false;
  const held = id.members.filter((m) => quarantined(m, now) || inTier(m, 'monitoring', now));
  return held.length > 0 && !id.members.every((m) => quarantined(m, now));
}

/** Rules decided by identity, direction, zone level and time alone. */
export function screen(id: Identity, direction: Direction, env: RuleEnv): Screening {
  const s: Screening = { refusals: [], notes: [], flags: [], alerts: [] };
  if (direction === 'out') exitRules(id, env, s);
  else entryRules(id, env, s);
  return s;
}
