// What the loudspeaker says for each thing the kiosk shows: the stage a passage waits in and its
// decision. Pure: the daemon's voice feature and the scenario runner ask the same questions here.
import type { LaneStage } from './contract.js';
import type { Action, Passage } from './model.js';
import { clipTexts, numberToClips, type PhraseId, type SpeechLang } from './speech-clips.js';
import { LOW_READING_PROMPT, type ReasonCode } from './text.js';

/** How much a prompt matters: a more urgent one cuts the one playing (a fever refusal cuts "please pass"). */
export const URGENCY = { announcement: 0, prompt: 1, refusal: 2, alarm: 3 } as const;
export type Urgency = (typeof URGENCY)[keyof typeof URGENCY];

/** A phrase, or a number said with the number clips of the language being spoken. */
export type SpeechPart = PhraseId | { number: number };

export interface Utterance {
  /** The prompt's name (a phrase id or a reason code), for logs and tests. */
  id: string;
  lane: string;
  urgency: Urgency;
  parts: SpeechPart[];
  /** The passage it belongs to, when it does. */
  passageId?: string;
}

/** What is said for a refusal, by reason code. Codes absent here are said as 'refused'. */
const REFUSALS: Partial<Record<ReasonCode, { phrase: PhraseId; alarm?: true }>> = {
  'temp.fever': { phrase: 'fever-wait', alarm: true },
  'code.yellow': { phrase: 'code-yellow' },
  'code.red': { phrase: 'code-red', alarm: true },
  'mask.missing': { phrase: 'no-mask' },
  'card.malformed': { phrase: 'card-invalid' },
  'card.oversize': { phrase: 'card-invalid' },
  'card.bad-signature': { phrase: 'card-invalid' },
  'card.unknown-key': { phrase: 'card-invalid' },
  'card.wrong-site': { phrase: 'card-invalid' },
  'card.unknown': { phrase: 'card-invalid' },
  'card.revoked': { phrase: 'card-invalid' },
  'card.expired': { phrase: 'card-expired' },
  'card.hours': { phrase: 'card-hours' },
  'id.format': { phrase: 'id-invalid' },
  'id.region': { phrase: 'id-invalid' },
  'id.birth-date': { phrase: 'id-invalid' },
  'id.check-digit': { phrase: 'id-invalid' },
  'scan.unreadable': { phrase: 'scan-again' },
  'residency.unknown': { phrase: 'not-resident' },
  'visitor.unregistered': { phrase: 'visitor-register' },
  'visitor.signed-out': { phrase: 'visitor-register' },
  'visitor.no-escort': { phrase: 'visitor-escort' },
  'risk.visitor': { phrase: 'risk-visitor', alarm: true },
  'risk.returnee': { phrase: 'returnee-report' },
  'test.missing': { phrase: 'test-needed' },
  'test.expired': { phrase: 'test-needed' },
  'vaccine.missing': { phrase: 'vaccine-needed' },
  'quarantine.breach': { phrase: 'quarantine', alarm: true },
  'quota.household': { phrase: 'quota' },
  'monitoring.limit': { phrase: 'monitoring-limit' },
  'monitoring.outing': { phrase: 'monitoring-outing' },
  'zone.sealed': { phrase: 'zone-sealed' },
  'zone.controlled': { phrase: 'zone-controlled' },
  'zone.controlled-visitor': { phrase: 'zone-no-visitors' },
  'hours.outsider': { phrase: 'closed-hours' },
  'vehicle.no-permit': { phrase: 'vehicle-no-permit' },
  'passback.inside': { phrase: 'passback' },
  'override.refuse': { phrase: 'turned-back' },
};

/** Said after "please pass" on an admission with this prompt. */
const ADMIT_EXTRA: Partial<Record<ReasonCode, PhraseId>> = {
  'risk.returnee': 'returnee-report',
  'monitoring.outing': 'monitoring-outing',
};

/**
 * Reason codes that never reach the loudspeaker: the passage ended without a verdict to announce, or
 * the code names an alert for the staff whose passage already spoke (`fever.held`: the fever refusal
 * has said "please wait aside for the staff").
 */
export const UNSPOKEN_REASONS: ReadonlySet<string> = new Set(['passage.timeout', 'passage.unpaired', 'passage.cancelled', 'passage.admitted', 'override.admit', 'visitor.sign-out', 'fever.held']);

export function refusalPhrase(code: string): PhraseId | undefined {
  return REFUSALS[code as ReasonCode]?.phrase;
}

const temperature = (celsius: number | undefined): SpeechPart[] => (celsius === undefined ? [] : ['temp-is', { number: celsius }, 'degrees']);

