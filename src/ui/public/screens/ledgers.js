// 台账: the ledgers (passages, refusals, visitors, alerts) by text and day, and the masked export.
import { act, actorWord, api, dayField, h, ic, S, SEVERITY_CLASS, severityWord, subjectText, toast, tr, trText, villageTime, villageToday } from '../core/index.js';

const fmt = (ms) => villageTime(ms, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const OUT = { admitted: ['ok', '通行', 'Admitted'], refused: ['bad', '劝返', 'Refused'], overridden: ['warn', '人工', 'Override'], abandoned: ['info', '取消', 'Abandoned'] };

export function ledgersScreen(main) {
  const admin = S.status.session?.role === 'admin';
  let kind = 'passages';
  const text = h('input', { type: 'search', placeholder: tr('姓名、卡号、身份证后4位或车牌', 'Name, card, ID tail or plate'), 'data-testid': 'ledger-search' });
  const body = h('div', { 'data-testid': 'ledger-rows' });
  const kinds = [['passages', '出入', 'Passages'], ['refusals', '劝返', 'Refusals'], ['visitors', '访客', 'Visitors'], ['alerts', '告警', 'Alerts']];
  const tabs = h('div.row', {}, kinds.map(([k, zh, en]) => h('button', { type: 'button', 'data-kind': k, class: k === kind ? 'info' : '', onclick: act(async (e) => { kind = k; for (const b of tabs.children) b.className = b.dataset.kind === k ? 'info' : ''; e.currentTarget.className = 'info'; await load(); }) }, tr(zh, en))));
  const { el: dayBox, input: day } = dayField({ testid: 'ledger-day', label: tr('日期', 'Day'), today: villageToday });
  async function load() {
    const t = encodeURIComponent(text.value.trim());
    // The server turns the day into the village's midnight-to-midnight.
    const range = day.value ? `&day=${day.value}` : '';
    if (kind === 'passages' || kind === 'refusals') {
      const rows = await api('GET', `/api/passages?limit=100${t ? `&text=${t}` : ''}${range}${kind === 'refusals' ? '&outcome=refused' : ''}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('时间', 'Time'), tr('方向', 'Dir.'), tr('人员', 'Who'), tr('结果', 'Outcome'), tr('原因', 'Reasons')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((p) => { const o = OUT[p.outcome] ?? OUT.abandoned; return h('tr', {}, h('td.nw', {}, fmt(p.decidedAt)), h('td.nw', {}, p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In')), h('td', {}, subjectText(p.subject)), h('td', {}, h(`span.tag.${o[0]}`, {}, tr(o[1], o[2]))), h('td', {}, p.reasons.map(trText).join('；'))); }))));
    } else if (kind === 'visitors') {
      const rows = await api('GET', `/api/visitors?limit=100${t ? `&text=${t}` : ''}${range}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('登记', 'Registered'), tr('姓名', 'Name'), tr('身份证', 'ID'), tr('来自', 'From'), tr('销号', 'Signed out')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((v) => h('tr', {}, h('td', {}, fmt(v.registeredAt)), h('td', {}, v.name), h('td', {}, v.idNumber ?? '—'), h('td', {}, v.origin ?? '—'), h('td', {}, v.signedOutAt ? fmt(v.signedOutAt) : tr('在内', 'Inside')))))));
    } else {
      const rows = await api('GET', `/api/alerts?limit=100${range}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('时间', 'Time'), tr('级别', 'Level'), tr('内容', 'Alert'), tr('确认', 'Ack')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((a) => h('tr', {}, h('td', {}, fmt(a.at)), h('td', {}, h(`span.tag.${SEVERITY_CLASS[a.severity] ?? 'info'}`, {}, severityWord(a.severity))), h('td', {}, trText(a.text)), h('td', {}, a.acknowledgedBy ? actorWord(a.acknowledgedBy) : '—'))))));
    }
  }
  const today = villageToday();
  const { el: fromBox, input: from } = dayField({ testid: 'export-from', value: today, label: tr('从', 'From'), today: villageToday });
  const { el: toBox, input: to } = dayField({ testid: 'export-to', value: today, label: tr('到', 'To'), today: villageToday });
  const what = h('select', { 'data-testid': 'export-what' }, [['passages', '出入登记', 'Passages'], ['refusals', '劝返登记', 'Refusals'], ['visitors', '外来人员登记', 'Visitors'], ['alerts', '告警', 'Alerts'], ['duty', '值班表', 'Duty']].map(([k, zh, en]) => h('option', { value: k }, tr(zh, en))));
  const href = (full, format) => `/api/export?what=${what.value}&from=${from.value}&to=${to.value}&format=${format}${full ? '&full=true' : ''}`;
  const download = (full, format) => () => {
    const a = h('a', { href: href(full, format), download: '' });
    document.body.append(a);
    a.click();
    a.remove();
    toast(full ? tr('完整导出已记入审计', 'Full export written to the audit log') : tr('已导出（个人信息已脱敏）', 'Exported (personal data masked)'));
  };
  main.replaceChildren(
    h('div', {},
      h('section.card', {}, tabs, h('div.row', { style: 'margin-top:6px' }, text, h('button.info', { type: 'button', onclick: act(load) }, ic('search'), tr('搜索', 'Search')), dayBox), body),
      h('section.card', { style: 'margin-top:8px' }, h('h2', {}, ic('download'), tr('导出台账', 'Export a ledger')), h('div.row', {}, what, fromBox, toBox),
        h('div.row', { style: 'margin-top:6px' },
          h('button.ok', { type: 'button', 'data-testid': 'export-csv', onclick: download(false, 'csv') }, ic('download'), tr('导出CSV（脱敏）', 'CSV (masked)')),
          h('button', { type: 'button', 'data-testid': 'export-xlsx', onclick: download(false, 'xlsx') }, ic('download'), tr('导出Excel（脱敏）', 'Excel (masked)')),
          admin ? h('button.warn', { type: 'button', 'data-testid': 'export-full', onclick: download(true, 'xlsx') }, ic('warn'), tr('完整导出（审计）', 'Full export (audited)')) : null))),
  );
  void load().catch((e) => toast(e.message, true));
  return null;
}
