// The column mapping of roster spreadsheets as villages keep them (docs/roster-import.md).
// Headers are matched after removing spaces, brackets' content and a trailing colon.
import type { CodeColour } from '../gate/model.js';

export type Field =
  | 'householdId'
  | 'personId'
  | 'name'
  | 'idNumber'
  | 'phone'
  | 'address'
  | 'grid'
  | 'categories'
  | 'tenant'
  | 'resident'
  | 'quarantine'
  | 'quarantineUntil'
  | 'health'
  | 'lastTest'
  | 'vaccinated'
  | 'cardId'
  | 'plate'
  | 'registeredResidents'
  | 'actualResidents';

export const COLUMNS: Record<Field, string[]> = {
  householdId: ['户号', '户编号', '家庭编号', 'household', 'householdid', 'household_id'],
  personId: ['人员编号', '编号', 'personid', 'person_id', 'id'],
  name: ['姓名', '名字', 'name'],
  idNumber: ['身份证号', '身份证号码', '证件号码', '公民身份号码', 'idnumber', 'id_number', 'idcard'],
  phone: ['联系电话', '手机号', '手机号码', '电话', '联系方式', 'phone', 'mobile'],
  address: ['住址/门牌', '住址', '门牌', '门牌号', '门牌地址', '门牌号码', '地址', '家庭住址', '家庭地址', '居住地址', '现住址', '现居住地址', '详细地址', '住址门牌', 'address'],
  grid: ['网格', '所属网格', '网格号', 'grid'],
  categories: ['类别', '人员类别', '人员类型', '重点人群', 'categories', 'category'],
  tenant: ['是否租户', '租户', 'tenant'],
  resident: ['是否本村', '是否常住', '常住', 'resident'],
  quarantine: ['隔离状态', '隔离类型', '隔离', 'quarantine'],
  quarantineUntil: ['隔离截止', '隔离截止日期', '隔离结束', '隔离结束日期', '解除隔离日期', 'quarantineuntil', 'quarantine_until'],
  health: ['健康码', '健康码颜色', 'health', 'healthcode', 'colour', 'color'],
  lastTest: ['核酸日期', '最近核酸', '最近核酸日期', '核酸检测日期', 'lasttest', 'last_test'],
  vaccinated: ['是否接种疫苗', '疫苗接种', '接种疫苗', '疫苗', 'vaccinated'],
  cardId: ['卡号', '通行证号', '出入证号', 'card', 'cardid', 'card_id'],
  plate: ['车牌', '车牌号', '车牌号码', 'plate'],
  registeredResidents: ['户籍人数', '户籍人口', 'registered', 'registeredresidents'],
  actualResidents: ['实住人数', '实际居住人数', '常住人口', 'actual', 'actualresidents'],
};

/** Category labels as written in Chinese ledgers, and the English codes. */
export const CATEGORY_LABELS: Record<string, string> = {
  独居老人: 'elderly-alone',
  孤寡老人: 'elderly-alone',
  空巢老人: 'elderly-alone',
  孕妇: 'pregnant',
  孕产妇: 'pregnant',
  残疾人: 'disabled',
  残障人士: 'disabled',
  行动不便: 'limited-mobility',
  行动不便者: 'limited-mobility',
  透析患者: 'dialysis',
  血透患者: 'dialysis',
  精神病患者: 'mental-illness',
  精神障碍患者: 'mental-illness',
  慢性病患者: 'chronic',
  慢病患者: 'chronic',
  租户: 'tenant',
  境外返回: 'returnee-abroad',
  境外返回人员: 'returnee-abroad',
  入境人员: 'returnee-abroad',
  密接: 'close-contact',
  密切接触者: 'close-contact',
  次密接: 'secondary-contact',
  次密切接触者: 'secondary-contact',
  中高风险地区来返人员: 'risk-area-arrival',
  中高风险地区返乡: 'risk-area-arrival',
  风险地区来返: 'risk-area-arrival',
  工作人员: 'staff',
  医护: 'medical',
  医护人员: 'medical',
};

export function headerKey(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .replace(/[（(][^）)]*[）)]/g, '')
    .replace(/[\s:：*]/g, '')
    .toLowerCase();
}

