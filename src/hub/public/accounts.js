// Accounts (the admin's): who may sign in and with which role; a new account gets a password of at
// least 10 characters, told to its owner out of band.
import { api, h, ic, roleName, toast, tr } from './core.js';

export async function accountsScreen(main, { refresh }) {
  const { users } = await api('GET', '/office/api/users');
  const name = h('input', { name: 'name', autocomplete: 'off', placeholder: tr('用户名（字母数字）', 'Name (letters, digits)'), 'aria-label': tr('用户名', 'Name') });
  const display = h('input', { name: 'display', placeholder: tr('显示名，如：王医生', 'Shown as, e.g. Dr Wang'), 'aria-label': tr('显示名', 'Shown as') });
  const role = h('select', { name: 'role', 'aria-label': tr('角色', 'Role') }, ['duty', 'doctor', 'viewer', 'admin'].map((r) => h('option', { value: r }, roleName(r))));
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', placeholder: tr('初始密码（至少10位）', 'Password (10+ characters)'), 'aria-label': tr('密码', 'Password') });
  main.append(
    h('h2', {}, ic('user'), tr('账号', 'Accounts')),
    h(
      'table.stack',
      { 'data-testid': 'users' },
      h('thead', {}, h('tr', {}, [tr('用户名', 'Name'), tr('显示名', 'Shown as'), tr('角色', 'Role')].map((t) => h('th', {}, t)))),
      h('tbody', {}, users.map((u) => h('tr', {}, h('td', {}, u.name), h('td', {}, u.display), h('td', {}, roleName(u.role))))),
    ),
    h('h2', {}, tr('新建账号', 'New account')),
    h(
      'form.filters',
      {
        'data-testid': 'new-user',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('POST', '/office/api/users', { name: name.value, display: display.value, role: role.value, password: password.value });
            toast(tr('已创建', 'Created'));
            e.target.reset();
            await refresh();
          } catch (err) {
            toast(err.message);
          }
        },
      },
      name,
      display,
      role,
      password,
      h('button.primary', { type: 'submit', 'data-testid': 'create-user' }, ic('check'), tr('创建', 'Create')),
    ),
  );
}
