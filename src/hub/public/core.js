// The office page's core: state, language, element builder, API calls with the CSRF token, toast.
// Every text from the server goes in with textContent; only the fixed icon SVGs are parsed as markup.
import { icon } from './icons.js';

export const S = { lang: 'zh-CN', me: null, screen: 'overview', unackedCritical: 0 };

const params = new URLSearchParams(location.search);
S.lang = params.get('lang') ?? localStorage.getItem('office-lang') ?? 'zh-CN';

export const tr = (zh, en) => (S.lang === 'en' ? en : zh);
export const fmtTime = (ms) => (ms ? new Date(ms).toLocaleString(S.lang === 'en' ? 'en-GB' : 'zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');
export const ago = (ms) => {
  if (!ms) return '—';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return tr(`${s}秒前`, `${s} s ago`);
  if (s < 3600) return tr(`${Math.round(s / 60)}分钟前`, `${Math.round(s / 60)} min ago`);
  if (s < 86400) return tr(`${Math.round(s / 3600)}小时前`, `${Math.round(s / 3600)} h ago`);
  return tr(`${Math.round(s / 86400)}天前`, `${Math.round(s / 86400)} d ago`);
};

/** h('button.primary', {onclick}, 'text', child…) */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && k !== 'list' && k !== 'type') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
export const ic = (name) => {
  const t = document.createElement('template');
  t.innerHTML = icon(name);
  return t.content.firstChild;
};
export const badge = (cls, iconName, text) => h(`span.badge.${cls}`, {}, ic(iconName), text);

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET' && S.me?.csrf) init.headers['x-csrf-token'] = S.me.csrf;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const json = (r.headers.get('content-type') ?? '').includes('json') ? await r.json() : null;
  if (!r.ok) {
    const err = new Error(json?.zh ? tr(json.zh, json.en) : `HTTP ${r.status}`);
    err.status = r.status;
    err.body = json;
    throw err;
  }
  return json;
}

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
