// What the loudspeaker says: numbers read correctly, a prompt for every outcome the kiosk shows,
// urgencies, and docs/voice.md's clip table kept true to the catalogue.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/gate/model.js';
import { clipTexts, numberToClips, PHRASES, type SpeechLang } from '../../src/gate/speech-clips.js';
import { refusalPhrase, speechForActions, speechForProgress, UNSPOKEN_REASONS, URGENCY, utteranceText } from '../../src/gate/speech.js';
import { LOW_READING_PROMPT, PROMPTS, REASONS } from '../../src/gate/text.js';

const say = (n: number, lang: SpeechLang) => {
  const t = clipTexts(lang);
  return numberToClips(n, lang).map((id) => t[id]).join(lang === 'zh-CN' ? '' : ' ');
};
const refuse = (promptId: string, celsius?: number): Action[] => [
  { kind: 'lamp', lane: 'main', colour: 'red', ms: 3000 },
  { kind: 'prompt', lane: 'main', promptId, ...(celsius ? { celsius } : {}) },
];

describe('numbers', () => {
  it('reads temperatures in Mandarin as people say them', () => {
    expect(say(37.8, 'zh-CN')).toBe('三十七点八');
    expect(say(36, 'zh-CN')).toBe('三十六');
    expect(say(40.05, 'zh-CN')).toBe('四十点一');
    expect(say(10, 'zh-CN')).toBe('十');
    expect(say(12.5, 'zh-CN')).toBe('十二点五');
    expect(say(20, 'zh-CN')).toBe('二十');
    expect(say(7.2, 'zh-CN')).toBe('七点二');
    expect(say(0.5, 'zh-CN')).toBe('零点五');
    expect(say(36.96, 'zh-CN')).toBe('三十七');
  });

  it('reads them in English', () => {
    expect(say(37.8, 'en')).toBe('thirty seven point eight');
    expect(say(14, 'en')).toBe('fourteen');
    expect(say(40, 'en')).toBe('forty');
  });

  it('says nothing for what is not a reading', () => {
    for (const n of [Number.NaN, -1, 100, Number.POSITIVE_INFINITY]) expect(numberToClips(n, 'zh-CN')).toEqual([]);
  });
});

describe('prompts', () => {
  it('has a spoken prompt for every reason code the kiosk can show, or says on purpose that there is none', () => {
    for (const code of Object.keys(REASONS)) expect(refusalPhrase(code) !== undefined || UNSPOKEN_REASONS.has(code), code).toBe(true);
  });

  it('says the temperature with a fever refusal, as an alarm that cuts any prompt', () => {
    const u = speechForActions('main', refuse('temp.fever', 37.8));
    expect(u?.urgency).toBe(URGENCY.alarm);
    expect(utteranceText(u as never, 'zh-CN')).toBe('体温三十七点八度，偏高，请到一旁等候工作人员');
    expect(utteranceText(u as never, 'en')).toBe('Temperature thirty seven point eight degrees, too high, please wait aside for the staff');
  });

  it('says an admission with its temperature, and a refusal by its reason', () => {
    const admit: Action[] = [{ kind: 'relay', lane: 'main', pulseMs: 3000 }, { kind: 'prompt', lane: 'main', promptId: 'mask.missing', celsius: 36.5 }];
    // An override admit of a person without a mask: "please pass", not "no mask".
    expect(utteranceText(speechForActions('main', admit) as never, 'zh-CN')).toBe('体温三十六点五度，正常，请通行');
    expect(utteranceText(speechForActions('main', refuse('code.yellow')) as never, 'zh-CN')).toBe('健康码黄码，请到一旁等候');
    expect(speechForActions('main', refuse('code.red'))?.urgency).toBe(URGENCY.alarm);
    expect(speechForActions('main', refuse('card.revoked'))?.urgency).toBe(URGENCY.refusal);
    expect(utteranceText(speechForActions('main', refuse('something.new')) as never, 'zh-CN')).toBe('不能通行，请找工作人员');
    expect(speechForActions('main', [{ kind: 'lamp', lane: 'main', colour: 'amber', ms: 3000 }])).toBeUndefined();
  });

  it('asks for what each stage waits for, and says a high reading before the re-measure', () => {
    const p = (stage: Parameters<typeof speechForProgress>[0]['stage'], temps: number[] = [], prompt = PROMPTS[stage]) =>
      utteranceText(speechForProgress({ lane: 'main', stage, passage: { id: 'p', temperatures: temps.map((celsius) => ({ celsius, source: 'device' as const, at: 0 })) }, prompt }) as never, 'zh-CN');
    expect(p('awaiting-credential')).toBe('您好，请出示通行证');
    expect(p('awaiting-temperature')).toBe('请测体温');
    expect(p('awaiting-remeasure', [37.6])).toBe('体温三十七点六度，请复测');
    expect(p('awaiting-remeasure', [33.1], LOW_READING_PROMPT)).toBe('请靠近一点，再测一次');
    expect(p('awaiting-mask')).toBe('请戴好口罩');
    expect(p('awaiting-colour')).toBe('请出示健康码');
    expect(p('awaiting-operator')).toBe('请稍候，工作人员为您测温');
  });
});

describe('docs/voice.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/voice.md'), 'utf8');
  it('lists the phrase of every refusal reason', () => {
    for (const code of Object.keys(REASONS)) {
      const phrase = refusalPhrase(code);
      if (phrase) expect(doc).toContain(`| \`${code}\` | \`${phrase}\` ${PHRASES[phrase].zh} |`);
    }
  });

  it('lists every phrase with its zh-CN and English text', () => {
    for (const [id, t] of Object.entries(PHRASES)) expect(doc).toContain(`| \`${id}\` | ${t.zh} | ${t.en} |`);
  });
});
