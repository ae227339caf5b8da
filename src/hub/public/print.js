// The daily report's print view (/office/assets/print.html?day=…&lang=…): the office's table on one
// A4 page for the office head to sign — the title, the day, the township's zero report and its least
// epidemic-free compound, each compound's gates and subtotal, the total, the rules in a line, and
// the signature lines. The type shrinks until the sheet fits one page (6 px at the least).
// `print=1` opens the browser's print dialog once drawn.
import { api, fmtTime, h, S, tr } from './core.js';
import { ordered, reportHead, reportRow, zeroText } from './report.js';

const sheet = document.getElementById('sheet');
const params = new URLSearchParams(location.search);
document.documentElement.lang = S.lang === 'en' ? 'en' : 'zh-CN';

const MM = 96 / 25.4;
// A4 less the @page margins (10 mm each side), a little kept back for rounding.
const WIDTH = 190 * MM;
const HEIGHT = 277 * MM - 6;

function fitToPage() {
  let size = 12;
  sheet.style.fontSize = `${size}px`;
  while ((sheet.scrollWidth > WIDTH || sheet.scrollHeight > HEIGHT) && size > 6) {
    size -= 0.5;
    sheet.style.fontSize = `${size}px`;
  }
  sheet.dataset.fontSize = String(size);
}

try {
  S.me = await api('GET', '/office/api/me');
  const day = params.get('day') ?? '';
  const r = await api('GET', `/office/api/report${day ? `?day=${encodeURIComponent(day)}` : ''}`);
  const gates = r.rows.length;
  const missing = r.rows.filter((x) => x.missing).length;
  const least = r.total.epidemicFreeDays;
  document.title = tr(`日报 ${r.day}`, `Daily report ${r.day}`);
  sheet.replaceChildren(
    h('h1', {}, tr('疫情防控日报（各小区汇总）', 'Epidemic control daily report — all compounds')),
    h('div.meta', {}, h('span', {}, `${tr('日期', 'Day')}: ${r.day}`), h('span', {}, `${tr('生成', 'Generated')}: ${r.generatedAt ?? fmtTime(Date.now())}`), h('span', {}, `${tr('卡口', 'Gates')}: ${gates}${missing ? tr(`（缺报 ${missing}）`, ` (${missing} missing)`) : ''}`)),
    h(
      'div.summary',
      { 'data-testid': 'print-summary' },
      h('span', {}, `${tr('无病例零报告', 'Zero report (no case)')}: ${zeroText(r.total.zeroReport) || '—'}`),
      h('span', {}, `${tr('无疫情天数（最少的小区）', 'Epidemic-free days (least compound)')}: ${least ?? tr('未设定', 'not set')}`),
      h('span', {}, `${tr('进/出', 'In/out')}: ${r.total.entries}/${r.total.exits}`),
      h('span', {}, `${tr('发热', 'Fevers')}: ${r.total.feverAlerts}`),
    ),
    h('table', { 'data-testid': 'print-table' }, reportHead(), h('tbody', {}, ordered(r).map(([x, kind]) => reportRow(x, kind)))),
    h(
      'ul.notes',
      {},
      h('li', {}, tr('红色行：该卡口当日未上报日报。', 'Red rows: the gate sent no report for the day.')),
      h('li', {}, tr('无疫情天数由指挥部设定；确诊、疑似病例或密切接触者离开小区的第二天起重新计算；“（卡口）”为卡口自报，指挥部尚未设定。', 'Epidemic-free days are set by the office; a confirmed or suspected case or a close contact restarts the count the day after they leave the compound; "(gates)": the gates\' own count, not yet set by the office.')),
    ),
    h('div.sign', {}, h('span', {}, `${tr('填报人', 'Prepared by')}:`), h('span', {}, `${tr('审核（指挥部负责人）', 'Approved (office head)')}:`), h('span', {}, `${tr('报送时间', 'Sent at')}:`)),
  );
  await document.fonts.ready;
  fitToPage();
  document.body.dataset.ready = 'true';
  if (params.get('print') === '1') window.print();
} catch (err) {
  sheet.replaceChildren(h('p.err', {}, err.status === 401 ? tr('请先在指挥部页面登录', 'Sign in to the office first') : err.message));
  document.body.dataset.ready = 'error';
}
