// The audit log: every acknowledgement, assignment, closing, downlink, export, full view and sign-in;
// below it, when the hub serves the declaration page, each declaration made and each opening of a result.
import { api, fmtTime, h, tr } from './core.js';

export async function auditScreen(main) {
  const [{ entries }, declarations] = await Promise.all([api('GET', '/office/api/audit?limit=200'), api('GET', '/office/api/declarations/audit?limit=200')]);
  main.append(
    h('h2', {}, tr('审计日志', 'Audit log')),
    h(
      'table.stack',
      { 'data-testid': 'audit' },
      h('thead', {}, h('tr', {}, [tr('时间', 'When'), tr('用户', 'Who'), tr('操作', 'Action'), tr('对象', 'Target'), tr('详情', 'Detail'), tr('地址', 'Address')].map((t) => h('th', {}, t)))),
      h('tbody', {}, entries.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.user), h('td', {}, e.action), h('td', {}, e.target), h('td', {}, JSON.stringify(e.detail)), h('td', {}, e.address ?? '')))),
    ),
  );
  if (!declarations.enabled) return;
  const actions = { create: tr('提交申报', 'Declared'), view: tr('打开申报结果', 'Result opened') };
  main.append(
    h('h2', {}, tr('健康申报：提交与查看', 'Health declarations: made and opened')),
    h('p.muted', {}, tr('申报页每次提交和每次打开结果（含二维码和完整信息）都记在这里；不含姓名、证件号、手机号。', 'Every declaration made and every opening of its result (with its codes and full details) is logged here; no names, ID numbers or phones.')),
    h(
      'table.stack',
      { 'data-testid': 'declaration-audit' },
      h('thead', {}, h('tr', {}, [tr('时间', 'When'), tr('操作', 'Action'), tr('申报编号', 'Declaration'), tr('地址', 'Address')].map((t) => h('th', {}, t)))),
      h('tbody', {}, declarations.entries.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, actions[e.action] ?? e.action), h('td', {}, e.declaration), h('td', {}, e.client)))),
    ),
  );
}
