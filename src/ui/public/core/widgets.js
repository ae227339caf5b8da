// Shared pieces of every screen: the toast, the button wrapper, the dialog, the number pad, the language button.
import { h, ic } from './h.js';
import { tr } from './i18n.js';
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
export function numberPad({ title, decimal = false, secret = false, signed = false, max = 12, okText }) {
  return new Promise((resolve) => {
    let value = '';
    const display = h('div.display', { 'data-testid': 'pad-display' });
    const show = () => {
      display.textContent = secret ? '•'.repeat(value.length) : value || ' ';
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
