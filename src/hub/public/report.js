// The daily report (日报) across compounds: each compound's gates, then its subtotal, the township's
// total last; a missing report in red. Exports: CSV for Excel (UTF-8 with BOM) and older Excel (GBK),
// XLSX, and the A4 print view. Below, each compound's epidemic-free days as the office sets and
// resets them (seed 004: a case restarts the count the day after they leave the compound).
import { api, badge, can, fmtTime, h, ic, S, toast, tr } from './core.js';
import { ZONES } from './word.js';

let day = '';

export const REPORT_COLUMNS = [
  ['entries', '进', 'In'],
  ['exits', '出', 'Out'],
  ['refusals', '劝返', 'Refused'],
  ['feverAlerts', '发热', 'Fevers'],
  ['visitors', '访客', 'Visitors'],
  ['deliveries', '快递', 'Deliveries'],
  ['inQuarantine', '隔离', 'Quarantine'],
  ['inMonitoring', '健康监测', 'Monitoring'],
  ['returnees', '返乡报备', 'Returnees'],
  ['alerts', '告警', 'Alerts'],
];
const KINDS = { case: ['确诊', 'Confirmed'], suspected: ['疑似', 'Suspected'], 'close-contact': ['密接', 'Close contact'] };

export const zeroText = (z) => (z === null ? '' : z ? tr('是', 'Yes') : tr('否', 'No'));
export const freeText = (r) => (r.epidemicFreeDays === null ? tr('未设定', 'Not set') : `${r.epidemicFreeDays}${r.freeDaysBy === 'gates' ? tr('（卡口）', ' (gates)') : ''}`);

/** The table's rows in print and on screen: [row, kind] with each compound's gates before its subtotal. */
export function ordered(r) {
  const out = [];
  for (const s of r.sites) {
    for (const g of r.rows.filter((x) => x.site === s.site)) out.push([g, 'gate']);
    out.push([s, 'site']);
  }
  out.push([r.total, 'total']);
  return out;
}

export function reportRow(r, kind) {
  const zone = r.zoneLevel && ZONES[r.zoneLevel] ? tr(ZONES[r.zoneLevel][1], ZONES[r.zoneLevel][2]) : '';
  return h(
    `tr${r.missing && kind === 'gate' ? '.missing' : ''}${kind !== 'gate' ? '.sum' : ''}`,
    { 'data-testid': kind === 'gate' ? 'report-row' : 'report-sum' },
    h('td', { 'data-label': tr('小区', 'Compound') }, r.site || tr('合计', 'Total')),
    h('td', { 'data-label': tr('卡口', 'Gate') }, kind === 'gate' ? r.gate : kind === 'site' ? tr('小计', 'Subtotal') : ''),
    ...REPORT_COLUMNS.map(([k, zh, en]) => h('td.num', { 'data-label': tr(zh, en) }, kind === 'gate' && r.missing ? '—' : r[k])),
    h('td', { 'data-label': tr('零报告', 'Zero report') }, zeroText(r.zeroReport)),
    h('td.num', { 'data-label': tr('无疫情天数', 'Free days'), 'data-testid': kind === 'site' ? `free-${r.site}` : null }, kind === 'gate' ? '' : freeText(r)),
    h('td', { 'data-label': tr('等级', 'Zone') }, zone),
    h('td', { 'data-label': tr('状态', 'Status') }, r.missing ? badge('bad', 'warn', kind === 'gate' ? tr('缺报', 'Missing') : tr('有缺报', 'Some missing')) : badge('ok', 'check', tr('已报', 'Reported'))),
  );
}

export const reportHead = () =>
  h(
    'thead',
    {},
    h('tr', {}, h('th', {}, tr('小区', 'Compound')), h('th', {}, tr('卡口', 'Gate')), REPORT_COLUMNS.map(([, zh, en]) => h('th.num', {}, tr(zh, en))), h('th', {}, tr('零报告', 'Zero report')), h('th.num', {}, tr('无疫情天数', 'Free days')), h('th', {}, tr('等级', 'Zone')), h('th', {}, tr('状态', 'Status'))),
  );

async function act(path, body, refresh, done) {
  try {
    await api('POST', path, body);
    toast(done);
    await refresh();
  } catch (err) {
    toast(err.message);
  }
}

