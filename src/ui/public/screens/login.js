// Sign-in: the first start (set the admin PIN), the operator list with the PIN pad, and the lock.
// The lock only stops actions: a locked kiosk keeps the live screen (verdicts, prompts, alerts, sounds)
// with the PIN panel where the inputs were; the full sign-in page is only for a kiosk with no session.
import { act, api, closeModal, h, ic, langButton, numberPad, S, tr, view } from '../core/index.js';

export async function lock() {
  S.lockedOperator = S.status?.session?.operatorId ?? null;
  const r = await api('POST', '/api/lock').catch(() => null);
  if (!r?.locked) return showLogin();
  S.locked = true;
  S.screen = 'live';
  clearTimeout(S.idleTimer);
  closeModal();
  view.shell();
}

/** Operators who may sign in, the locked one first. */
async function operators() {
  let ops = [];
  try {
    ops = await api('GET', '/api/operators/public');
  } catch {}
  const first = ops.find((o) => o.id === S.lockedOperator);
  return { first, ops: first ? [first, ...ops.filter((o) => o !== first)] : ops };
}

function operatorList(err) {
  const box = h('div.ops', { 'data-testid': 'operators' });
  const login = (op) => act(async () => {
    const pin = await numberPad({ title: `${op.name} · ${tr('输入PIN', 'Enter PIN')}`, secret: true });
    if (!pin) return;
    try {
      await api('POST', '/api/login', { operatorId: op.id, pin });
      S.status = await api('GET', '/api/status');
      S.lockedOperator = null;
      S.locked = false;
      panel = null;
      await view.enter();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  void operators().then(({ first, ops }) => {
    box.replaceChildren(...ops.map((o) => h(`button${o === first ? '.info' : ''}`, { type: 'button', 'data-operator': o.id, onclick: login(o) }, ic(o.role === 'admin' ? 'gear' : 'user'), `${o.name}${o.role === 'admin' ? tr('（管理员）', '') : ''}`)));
  });
  return box;
}

let panel = null;

/** In place of the live screen's inputs while locked (the same element across redraws: a PIN error stays). */
export function lockPanel() {
  if (panel?.dataset.lang === S.lang && panel.dataset.lockedBy === String(S.lockedOperator)) return panel;
  const err = h('p.err', { 'data-testid': 'login-error' });
  panel = h('section.lock-panel', { 'data-testid': 'lock-panel' }, h('h2', {}, ic('lock'), tr('屏幕已锁定', 'Screen locked')), h('p.hint', {}, tr('选择姓名，输入PIN解锁', 'Pick your name and type the PIN')), err, operatorList(err));
  panel.dataset.lang = S.lang;
  panel.dataset.lockedBy = String(S.lockedOperator);
  return panel;
}

export async function showLogin() {
  clearTimeout(S.idleTimer);
  closeModal();
  S.status = await api('GET', '/api/status').catch(() => S.status);
  if (S.status?.session) {
    // Signed in after all (a stale stream or request asked for the PIN screen).
    S.locked = false;
    await view.enter();
    return;
  }
  if (S.status?.locked) {
    // A locked session: the gate stays on screen (read-only), the PIN panel takes the inputs' place.
    S.lockedOperator = S.status.locked.operatorId;
    S.locked = true;
    await view.enter();
    return;
  }
  S.locked = false;
  S.es?.close();
  S.es = null;
  const app = document.getElementById('app');
  const head = h('header.top', {}, h('span.title', {}, `${S.status?.site ?? ''} · ${S.status?.gate ?? ''}`), h('span.spacer'), langButton());
  if (S.status?.setupNeeded) {
    const name = h('input', { type: 'text', value: tr('管理员', 'Administrator'), maxLength: 40, 'data-testid': 'setup-name' });
    const err = h('p.err', { 'data-testid': 'setup-error' });
    app.replaceChildren(
      head,
      h(
        'div.login',
        {},
        h('section.card', {}, h('h2', {}, ic('lock'), tr('首次启动：设置管理员PIN', 'First start: set the administrator PIN')), h('p', {}, tr('没有默认密码。请设置6到12位数字PIN，并妥善保管。', 'There is no default password. Choose a PIN of 6 to 12 digits and keep it safe.')), h('label', {}, tr('管理员姓名', 'Administrator name')), name, err,
          h('button.ok', { type: 'button', 'data-testid': 'setup-pin', onclick: act(async () => {
            const pin = await numberPad({ title: tr('设置PIN（6-12位）', 'New PIN (6-12 digits)'), secret: true });
            if (!pin) return;
            const again = await numberPad({ title: tr('再输入一次PIN', 'Enter the PIN again'), secret: true });
            if (again !== pin) {
              err.textContent = tr('两次输入的PIN不一致', 'The two PINs differ');
              return;
            }
            try {
              await api('POST', '/api/setup', { name: name.value, pin });
              S.status = await api('GET', '/api/status');
              await view.enter();
            } catch (e) {
              err.textContent = e.message;
            }
          }) }, ic('check'), tr('设置PIN', 'Set PIN'))),
      ),
    );
    return;
  }
  const err = h('p.err', { 'data-testid': 'login-error' });
  app.replaceChildren(head, h('div.login', {}, h('section.card', {}, h('h2', {}, ic('lock'), tr('值班员登录', 'Sign in')), err, operatorList(err))));
}
