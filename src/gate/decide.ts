// Turning a finished draft into a Passage: reasons, the actions for the lane's devices, the alerts.
import type { RulesConfig } from './config.js';
import type { Action, Alert, Passage, PassageOutcome, Reason, Subject, ZoneLevel } from './model.js';
import type { Draft } from './passage.js';
import type { AlertSpec } from './rules.js';

const LAMP_MS = 3000;

const tenth = (c: number): number => Math.round(c * 10) / 10;

/** The reading a prompt says: the last one on an admission, the highest on a fever refusal. */
function spokenCelsius(admit: boolean, reasons: Reason[], temperatures: Draft['temperatures']): { celsius: number } | Record<string, never> {
  if (temperatures.length === 0) return {};
  if (admit) return { celsius: tenth((temperatures.at(-1) as { celsius: number }).celsius) };
  if (reasons[0]?.code === 'temp.fever') return { celsius: tenth(Math.max(...temperatures.map((t) => t.celsius))) };
  return {};
}

export function actionsFor(lane: string, outcome: PassageOutcome, admit: boolean, reasons: Reason[], alerts: AlertSpec[], rules: RulesConfig, temperatures: Draft['temperatures'] = []): Action[] {
  const said = spokenCelsius(admit, reasons, temperatures);
  if (outcome === 'abandoned') return [{ kind: 'lamp', lane, colour: 'amber', ms: LAMP_MS }];
  if (admit) {
    return [
      { kind: 'relay', lane, pulseMs: rules.relayPulseMs },
      { kind: 'lamp', lane, colour: 'green', ms: LAMP_MS },
      { kind: 'buzzer', lane, pattern: 'ok' },
      { kind: 'prompt', lane, promptId: reasons.find((r) => r.code !== 'passage.admitted' && !r.code.startsWith('override.'))?.code ?? 'passage.admitted', ...said },
    ];
  }
  const critical = alerts.some((a) => a.severity === 'critical');
  return [
    { kind: 'lamp', lane, colour: 'red', ms: LAMP_MS },
    { kind: 'buzzer', lane, pattern: critical ? 'alarm' : 'refuse' },
    { kind: 'prompt', lane, promptId: reasons.find((r) => !r.code.startsWith('override.'))?.code ?? reasons[0]?.code ?? 'passage.refused', ...said },
  ];
}

export interface Finish {
  outcome: PassageOutcome;
  admit: boolean;
  reasons: Reason[];
  alerts: AlertSpec[];
  flags: string[];
  operatorId?: string;
  overrideReason?: string;
}

export interface DecideEnv {
  rules: RulesConfig;
  now: number;
  clockSynced: boolean;
  zoneLevel: ZoneLevel;
  ids: () => string;
}

export function toAlert(spec: AlertSpec, env: DecideEnv, lane: string, passageId: string, subject: Subject | null): Alert {
  const a: Alert = { id: env.ids(), kind: spec.kind, severity: spec.severity, lane, passageId, text: { zh: spec.reason.zh, en: spec.reason.en }, at: env.now };
  if (subject) a.subject = subject;
  if (spec.detail) a.detail = spec.detail;
  return a;
}

export function buildPassage(d: Draft, f: Finish, env: DecideEnv): Passage {
  const subject = d.identity?.subject ?? null;
  const p: Passage = {
    id: d.id,
    lane: d.lane,
    direction: d.direction,
    subject,
    temperatures: d.temperatures,
    colour: null,
    colourSource: null,
    mask: d.mask,
    maskSource: d.maskSource,
    outcome: f.outcome,
    reasons: f.reasons,
    startedAt: d.startedAt,
    decidedAt: env.now,
    clockSynced: env.clockSynced,
    actions: actionsFor(d.lane, f.outcome, f.admit, f.reasons, f.alerts, env.rules, d.temperatures),
    alerts: f.alerts.map((s) => toAlert(s, env, d.lane, d.id, subject)),
    flags: [...new Set(f.flags)],
    zoneLevel: env.zoneLevel,
  };
  if (f.operatorId) p.operatorId = f.operatorId;
  if (f.overrideReason) p.overrideReason = f.overrideReason;
  return p;
}
