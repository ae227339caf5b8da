// The declaration form as the phone sends it: a strict schema, then the checks a person can act on,
// each naming its field in zh-CN and English (the page puts the words under that field).
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { validateResidentId } from '../../gate/credentials/resident-id.js';
import type { DeclaredPerson } from '../../store/declaration-types.js';
import { localDay } from '../../store/time.js';
import type { DeclareConfig } from './config.js';

export const SYMPTOMS: Record<string, { zh: string; en: string }> = {
  fever: { zh: '发热', en: 'fever' },
  cough: { zh: '咳嗽', en: 'cough' },
  'sore-throat': { zh: '咽痛', en: 'sore throat' },
  fatigue: { zh: '乏力', en: 'fatigue' },
  'smell-taste': { zh: '嗅觉味觉减退', en: 'loss of smell or taste' },
  diarrhoea: { zh: '腹泻', en: 'diarrhoea' },
};

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const DeclarationForm = Type.Object(
  {
    kind: Type.Union([Type.Literal('visit'), Type.Literal('return')]),
    phone: Type.String({ maxLength: 20 }),
    origin: Type.String({ maxLength: 128 }),
    travel: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 30 }),
    host: Type.Optional(Type.String({ maxLength: 128 })),
    purpose: Type.Optional(Type.String({ maxLength: 200 })),
    consent: Type.Boolean(),
    members: Type.Array(
      Type.Object(
        {
          name: Type.String({ maxLength: 40 }),
          idNumber: Type.String({ maxLength: 18 }),
          symptoms: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 }),
          testDate: Type.Optional(Day),
          vaccinationDate: Type.Optional(Day),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 8 },
    ),
  },
  { additionalProperties: false },
);

const checkSchema = Compile(DeclarationForm);

export interface FieldError {
  /** The form field: `phone`, `members.1.idNumber`, … */
  field: string;
  zh: string;
  en: string;
}

export interface CheckedForm {
  kind: 'visit' | 'return';
  phone: string;
  members: DeclaredPerson[];
}

const DAY = 86_400_000;

/** Midnight (UTC ms) of a YYYY-MM-DD in the site's time zone, near enough for day counts. */
function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The form checked: the value to store, or every problem by field. */
export function checkForm(body: unknown, cfg: DeclareConfig, now: number, timeZone: string): { ok: true; value: CheckedForm } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, zh: string, en: string) => errors.push({ field, zh, en });
  if (!checkSchema.Check(body)) {
    for (const e of Value.Errors(DeclarationForm, body)) {
      const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'form';
      const extra = e.keyword === 'additionalProperties' ? ` (${((e.params as { additionalProperties?: string[] }).additionalProperties ?? []).join(', ')})` : '';
      err(field, `此项格式不对${extra}`, `${e.message}${extra}`);
      if (errors.length >= 20) break;
    }
    return { ok: false, errors };
  }
  const f = body as Static<typeof DeclarationForm>;
  const phone = f.phone.replace(/[\s-]/g, '');
  if (!/^(\+\d{6,15}|1[3-9]\d{9}|0\d{9,11})$/.test(phone)) err('phone', '请填写11位手机号', 'Give an 11-digit mobile number (or +country code and number)');
  const origin = f.origin.trim();
  if (!origin) err('origin', '请选择或填写从何处来', 'Choose or type where you come from');
  if (!f.consent) err('consent', '请阅读并同意个人信息使用说明', 'Read and agree to how your personal data is used');
  const day = localDay(now, timeZone);
  const seen = new Set<string>();
  const members: DeclaredPerson[] = [];
  f.members.forEach((m, i) => {
    const at = (k: string) => `members.${i}.${k}`;
    const name = m.name.trim();
    if (!name) err(at('name'), '请填写姓名', 'Give the name');
    const id = validateResidentId(m.idNumber, now);
    if (!id.ok) err(at('idNumber'), id.text.zh, id.text.en);
    else if (seen.has(id.id)) err(at('idNumber'), '同一身份证号填了两次', 'The same ID number is given twice');
    else seen.add(id.id);
    const unknown = m.symptoms.filter((s) => !(s in SYMPTOMS));
    if (unknown.length) err(at('symptoms'), '症状选项无效', `Unknown symptom: ${unknown.join(', ')}`);
    let lastTestAt: number | undefined;
    if (m.testDate) {
      const age = (dayMs(day) - dayMs(m.testDate)) / DAY;
      if (age < 0) err(at('testDate'), '核酸检测日期不能晚于今天', 'The test date cannot be after today');
      else if (cfg.testMaxAgeDays !== null && age > cfg.testMaxAgeDays) err(at('testDate'), `核酸检测已超过${cfg.testMaxAgeDays}天，卡口将不予通过`, `The test is older than ${cfg.testMaxAgeDays} days: the gate will not accept it`);
      else lastTestAt = dayMs(m.testDate);
    } else if (cfg.testMaxAgeDays !== null) err(at('testDate'), `请填写${cfg.testMaxAgeDays}天内的核酸检测日期`, `Give the date of a test within ${cfg.testMaxAgeDays} days`);
    if (m.vaccinationDate && dayMs(m.vaccinationDate) > dayMs(day)) err(at('vaccinationDate'), '接种日期不能晚于今天', 'The vaccination date cannot be after today');
    if (!m.vaccinationDate && cfg.vaccinationRequired) err(at('vaccinationDate'), '请填写最近一次疫苗接种日期', 'Give the date of your last vaccination');
    if (!id.ok || !name) return;
    members.push({
      name,
      idNumber: id.id,
      phone,
      origin,
      travel: [...new Set(f.travel.map((t) => t.trim()).filter(Boolean))],
      ...(f.host?.trim() ? { host: f.host.trim() } : {}),
      ...(f.purpose?.trim() ? { purpose: f.purpose.trim() } : {}),
      symptoms: m.symptoms.map((s) => SYMPTOMS[s]?.zh ?? s),
      ...(lastTestAt !== undefined ? { lastTestAt } : {}),
      ...(m.vaccinationDate ? { vaccinated: true } : {}),
    });
  });
  if (f.kind === 'visit' && !f.host?.trim()) err('host', '请填写拜访哪一户（户号、门牌或姓名）', 'Say whom you visit (household, address or name)');
  return errors.length ? { ok: false, errors } : { ok: true, value: { kind: f.kind, phone, members } };
}
