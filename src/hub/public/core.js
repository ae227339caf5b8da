// The office page's core: state, language, API calls with the CSRF token, toast. The element builder,
// the icons and the API client are the pages' shared core (src/page-core/, served at
// /office/assets/page-core/): every text from the server goes in with textContent.
import { apiClient } from '/office/assets/page-core/api.js';
import { h, ic } from '/office/assets/page-core/h.js';

export { h, ic };

// edits: every input or change on any screen so far (office.js counts them; a redraw fetched while it moved is dropped).
export const S = { lang: 'zh-CN', me: null, screen: 'overview', unackedCritical: 0, edits: 0 };

const params = new URLSearchParams(location.search);
S.lang = params.get('lang') ?? localStorage.getItem('office-lang') ?? 'zh-CN';

export const tr = (zh, en) => (S.lang === 'en' ? en : zh);
// Times in the villages' zone (office.timeZone, told by /office/api/me), whatever the browser's zone.
export const zone = () => S.me?.timeZone ?? 'Asia/Shanghai';
export const fmtTime = (ms) => (ms ? new Date(ms).toLocaleString(S.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: zone(), month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }) : '—');
export const fmtHour = (ms) => new Date(ms).toLocaleTimeString('en-GB', { timeZone: zone(), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export const ago = (ms) => {
  if (!ms) return '—';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return tr(`${s}秒前`, `${s} s ago`);
  if (s < 3600) return tr(`${Math.round(s / 60)}分钟前`, `${Math.round(s / 60)} min ago`);
  if (s < 86400) return tr(`${Math.round(s / 3600)}小时前`, `${Math.round(s / 3600)} h ago`);
  return tr(`${Math.round(s / 86400)}天前`, `${Math.round(s / 86400)} d ago`);
};

export const badge = (cls, iconName, text) => h(`span.badge.${cls}`, {}, ic(iconName), text);

export const api = apiClient({ tr, headers: (method) => (method !== 'GET' && S.me?.csrf ? { 'x-csrf-token': S.me.csrf } : {}) });

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    t.hidden = true;
  }, 4000);
}

export const can = (p) => S.me?.can?.includes(p) === true;
export const roleName = (r) => ({ viewer: tr('查看', 'Viewer'), duty: tr('值班员', 'Duty officer'), doctor: tr('村医', 'Doctor'), admin: tr('管理员', 'Admin') })[r] ?? r;
