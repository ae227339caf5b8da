// The daily report (日报) across compounds: a row per gate, a subtotal per compound, the total; a
// missing report in red; CSV for Excel (UTF-8 with BOM) and for older Excel (GBK).
import { api, badge, h, ic, tr } from './core.js';
import { ZONES } from './word.js';

let day = '';

function row(r, kind) {
  const zone = r.zoneLevel && ZONES[r.zoneLevel] ? tr(ZONES[r.zoneLevel][1], ZONES[r.zoneLevel][2]) : '';
  return h(
    `tr${r.missing && kind === 'gate' ? '.missing' : ''}${kind !== 'gate' ? '.sum' : ''}`,
    { 'data-testid': kind === 'gate' ? 'report-row' : 'report-sum' },
    h('td', {}, r.site || tr('合计', 'Total')),
    h('td', {}, kind === 'gate' ? r.gate : kind === 'site' ? tr('小计', 'Subtotal') : ''),
    ...['entries', 'exits', 'visitors', 'refusals', 'feverAlerts', 'peopleInside'].map((k) => h('td', {}, kind === 'gate' && r.missing ? '—' : r[k])),
    h('td', {}, r.zeroReport === null ? '' : r.zeroReport ? tr('是', 'Yes') : tr('否', 'No')),
    h('td', {}, r.epidemicFreeDays ?? ''),
    h('td', {}, zone),
    h('td', {}, r.missing ? badge('bad', 'warn', kind === 'gate' ? tr('缺报', 'Missing') : tr('有缺报', 'Some missing')) : badge('ok', 'check', tr('已报', 'Reported'))),
  );
}

export async function reportScreen(main, { refresh }) {
  const r = await api('GET', `/office/api/report${day ? `?day=${day}` : ''}`);
  day = r.day;
  main.append(
    h('h2', {}, ic('list'), tr(`日报 ${r.day}`, `Daily report ${r.day}`)),
    h(
      'div.filters',
      {},
      h('input', { type: 'date', name: 'day', value: r.day, 'aria-label': tr('日期', 'Day'), onchange: (e) => { day = e.target.value; void refresh(); } }),
      h('a.button', { href: `/office/api/report.csv?day=${r.day}`, download: '', 'data-testid': 'csv-utf8' }, tr('导出 CSV（UTF-8）', 'CSV (UTF-8)')),
      h('a.button', { href: `/office/api/report.csv?day=${r.day}&encoding=gbk`, download: '', 'data-testid': 'csv-gbk' }, tr('导出 CSV（GBK）', 'CSV (GBK)')),
    ),
    h(
      'table.stack.report',
      { 'data-testid': 'report' },
      h('thead', {}, h('tr', {}, [tr('小区', 'Compound'), tr('卡口', 'Gate'), tr('进', 'In'), tr('出', 'Out'), tr('访客', 'Visitors'), tr('拒绝', 'Refused'), tr('发热', 'Fevers'), tr('在内', 'Inside'), tr('零报告', 'Zero report'), tr('无疫情天数', 'Free days'), tr('等级', 'Zone'), tr('状态', 'Status')].map((t) => h('th', {}, t)))),
      h('tbody', {}, r.rows.map((x) => row(x, 'gate')), r.sites.map((x) => row(x, 'site')), row(r.total, 'total')),
    ),
  );
}
