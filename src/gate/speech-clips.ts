// What the gate's loudspeaker can say: every clip, by id, in each spoken language. zh-CN first.
// Clips are rendered to WAV files once (espeak-ng, `gate voice clips`) or recorded by the site; a
// prompt is a sequence of clips, so a temperature ("三十七点八度") is composed from number clips.
// The zh-CN table is reviewed in docs/voice.md; a test keeps that table and this one in step.

export const SPEECH_LANGS = ['zh-CN', 'en'] as const;
export type SpeechLang = (typeof SPEECH_LANGS)[number];

/** Phrases, the same ids in every language. */
export const PHRASES = {
  'show-card': { zh: '您好，请出示通行证', en: 'Hello, please show your pass card' },
  measure: { zh: '请测体温', en: 'Please take your temperature' },
  remeasure: { zh: '请复测', en: 'please measure again' },
  'come-closer': { zh: '请靠近一点，再测一次', en: 'Please come a little closer and measure again' },
  'hand-measure': { zh: '请稍候，工作人员为您测温', en: 'Please wait, a volunteer will take your temperature' },
  'wear-mask': { zh: '请戴好口罩', en: 'Please wear your mask' },
  'show-code': { zh: '请出示健康码', en: 'Please show your health code' },
  'temp-is': { zh: '体温', en: 'Temperature' },
  degrees: { zh: '度', en: 'degrees' },
  point: { zh: '点', en: 'point' },
  'normal-pass': { zh: '正常，请通行', en: 'normal, please pass' },
  pass: { zh: '请通行', en: 'Please pass' },
  'fever-wait': { zh: '偏高，请到一旁等候工作人员', en: 'too high, please wait aside for the staff' },
  'code-yellow': { zh: '健康码黄码，请到一旁等候', en: 'Yellow health code, please wait aside' },
  'code-red': { zh: '健康码红码，请到一旁等候工作人员', en: 'Red health code, please wait aside for the staff' },
  'no-mask': { zh: '请戴好口罩再通行', en: 'Please put on your mask before you pass' },
  'card-invalid': { zh: '通行证无效，请找工作人员', en: 'This pass card is not valid, please see the volunteer' },
  'card-expired': { zh: '通行证已过期，请找工作人员', en: 'This pass card has expired, please see the volunteer' },
  'card-hours': { zh: '现在不在通行证有效时段内', en: 'This card is not valid at this hour' },
  'id-invalid': { zh: '身份证号有误，请重新输入', en: 'The ID number is not right, please enter it again' },
  'scan-again': { zh: '无法识别，请重新扫码', en: 'The code cannot be read, please scan again' },
  'not-resident': { zh: '您不是本村登记人员，请到登记处登记', en: 'You are not on the roster, please register at the desk' },
  'visitor-register': { zh: '外来人员请先登记', en: 'Visitors please register first' },
  'visitor-escort': { zh: '外来人员须由专人带进，请稍候', en: 'Visitors must be escorted, please wait' },
  'visitor-goodbye': { zh: '访客已销号，请慢走', en: 'You are signed out, goodbye' },
  'risk-visitor': { zh: '您有中高风险地区旅居史，不能进入，请到一旁等候', en: 'You stayed in a risk area, you may not enter, please wait aside' },
  'returnee-report': { zh: '请到工作人员处报备，回家居家隔离', en: 'Please report to the volunteer and stay in home quarantine' },
  'test-needed': { zh: '请出示核酸检测阴性证明', en: 'Please show a negative test result' },
  'vaccine-needed': { zh: '请出示疫苗接种记录', en: 'Please show your vaccination record' },
  quarantine: { zh: '隔离期间不能外出，请回家', en: 'You are in quarantine, please go back home' },
  'monitoring-outing': { zh: '居家健康监测期间，非必要不外出，请早点回家', en: 'Under home health monitoring, go out only when necessary and come back soon' },
  'monitoring-limit': { zh: '今天的外出次数已用完，请回家', en: 'Your outings for today are used, please go back home' },
  quota: { zh: '本户外出名额已用完，请回家', en: 'Your household has used its outing, please go back home' },
  'zone-sealed': { zh: '封控期间，不能进出', en: 'The area is sealed, no one may go in or out' },
  'zone-controlled': { zh: '管控期间，不能外出', en: 'The area is controlled, no one may leave' },
  'zone-no-visitors': { zh: '管控期间，外来人员不能进入', en: 'The area is controlled, visitors may not enter' },
  'closed-hours': { zh: '现在不是开放时间，外来人员不能进入', en: 'Outside opening hours, visitors may not enter' },
  'vehicle-no-permit': { zh: '车辆没有通行证，不能进入', en: 'This vehicle has no permit and may not enter' },
  courier: { zh: '快递外卖请在门口交接', en: 'Deliveries are handed over here at the gate' },
  passback: { zh: '此证已在区内，请找工作人员', en: 'This card is already inside, please see the volunteer' },
  'turned-back': { zh: '请返回，谢谢配合', en: 'Please go back, thank you' },
  refused: { zh: '不能通行，请找工作人员', en: 'You may not pass, please see the volunteer' },
  // The chime before an announcement, so a notice is not taken for a verdict.
  'notice-start': { zh: '请注意，现在播送通知', en: 'Attention please, a notice' },
} as const;

export type PhraseId = keyof typeof PHRASES;

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const EN_UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Number clips: zh-CN needs 零…九 and 十; English needs zero…nineteen and the tens. */
function numberClips(lang: SpeechLang): Record<string, string> {
  const out: Record<string, string> = {};
  if (lang === 'zh-CN') {
    ZH_DIGITS.forEach((d, i) => {
      out[`num-${i}`] = d;
    });
    out['num-10'] = '十';
  } else {
    EN_UNITS.forEach((w, i) => {
      out[`num-${i}`] = w;
    });
    EN_TENS.forEach((w, i) => {
      if (w) out[`num-${i * 10}`] = w;
    });
  }
  return out;
}

/** Every clip of a language, id → text. */
export function clipTexts(lang: SpeechLang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, t] of Object.entries(PHRASES)) out[id] = lang === 'zh-CN' ? t.zh : t.en;
  return { ...out, ...numberClips(lang) };
}

/**
 * The clips that say a number with at most one decimal, 0 ≤ n < 100: 37.8 → 三 十 七 点 八 (zh-CN),
 * thirty seven point eight (en). A whole number is said without "point zero". Out of range: none.
 */
export function numberToClips(n: number, lang: SpeechLang): string[] {
  if (!Number.isFinite(n) || n < 0 || n >= 99.95) return [];
  const tenths = Math.round(n * 10);
  const whole = Math.floor(tenths / 10);
  const decimal = tenths % 10;
  const out: string[] = [];
  const tens = Math.floor(whole / 10);
  const ones = whole % 10;
  if (lang === 'zh-CN') {
    // 10 is 十 and 12 十二 (never 一十二); 20 is 二十, 37 三十七.
    if (tens === 0) out.push(`num-${ones}`);
    else {
      if (tens > 1) out.push(`num-${tens}`);
      out.push('num-10');
      if (ones) out.push(`num-${ones}`);
    }
  } else if (whole < 20) out.push(`num-${whole}`);
  else {
    out.push(`num-${tens * 10}`);
    if (ones) out.push(`num-${ones}`);
  }
  if (decimal) out.push('point', `num-${decimal}`);
  return out;
}