const LOOKUP = new Map<string, Field>();
for (const [field, names] of Object.entries(COLUMNS) as Array<[Field, string[]]>) for (const n of names) LOOKUP.set(headerKey(n), field);

export function fieldOf(header: string): Field | undefined {
  return LOOKUP.get(headerKey(header));
}

function distance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length] as number;
}

/** The known header nearest to an unknown one (a typo, an extra word), when one is near enough to be meant. */
export function nearestHeader(header: string): string | undefined {
  const key = headerKey(header);
  if (!key) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const names of Object.values(COLUMNS)) {
    for (const name of names) {
      const k = headerKey(name);
      const d = key.includes(k) || k.includes(key) ? Math.abs([...key].length - [...k].length) * 0.5 : distance(key, k);
      if (!best || d < best.d) best = { name, d };
    }
  }
  return best && best.d <= Math.max(1, Math.floor([...key].length / 2)) ? best.name : undefined;
}

/**
 * A phone as written in a village roster: a mainland mobile (11 digits, 1[3-9]…, optionally +86),
 * a landline with its area code (0 + 2–3 digits, then 7–8 digits, optionally an extension), or
 * something to check ('unusual'); 'bad' when it holds more than digits, spaces, dashes and a +.
 */
export function phoneKind(v: string): 'mobile' | 'landline' | 'unusual' | 'bad' {
  const t = v.trim();
  if (!/^\+?[\d -]+(?:(?:转|ext\.?|x)\s*\d{1,6})?$/i.test(t)) return 'bad';
  const digits = t.replace(/(?:转|ext\.?|x)\s*\d{1,6}$/i, '').replace(/[\s-]/g, '');
  const national = digits.replace(/^(?:\+86|0086|86(?=1\d{10}$))/, '');
  if (/^1[3-9]\d{9}$/.test(national)) return 'mobile';
  if (/^0(?:10|2\d|[3-9]\d{2})\d{7,8}$/.test(national)) return 'landline';
  return 'unusual';
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '有', '已接种']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '×', '无', '未接种', '']);

export function parseBool(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

export function parseColour(v: string): CodeColour | undefined {
  const t = v.trim().toLowerCase().replace(/码$/, '');
  if (['绿', 'green', 'g'].includes(t)) return 'green';
  if (['黄', 'yellow', 'y'].includes(t)) return 'yellow';
  if (['红', 'red', 'r'].includes(t)) return 'red';
  return undefined;
}

export type QuarantineCell = 'home' | 'central' | 'monitoring' | 'daily' | 'none';

/** The three health tiers as villages write them (seed 000, 篇4), and central quarantine. */
export function parseQuarantine(v: string): QuarantineCell | undefined {
  const t = v.trim().toLowerCase();
  if (['居家隔离医学观察', '居家医学观察', '居家隔离', '居家', 'home'].includes(t)) return 'home';
  if (['居家健康监测', '健康监测', 'monitoring'].includes(t)) return 'monitoring';
  if (['日常健康监测', '日常监测', 'daily'].includes(t)) return 'daily';
  if (['集中隔离', '集中', 'central'].includes(t)) return 'central';
  if (['无', '否', '', 'none', 'no', '未隔离', '已解除', '解除'].includes(t)) return 'none';
  return undefined;
}

/** 'YYYY-MM-DD', 'YYYY/M/D', 'YYYY.M.D', 'YYYY年M月D日', 'YYYYMMDD' → 'YYYY-MM-DD'. */
export function parseDay(v: string): string | undefined {
  const t = v.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  const day = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day ? undefined : day;
}

export function parseCategories(v: string): { codes: string[]; unknown: string[] } {
  const codes: string[] = [];
  const unknown: string[] = [];
  const known = new Set(Object.values(CATEGORY_LABELS));
  for (const raw of v.split(/[、,，;；/|\s]+/)) {
    const t = raw.trim();
    if (!t) continue;
    const code = CATEGORY_LABELS[t] ?? (known.has(t.toLowerCase()) ? t.toLowerCase() : undefined);
    if (code) codes.push(code);
    else unknown.push(t);
  }
  return { codes, unknown };
}