function freePanel(f, refresh) {
  const edit = can('report.edit');
  const site = encodeURIComponent(f.site);
  const days = h('input', { type: 'number', name: 'days', min: 0, max: 36500, required: true, 'aria-label': tr('无疫情天数', 'Epidemic-free days'), value: f.days ?? '' });
  const asOf = h('input', { type: 'date', name: 'asOf', value: day, 'aria-label': tr('截至', 'As of') });
  const kind = h('select', { name: 'kind', 'aria-label': tr('类别', 'Kind') }, Object.entries(KINDS).map(([k, [zh, en]]) => h('option', { value: k }, tr(zh, en))));
  const found = h('input', { type: 'date', name: 'foundDay', value: day, 'aria-label': tr('发现日期', 'Found on') });
  const left = h('input', { type: 'date', name: 'leftDay', 'aria-label': tr('离开小区日期（送治/送隔离）', 'Left the compound on') });
  const note = h('input', { name: 'note', maxLength: 200, placeholder: tr('备注（不含个人信息，如流调编号）', 'Note (no personal data, e.g. case number)'), 'aria-label': tr('备注', 'Note') });
  return h(
    'div.free',
    { 'data-testid': `free-panel-${f.site}` },
    h('h3', {}, f.site, ' · ', h('b', { 'data-testid': 'free-days' }, f.days === null ? tr('未设定', 'Not set') : tr(`无疫情 ${f.days} 天`, `${f.days} epidemic-free days`))),
    f.since ? h('div.muted', {}, tr(`自 ${f.since} 起计 · ${f.setBy} 设定于 ${fmtTime(f.setAt)}`, `Counted from ${f.since} · set by ${f.setBy} at ${fmtTime(f.setAt)}`)) : null,
    f.cases.length
      ? h(
          'ul.cases',
          {},
          f.cases.map((c) => {
            const leftDay = h('input', { type: 'date', value: c.leftDay ?? day, 'aria-label': tr('离开小区日期', 'Left on') });
            return h(
              'li',
              { 'data-testid': 'case' },
              h('span', {}, `${tr(...KINDS[c.kind])} · ${tr('发现', 'found')} ${c.foundDay} · ${c.leftDay ? tr(`${c.leftDay} 离开小区`, `left ${c.leftDay}`) : tr('仍在小区内', 'still in the compound')}${c.note ? ` · ${c.note}` : ''} · ${c.recordedBy}`),
              edit && !c.leftDay ? [leftDay, h('button', { type: 'button', 'data-testid': 'case-left', onclick: () => act(`/office/api/free-days/cases/${c.id}/left`, { leftDay: leftDay.value }, refresh, tr('已记录离开日期', 'Leaving day recorded')) }, tr('已离开', 'Left'))] : null,
              edit ? h('button', { type: 'button', 'data-testid': 'case-void', onclick: () => confirm(tr('作废这条记录？（登记错误时使用，审计日志保留）', 'Void this record? (for a mistake; the audit log keeps it)')) && act(`/office/api/free-days/cases/${c.id}/void`, {}, refresh, tr('已作废', 'Voided')) }, tr('作废', 'Void')) : null,
            );
          }),
        )
      : null,
    edit
      ? [
          h(
            'form.inline',
            { 'data-testid': 'free-set', onsubmit: (e) => { e.preventDefault(); void act(`/office/api/free-days/${site}`, { days: Number(days.value), asOf: asOf.value }, refresh, tr('已设定', 'Set')); } },
            h('label', {}, tr('设定无疫情天数', 'Set the free days'), days),
            h('label', {}, tr('截至', 'as of'), asOf),
            h('button.primary', { type: 'submit' }, ic('check'), tr('设定', 'Set')),
          ),
          h(
            'form.inline',
            { 'data-testid': 'free-case', onsubmit: (e) => { e.preventDefault(); void act(`/office/api/free-days/${site}/cases`, { kind: kind.value, foundDay: found.value, ...(left.value ? { leftDay: left.value } : {}), note: note.value }, refresh, tr('已登记，重新计算', 'Recorded; the count restarts')); } },
            h('label', {}, tr('登记病例（重新计算）', 'Record a case (restarts)'), kind),
            h('label', {}, tr('发现', 'found'), found),
            h('label', {}, tr('离开小区', 'left'), left),
            note,
            h('button.danger', { type: 'submit' }, ic('warn'), tr('登记', 'Record')),
          ),
        ]
      : null,
  );
}

export async function reportScreen(main, { refresh }) {
  const r = await api('GET', `/office/api/report${day ? `?day=${day}` : ''}`);
  day = r.day;
  const q = `day=${r.day}`;
  main.append(
    h('h2', {}, ic('list'), tr(`日报 ${r.day}`, `Daily report ${r.day}`)),
    h(
      'div.filters',
      {},
      h('input', { type: 'date', name: 'day', value: r.day, 'aria-label': tr('日期', 'Day'), onchange: (e) => { day = e.target.value; void refresh(); } }),
      h('a.button', { href: `/office/api/report.xlsx?${q}`, download: '', 'data-testid': 'xlsx' }, ic('download'), tr('导出 Excel（XLSX）', 'Excel (XLSX)')),
      h('a.button', { href: `/office/api/report.csv?${q}`, download: '', 'data-testid': 'csv-utf8' }, tr('导出 CSV（UTF-8）', 'CSV (UTF-8)')),
      h('a.button', { href: `/office/api/report.csv?${q}&encoding=gbk`, download: '', 'data-testid': 'csv-gbk' }, tr('导出 CSV（GBK）', 'CSV (GBK)')),
      h('a.button', { href: `/office/assets/print.html?${q}&lang=${S.lang}&print=1`, target: '_blank', rel: 'noopener', 'data-testid': 'print' }, ic('print'), tr('打印（A4）', 'Print (A4)')),
    ),
    h('table.stack.report', { 'data-testid': 'report' }, reportHead(), h('tbody', {}, ordered(r).map(([x, kind]) => reportRow(x, kind)))),
    h('h2', {}, ic('check'), tr('无疫情天数（指挥部设定与重置）', 'Epidemic-free days (set and reset by the office)')),
    h('p.muted', {}, tr('规则：确诊、疑似病例或密切接触者离开小区（送治/送隔离）的第二天起重新计算；仍在小区内为 0 天；原因不明的发热在确诊前不重置。', 'Rules: a confirmed or suspected case or a close contact restarts the count the day after they leave the compound (to treatment or quarantine); 0 while still inside; a fever of unknown cause does not reset it until diagnosed.')),
    h('div.frees', {}, r.freeDays.map((f) => freePanel(f, refresh))),
  );
}
