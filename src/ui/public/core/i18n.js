// zh-CN first, English second: every string the page shows goes through tr() or trText().
import { S } from './state.js';

export const tr = (zh, en) => (S.lang === 'en' ? en : zh);
/** A server text `{zh, en}` in the page's language. */
export const trText = (t) => (t ? (S.lang === 'en' ? t.en : t.zh) : '');
/** A time as the village's clock shows it (the site's zone, not the zone the browser runs in). */
export const villageTime = (ms, opts) => new Date(ms).toLocaleString(S.lang === 'en' ? 'en-GB' : 'zh-CN', { ...opts, ...(S.status?.timeZone ? { timeZone: S.status.timeZone } : {}) });
export const hhmm = (ms) => villageTime(ms, { hour: '2-digit', minute: '2-digit' });
/** The village's calendar day, YYYY-MM-DD. */
export const villageToday = () => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(S.status?.timeZone ? { timeZone: S.status.timeZone } : {}) }).format(new Date());

/** Who a passage is about, as the server masked it. */
export function subjectText(s) {
  if (!s) return tr('未识别', 'Not identified');
  const kind = { household: tr('户卡', 'Household card'), person: tr('人卡', 'Person card'), vehicle: tr('车证', 'Vehicle'), staff: tr('工作人员', 'Staff'), visitor: tr('访客', 'Visitor'), 'resident-id': tr('身份证', 'ID card'), 'visitor-id': tr('访客', 'Visitor'), courier: tr('快递外卖', 'Courier'), unknown: tr('未知', 'Unknown') }[s.kind] ?? s.kind;
  const who = s.name ?? (s.kind === 'household' && s.householdId ? `${tr('户', 'Household')} ${s.householdId}` : '');
  return [who, s.idTail ? `**${s.idTail}` : '', s.plate, `(${kind})`].filter(Boolean).join(' ');
}
