// The audit log: every acknowledgement, assignment, closing, downlink, export, full view and sign-in.
import { api, fmtTime, h, tr } from './core.js';

export async function auditScreen(main) {
  const { entries } = await api('GET', '/office/api/audit?limit=200');
  main.append(
    h('h2', {}, tr('审计日志', 'Audit log')),
    h(
      'table.stack',
      { 'data-testid': 'audit' },
      h('thead', {}, h('tr', {}, [tr('时间', 'When'), tr('用户', 'Who'), tr('操作', 'Action'), tr('对象', 'Target'), tr('详情', 'Detail'), tr('地址', 'Address')].map((t) => h('th', {}, t)))),
      h('tbody', {}, entries.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.user), h('td', {}, e.action), h('td', {}, e.target), h('td', {}, JSON.stringify(e.detail)), h('td', {}, e.address ?? '')))),
    ),
  );
}
