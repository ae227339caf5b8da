// The kiosk's own keyboard (a touch-only box has none, and gloves want big keys): tapping a text field
// opens it at the bottom of the screen. 中文 types Chinese by pinyin (candidates from /api/pinyin, a
// well-kept dictionary: pinyin-pro), ABC types capitals (plates, ID letters), 123 digits. A field says
// which it starts in with data-kbd="zh|abc|num"; data-kbd="off" keeps it closed. Programmatic focus (a
// hardware keyboard, a test's fill()) does not open it: only a tap does.
import { api } from './api.js';
import { h, ic } from '/assets/page-core/h.js';
import { tr } from './i18n.js';

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NUM = ['12345-,', '67890X⌫'];
const PAGE = 8;

let target = null;
let mode = 'zh';
let upper = true;
let typed = '';
let candidates = [];
let page = 0;
let el = null;

function insert(text) {
  if (!target) return;
  const start = target.selectionStart ?? target.value.length;
  const end = target.selectionEnd ?? target.value.length;
  const max = target.maxLength > 0 ? target.maxLength : Number.POSITIVE_INFINITY;
  const next = (target.value.slice(0, start) + text + target.value.slice(end)).slice(0, max);
  target.value = next;
  const at = Math.min(start + text.length, next.length);
  try {
    target.setSelectionRange(at, at);
  } catch {}
  target.dispatchEvent(new Event('input', { bubbles: true }));
}

function backspace() {
  if (typed) {
    typed = typed.slice(0, -1);
    return lookUp();
  }
  if (!target) return;
  const start = target.selectionStart ?? target.value.length;
  const end = target.selectionEnd ?? target.value.length;
  const from = start === end ? Math.max(0, start - 1) : start;
  target.value = target.value.slice(0, from) + target.value.slice(end);
  try {
    target.setSelectionRange(from, from);
  } catch {}
  target.dispatchEvent(new Event('input', { bubbles: true }));
}

async function lookUp() {
  page = 0;
  if (!typed) {
    candidates = [];
    return draw();
  }
  const asked = typed;
  draw();
  try {
    const r = await api('GET', `/api/pinyin?q=${encodeURIComponent(asked)}`);
    if (asked === typed) candidates = r.candidates;
  } catch {
    candidates = [];
  }
  if (asked === typed) draw();
}

function pick(ch) {
  insert(ch);
  typed = '';
  candidates = [];
  page = 0;
  draw();
}

function key(label, onclick, cls = '', attrs = {}) {
  return h(`button${cls}`, { type: 'button', onclick, ...attrs }, label);
}

function draw() {
  if (!el) return;
  const shown = candidates.slice(page * PAGE, page * PAGE + PAGE);
  const bar = h(
    'div.kbd-bar',
    {},
    h('span.kbd-typed', { 'data-testid': 'kbd-typed' }, mode === 'zh' ? typed || tr('拼音', 'pinyin') : mode === 'abc' ? 'ABC' : '123'),
    ...shown.map((c) => key(c, () => pick(c), '.kbd-cand', { 'data-candidate': c })),
    candidates.length > PAGE ? key('◀', () => { page = Math.max(0, page - 1); draw(); }, '', { 'aria-label': tr('上一页', 'Previous') }) : null,
    candidates.length > PAGE ? key('▶', () => { page = Math.min(Math.ceil(candidates.length / PAGE) - 1, page + 1); draw(); }, '', { 'aria-label': tr('下一页', 'Next') }) : null,
  );
  const letter = (c) => key(mode === 'abc' && upper ? c.toUpperCase() : c, () => {
    if (mode === 'abc') insert(upper ? c.toUpperCase() : c);
    else if (typed.length < 6) {
      typed += c;
      void lookUp();
    }
  }, '', { 'data-key': c });
  const modeKey = (m, label) => key(label, () => { mode = m; typed = ''; candidates = []; draw(); }, mode === m ? '.info' : '', { 'data-mode': m });
  const bottom = h('div.kbd-row', {},
    modeKey('zh', '中文'), modeKey('abc', 'ABC'), modeKey('num', '123'),
    key(tr('空格', 'Space'), () => (typed && candidates[0] ? pick(candidates[0]) : insert(' ')), '.kbd-space'),
    key(h('span', {}, ic('check'), tr('完成', 'Done')), closeKeyboard, '.ok', { 'data-testid': 'kbd-done' }));
  const rows = mode === 'num'
    ? NUM.map((r) => h('div.kbd-row', {}, [...r].map((c) => (c === '⌫' ? key(ic('back'), backspace, '', { 'aria-label': tr('删除', 'Delete'), 'data-key': 'del' }) : key(c, () => insert(c), '', { 'data-key': c })))))
    : ROWS.map((r, i) => h('div.kbd-row', {},
        i === 2 && mode === 'abc' ? key('⇧', () => { upper = !upper; draw(); }, upper ? '.info' : '', { 'aria-label': tr('大小写', 'Shift'), 'aria-pressed': String(upper) }) : null,
        [...r].map(letter),
        i === 2 ? key(ic('back'), backspace, '', { 'aria-label': tr('删除', 'Delete'), 'data-key': 'del' }) : null));
  el.replaceChildren(bar, ...rows, bottom);
}

export function openKeyboard(input) {
  if (target !== input) {
    target = input;
    mode = ['zh', 'abc', 'num'].includes(input.dataset.kbd) ? input.dataset.kbd : 'zh';
    upper = input.dataset.case !== 'lower';
    typed = '';
    candidates = [];
  }
  if (!el) {
    el = h('div.kbd', { id: 'kbd', 'data-testid': 'keyboard', role: 'group', 'aria-label': tr('键盘', 'Keyboard') });
    // Keep the field focused: a tap on a key must not take the focus (and the caret) away from it.
    el.addEventListener('pointerdown', (e) => e.preventDefault());
    document.body.append(el);
  }
  draw();
  document.body.classList.add('kbd-open');
  // The field just under the top of its scrolling area: above the keyboard, whatever the screen.
  const label = input.previousElementSibling?.tagName === 'LABEL' ? input.previousElementSibling : input;
  requestAnimationFrame(() => label.scrollIntoView({ block: 'start' }));
}

export function closeKeyboard() {
  el?.remove();
  el = null;
  target = null;
  typed = '';
  candidates = [];
  document.body.classList.remove('kbd-open');
}

/** Opens the keyboard on a tap on any text field of the page; a tap elsewhere (not on the keyboard) closes it. */
export function installKeyboard() {
  document.addEventListener('click', (e) => {
    const t = e.target;
    if (t instanceof HTMLInputElement && ['text', 'search', 'tel'].includes(t.type) && !t.readOnly && t.dataset.kbd !== 'off') openKeyboard(t);
    // A key redraws the keyboard under the finger: the path of the click, not the (replaced) target, says where it was.
    else if (el && !e.composedPath().includes(el)) closeKeyboard();
  });
}
