// Sign-in: the first start (set the admin PIN), the operator list with the PIN pad, and the lock.
import { act, api, closeModal, h, ic, langButton, numberPad, S, tr, view } from '../core/index.js';

export async function lock() {
  S.lockedOperator = S.status?.session?.operatorId ?? null;
  await api('POST', '/api/logout').catch(() => {});
  await showLogin();
}

export async function showLogin() {
  S.es?.close();
  S.es = null;
  clearTimeout(S.idleTimer);
  closeModal();
  S.status = await api('GET', '/api/status').catch(() => S.status);
  if (S.status?.locked) S.lockedOperator = S.status.locked.operatorId;
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
  let ops = [];
  try {
    ops = await api('GET', '/api/operators/public');
  } catch {}
  const err = h('p.err', { 'data-testid': 'login-error' });
  const login = (op) => act(async () => {
    const pin = await numberPad({ title: `${op.name} · ${tr('输入PIN', 'Enter PIN')}`, secret: true });
    if (!pin) return;
    try {
      await api('POST', '/api/login', { operatorId: op.id, pin });
      S.status = await api('GET', '/api/status');
      S.lockedOperator = null;
      await view.enter();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  const first = ops.find((o) => o.id === S.lockedOperator);
  app.replaceChildren(
    head,
    h(
      'div.login',
      {},
      h('section.card', {}, h('h2', {}, ic('lock'), first ? tr('屏幕已锁定', 'Screen locked') : tr('值班员登录', 'Sign in')), err,
        h('div.ops', { 'data-testid': 'operators' }, (first ? [first, ...ops.filter((o) => o !== first)] : ops).map((o) => h(`button${o === first ? '.info' : ''}`, { type: 'button', 'data-operator': o.id, onclick: login(o) }, ic(o.role === 'admin' ? 'gear' : 'user'), `${o.name}${o.role === 'admin' ? tr('（管理员）', ' (admin)') : ''}`)))),
    ),
  );
}