/** The utterance for a decision's actions (the prompt action; a relay action means admitted). */
export function speechForActions(lane: string, actions: readonly Action[], passageId?: string): Utterance | undefined {
  const prompt = actions.find((a): a is Extract<Action, { kind: 'prompt' }> => a.kind === 'prompt');
  if (!prompt) return undefined;
  const admitted = actions.some((a) => a.kind === 'relay');
  const base = { lane, ...(passageId ? { passageId } : {}) };
  if (admitted) {
    if (prompt.promptId === 'visitor.sign-out') return { ...base, id: prompt.promptId, urgency: URGENCY.prompt, parts: ['visitor-goodbye'] };
    const extra = ADMIT_EXTRA[prompt.promptId as ReasonCode];
    const pass: SpeechPart[] = prompt.celsius === undefined ? ['pass'] : [...temperature(prompt.celsius), 'normal-pass'];
    return { ...base, id: prompt.promptId, urgency: URGENCY.prompt, parts: extra ? [...pass, extra] : pass };
  }
  if (prompt.promptId === 'courier.no-entry') return { ...base, id: prompt.promptId, urgency: URGENCY.prompt, parts: ['courier'] };
  const refusal = REFUSALS[prompt.promptId as ReasonCode];
  const phrase = refusal?.phrase ?? 'refused';
  const parts: SpeechPart[] = prompt.promptId === 'temp.fever' ? [...temperature(prompt.celsius), 'fever-wait'] : [phrase];
  return { ...base, id: prompt.promptId, urgency: refusal?.alarm ? URGENCY.alarm : URGENCY.refusal, parts };
}

const STAGE_PHRASE: Partial<Record<LaneStage, PhraseId>> = {
  'awaiting-credential': 'show-card',
  'awaiting-temperature': 'measure',
  'awaiting-mask': 'wear-mask',
  'awaiting-colour': 'show-code',
  'awaiting-operator': 'hand-measure',
};

type Progress = { lane: string; stage: LaneStage; passage: Partial<Passage> & { id: string }; prompt: { zh: string } };

/** The utterance for a passage waiting in a stage: 请测体温, 体温三十七点六度，请复测, 请戴好口罩 … */
export function speechForProgress(p: Progress): Utterance | undefined {
  const base = { lane: p.lane, passageId: p.passage.id, urgency: URGENCY.prompt };
  if (p.stage === 'awaiting-remeasure') {
    if (p.prompt.zh === LOW_READING_PROMPT.zh) return { ...base, id: 'come-closer', parts: ['come-closer'] };
    const last = p.passage.temperatures?.at(-1)?.celsius;
    return { ...base, id: 'remeasure', parts: [...temperature(last === undefined ? undefined : Math.round(last * 10) / 10), 'remeasure'] };
  }
  const phrase = STAGE_PHRASE[p.stage];
  return phrase ? { ...base, id: phrase, parts: [phrase] } : undefined;
}

/**
 * Says each stage once: the same stage of the same passage again (another input that changed
 * nothing the person must do) is not repeated; a new reading in the re-measure stage is.
 */
export class LaneSpeech {
  private readonly said = new Map<string, string>();

  progress(p: Progress): Utterance | undefined {
    const key = `${p.passage.id}|${p.stage}|${p.passage.temperatures?.length ?? 0}`;
    if (this.said.get(p.lane) === key) return undefined;
    this.said.set(p.lane, key);
    return speechForProgress(p);
  }

  decided(lane: string, actions: readonly Action[], passageId?: string): Utterance | undefined {
    this.said.delete(lane);
    return speechForActions(lane, actions, passageId);
  }
}

/** The clip ids an utterance plays in one language. */
export function utteranceClips(u: Pick<Utterance, 'parts'>, lang: SpeechLang): string[] {
  return u.parts.flatMap((p) => (typeof p === 'string' ? [p] : numberToClips(p.number, lang)));
}

/** What an utterance says, as text: for logs, tests and the scenario files. Phrases are separated by a comma. */
export function utteranceText(u: Pick<Utterance, 'parts'>, lang: SpeechLang): string {
  const texts = clipTexts(lang);
  const word = (id: string) => texts[id] ?? `[${id}]`;
  const zh = lang === 'zh-CN';
  // A temperature ("体温 三十七点八 度") is one segment; every other phrase is a segment of its own.
  const segments: string[][] = [];
  for (const [i, p] of u.parts.entries()) {
    const glued = typeof p !== 'string' || (p === 'degrees' && i > 0) || (i > 0 && u.parts[i - 1] === 'temp-is');
    const words = typeof p === 'string' ? [word(p)] : numberToClips(p.number, lang).map(word);
    if (glued && segments.length) (segments.at(-1) as string[]).push(...words);
    else segments.push(words);
  }
  return segments.map((s) => s.join(zh ? '' : ' ')).join(zh ? '，' : ', ');
}
