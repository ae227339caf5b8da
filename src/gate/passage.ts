// One passage in progress on a lane, and what it still needs: the 四验一戴 checks that come from
// devices and the volunteer (temperature, mask, health code), paired with the credential.
import { type ColourReading, hubColour, resolveColour } from './colour.js';
import type { RulesConfig } from './config.js';
import type { LaneStage } from './contract.js';
import type { Identity } from './identify.js';
import type { Direction, MaskSource, Reason, TemperatureReading, Text } from './model.js';
import type { AlertSpec, Screening } from './rules.js';
import { LOW_READING_PROMPT, PROMPTS, reason } from './text.js';

export interface Draft {
  id: string;
  lane: string;
  direction: Direction;
  startedAt: number;
  /** Wall ms by which the passage is abandoned. */
  deadline: number;
  identity?: Identity;
  screening?: Screening;
  temperatures: TemperatureReading[];
  high: number;
  low: number;
  /** The volunteer asked for a new reading. */
  remeasure: boolean;
  colours: ColourReading[];
  mask: boolean | null;
  maskSource: MaskSource | null;
  /** A household card waits for the volunteer to pick which member is passing. */
  memberPick?: boolean;
  /** What the volunteer verified on the person's phone (taps beside the colour taps). */
  verified: Verified;
}

export interface Verified {
  test?: { ok: boolean; at?: number };
  vaccine?: boolean;
}

export type Verdict =
  | { kind: 'wait'; stage: LaneStage; prompt: Text }
  | { kind: 'refuse'; reasons: Reason[]; alerts: AlertSpec[] }
  | { kind: 'admit' };

export type ReadingClass = 'normal' | 'high' | 'low';

export function classify(celsius: number, rules: RulesConfig): ReadingClass {
  if (celsius >= rules.feverThreshold) return 'high';
  if (celsius < rules.temperatureFloor) return 'low';
  return 'normal';
}

export function addReading(d: Draft, r: TemperatureReading, rules: RulesConfig): void {
  d.temperatures.push(r);
  d.remeasure = false;
  const c = classify(r.celsius, rules);
  if (c === 'high') d.high++;
  else if (c === 'low') d.low++;
}

/** Whether this passage needs the checks (every entry; exits only when the site asks). */
export function needsChecks(d: Draft, rules: RulesConfig): boolean {
  return d.direction === 'in' || rules.exitChecks;
}

export function colourOf(d: Draft, rules: RulesConfig, now: number): ColourReading | undefined {
  const hub = hubColour(d.identity?.person, now, rules.healthStatusMaxAgeMinutes * 60_000);
  return resolveColour(hub ? [...d.colours, hub] : d.colours);
}

function temperatureStage(d: Draft, rules: RulesConfig): { stage: LaneStage; prompt: Text } | undefined {
  const last = d.temperatures.at(-1);
  if (!last) return { stage: 'awaiting-temperature', prompt: PROMPTS['awaiting-temperature'] };
  if (d.remeasure) return { stage: 'awaiting-remeasure', prompt: PROMPTS['awaiting-remeasure'] };
  const c = classify(last.celsius, rules);
  if (c === 'high') return { stage: 'awaiting-remeasure', prompt: PROMPTS['awaiting-remeasure'] };
  if (c === 'low') {
    // Readings that stay low (winter night, a gun held too far): the volunteer measures by hand.
    if (d.low >= rules.lowReadingsBeforeOperator) return { stage: 'awaiting-operator', prompt: PROMPTS['awaiting-operator'] };
    return { stage: 'awaiting-remeasure', prompt: LOW_READING_PROMPT };
  }
  return undefined;
}

/**
 * The test and vaccination rules of an entry: the roster's (or the visitor form's) record, or the
 * volunteer's tap after seeing the phone. A missing record waits for the tap; a tap saying none was
 * shown, or a test too old, refuses.
 */
export function recordChecks(d: Draft, rules: RulesConfig, now: number): { reasons: Reason[]; missing: boolean } {
  const out = { reasons: [] as Reason[], missing: false };
  if (d.direction !== 'in' || !d.identity) return out;
  const id = d.identity;
  if (rules.nucleicTestMaxAgeHours !== undefined) {
    const fresh = (at: number | undefined) => at !== undefined && now - at <= (rules.nucleicTestMaxAgeHours as number) * 3_600_000;
    const tap = d.verified.test;
    if (fresh(id.person?.lastTestAt ?? id.visitor?.lastTestAt) || (tap?.ok && fresh(tap.at ?? now))) {
      // a negative test in time, on record or seen on the phone
    } else if (tap) out.reasons.push(reason(tap.ok ? 'test.expired' : 'test.missing'));
    else out.missing = true;
  }
  if (rules.vaccinationRequired) {
    const tap = d.verified.vaccine;
    if ((id.person?.vaccinated ?? id.visitor?.vaccinated) === true || tap === true) {
      // vaccinated, on record or seen on the phone
    } else if (tap === false) out.reasons.push(reason('vaccine.missing'));
    else out.missing = true;
  }
  return out;
}

/** What the passage needs next, or its decision once the checks are in (identity rules passed). */
export function evaluate(d: Draft, rules: RulesConfig, now: number): Verdict {
  if (!d.identity) return { kind: 'wait', stage: 'awaiting-credential', prompt: PROMPTS['awaiting-credential'] };
  if (d.memberPick) return { kind: 'wait', stage: 'awaiting-member', prompt: PROMPTS['awaiting-member'] };
  if (!needsChecks(d, rules)) return { kind: 'admit' };
  const reasons: Reason[] = [];
  const alerts: AlertSpec[] = [];
  if (d.high >= 2) {
    const r = reason('temp.fever');
    reasons.push(r);
    const max = Math.max(...d.temperatures.map((t) => t.celsius));
    alerts.push({ kind: 'fever', severity: 'critical', reason: reason('fever.held'), detail: { celsius: max, readings: d.temperatures.length, held: true } });
  }
  if (rules.maskRequired && d.mask === false) reasons.push(reason('mask.missing'));
  const colour = colourOf(d, rules, now);
  if (colour && colour.colour !== 'green') {
    const r = reason(colour.colour === 'red' ? 'code.red' : 'code.yellow');
    reasons.push(r);
    alerts.push({ kind: colour.colour === 'red' ? 'code-red' : 'code-yellow', severity: colour.colour === 'red' ? 'critical' : 'warning', reason: r, detail: { colour: colour.colour, source: colour.source } });
  }
  const records = recordChecks(d, rules, now);
  reasons.push(...records.reasons);
  if (reasons.length) return { kind: 'refuse', reasons, alerts };
  const t = temperatureStage(d, rules);
  if (t) return { kind: 'wait', ...t };
  if (rules.maskRequired && d.mask === null) return { kind: 'wait', stage: 'awaiting-mask', prompt: PROMPTS['awaiting-mask'] };
  if (rules.healthCodeRequired && !colour) return { kind: 'wait', stage: 'awaiting-colour', prompt: PROMPTS['awaiting-colour'] };
  if (records.missing) return { kind: 'wait', stage: 'awaiting-verification', prompt: PROMPTS['awaiting-verification'] };
  return { kind: 'admit' };
}
