// Shared pieces of every screen: the toast, the button wrapper, the dialog, the number pad, the language button.
import { h, ic } from '/assets/page-core/h.js';
import { tr } from './i18n.js';
import { cue } from './sound.js';
import { S, view } from './state.js';

export function toast(text, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = bad ? 'bad' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.hidden = true;
  }, 3500);
}

/** A click handler that disables its button while `fn` runs and shows its error as a toast. */
export function act(fn) {
  return async (ev) => {
    const b = ev?.currentTarget;
    if (b) b.disabled = true;
    try {
      await fn(ev);
    } catch (err) {
      toast(err.message, true);
    } finally {
      if (b) b.disabled = false;
    }
  };
}

/**
 * Answers an input the gate (or the page) did not take, in the reserved notice strip (it never moves a
 * control), with a beep: "上一位还在核验", "已超时，请重新扫码".
 */
export function notify(text, seconds = 8) {
  clearTimeout(notify.timer);
  S.notice = { text };
  view.banner();
  cue('attention', text);
  notify.timer = setTimeout(() => {
    S.notice = null;
    view.banner();
  }, seconds * 1000);
}

/** After a lane input: an `{accepted: false, ignored}` answer is shown; true when the gate took it. */
export function answered(r) {
  if (r && r.accepted === false) {
    notify(tr(r.ignored?.zh ?? '未执行', r.ignored?.en ?? 'Not done'));
    return false;
  }
  return true;
}

let modalCleanup = null;

export function modal(content) {
  const m = document.getElementById('modal');
  m.replaceChildren(h('div.dialog', { role: 'dialog', 'aria-modal': 'true' }, content));
  m.hidden = false;
}
/** Runs `f` once when the open dialog closes (the camera releases its stream). */
export function onModalClose(f) {
  modalCleanup = f;
}
export function closeModal() {
  const m = document.getElementById('modal');
  const wasOpen = !m.hidden;
  modalCleanup?.();
  modalCleanup = null;
  m.hidden = true;
  m.replaceChildren();
  // Live events that came while the dialog covered the screen were kept, not drawn: draw them now.
  if (wasOpen && S.live && S.status?.session && S.screen === 'live' && document.getElementById('main')) view.main();
}

/** An on-screen number pad; resolves with the typed text or null. */
/** `format(value)` shows the typed value as it will be taken ("379" as "37.9 ℃"). */
export function numberPad({ title, decimal = false, secret = false, signed = false, max = 12, okText, format }) {
  return new Promise((resolve) => {
    let value = '';
    const display = h('div.display', { 'data-testid': 'pad-display' });
    const show = () => {
      display.textContent = secret ? '•'.repeat(value.length) : (format ? format(value) : value) || ' ';
    };
    const press = (k) => () => {
      if (k === 'del') value = value.slice(0, -1);
      else if (k === '±') value = value.startsWith('-') ? value.slice(1) : `-${value}`;
      else if (value.length < max && !(k === '.' && value.includes('.'))) value += k;
      show();
    };
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', decimal ? '.' : '', '0', 'del', ...(signed ? ['±'] : [])];
    modal([
      h('h2', {}, title),
      display,
      h('div.pad', {}, keys.map((k) => (k === '' ? h('span') : h('button', { type: 'button', onclick: press(k), 'aria-label': k === 'del' ? tr('删除', 'Delete') : k, 'data-key': k }, k === 'del' ? ic('back') : k)))),
      h('div.row', { style: 'margin-top:8px' }, h('button', { type: 'button', onclick: () => { closeModal(); resolve(null); } }, ic('cross'), tr('取消', 'Cancel')), h('button.ok', { type: 'button', 'data-testid': 'pad-ok', onclick: () => { closeModal(); resolve(value); } }, ic('check'), okText ?? tr('确定', 'OK'))),
    ]);
    show();
  });
}

const shiftDay = (day, by) => new Date(Date.parse(`${day}T12:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/**
 * The page's own day entry (a browser date picker shows mm/dd/yyyy in an English session and is fiddly
 * with gloves): the day as YYYY-MM-DD with ◀ ▶ a day back and forward. `input.value` is the day or ''.
 */
export function dayField({ testid, value = '', label, today }) {
  const input = h('input', { type: 'text', inputMode: 'numeric', value, maxLength: 10, pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: tr('全部日期', 'Any day'), 'data-testid': testid, 'aria-label': label });
  const step = (by) => () => {
    input.value = shiftDay(/^\d{4}-\d{2}-\d{2}$/.test(input.value) ? input.value : today(), input.value ? by : 0);
    input.dispatchEvent(new Event('change'));
  };
  const el = h('div.dayfield', {}, h('button', { type: 'button', 'aria-label': tr('前一天', 'Day before'), onclick: step(-1) }, '◀'), input, h('button', { type: 'button', 'aria-label': tr('后一天', 'Day after'), onclick: step(1) }, '▶'));
  return { el, input };
}

function setLang(lang) {
  S.lang = lang;
  localStorage.setItem('kiosk-lang', lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  if (S.status?.session) view.shell();
  else void view.signIn();
}

export function langButton() {
  return h('button', { type: 'button', 'data-testid': 'lang', 'aria-label': 'Language / 语言', onclick: () => setLang(S.lang === 'en' ? 'zh-CN' : 'en') }, ic('globe'), S.lang === 'en' ? '中文' : 'English');
}
