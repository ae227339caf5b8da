// More of the word to the gates (./word.js draws the zone level and the risk areas): revoked pass
// cards (the full list, started from the last one sent), policy thresholds (only what is filled in),
// quarantine set / release (a release with who signed and the day-5 and day-11 tests), and a roster
// pushed from a spreadsheet, whose rows the server checks by the gate's own import rules: every
// problem is listed by row before anything can be sent. Each goes through the same preview, second
// confirmation and per-gate answers.
import { api, h, ic, S, toast, tr } from './core.js';
import { previewPanel, THRESHOLDS } from './word.js';

const TIERS = { home: ['居家隔离', 'Home quarantine'], central: ['集中隔离', 'Central quarantine'], monitoring: ['居家健康监测', 'Health monitoring at home'], daily: ['日常健康监测', 'Daily health monitoring'] };
const dayMs = (v, end) => (v ? new Date(`${v}T${end ? '23:59:59' : '12:00:00'}`).getTime() : undefined);

function section(title, icon, testid, ...body) {
  return h('div.more', { 'data-testid': testid }, h('h3', {}, ic(icon), title), ...body);
}

async function previewInto(out, draft, refresh) {
  try {
    const p = await api('POST', '/office/api/word/preview', draft);
    out.replaceChildren(previewPanel(p, draft, refresh));
  } catch (err) {
    toast(err.message);
  }
}

function revocations(site, refresh) {
  const out = h('div');
  const cards = h('textarea', { name: 'cards', rows: 3, 'data-testid': 'revocations', placeholder: tr('每行一个卡号（完整名单，替换卡口现有名单）', 'One card id a line (the full list: it replaces the gates\' list)'), 'aria-label': tr('吊销的通行证', 'Revoked cards') });
  const load = h('button', { type: 'button', 'data-testid': 'revocations-load', onclick: async () => {
    const { body } = await api('GET', `/office/api/word/last?site=${encodeURIComponent(site())}&kind=revocations`);
    cards.value = (body?.cards ?? []).join('\n');
    toast(body ? tr(`已载入上次名单（版本 ${body.version}）`, `Loaded the last list (version ${body.version})`) : tr('尚未下发过吊销名单', 'No list sent yet'));
  } }, ic('list'), tr('载入上次名单', 'Load the last list'));
  return section(tr('吊销通行证', 'Revoke pass cards'), 'lock', 'form-revocations', h('div.row', {}, load), cards,
    h('button.primary', { type: 'button', 'data-testid': 'revocations-preview', onclick: () => previewInto(out, { kind: 'revocations', site: site(), cards: cards.value }, refresh) }, tr('预览', 'Preview')), out);
}

function thresholds(site, refresh) {
  const out = h('div');
  const inputs = Object.entries(THRESHOLDS).map(([k, [zh, en]]) => {
    const input = k === 'vaccinationRequired'
      ? h('select', { name: k, 'data-key': k }, h('option', { value: '' }, tr('不变', 'unchanged')), h('option', { value: 'true' }, tr('是', 'yes')), h('option', { value: 'false' }, tr('否', 'no')))
      : h('input', { name: k, 'data-key': k, type: 'number', step: k.endsWith('Threshold') || k === 'temperatureFloor' ? '0.1' : '1', inputmode: 'decimal', placeholder: tr('不变', 'unchanged') });
    return h('label', {}, h('span', {}, tr(zh, en)), input);
  });
  const draft = () => {
    const t = {};
    for (const el of out.parentElement.querySelectorAll('[data-key]')) {
      if (el.value === '') continue;
      t[el.dataset.key] = el.tagName === 'SELECT' ? el.value === 'true' : Number(el.value);
    }
    return { kind: 'policy', site: site(), thresholds: t };
  };
  return section(tr('防控阈值', 'Policy thresholds'), 'warn', 'form-policy', h('div.grid', {}, inputs), h('p.muted', {}, tr('只下发填写的项，其余保持卡口现值', 'Only what is filled in is sent; the rest stays as the gates have it')),
    h('button.primary', { type: 'button', 'data-testid': 'policy-preview', onclick: () => previewInto(out, draft(), refresh) }, tr('预览', 'Preview')), out);
}

function quarantine(site, refresh) {
  const out = h('div');
  const f = (name, attrs, zh, en) => h('label', {}, h('span', {}, tr(zh, en)), h(attrs.tag ?? 'input', { name, 'data-q': name, ...attrs, tag: undefined }));
  const action = h('select', { name: 'action', 'data-testid': 'q-action', onchange: () => show() }, h('option', { value: 'set' }, tr('设置/变更隔离', 'Set or change')), h('option', { value: 'release' }, tr('解除隔离', 'Release')));
  const kind = h('select', { name: 'kind', 'data-q': 'kind' }, Object.entries(TIERS).map(([k, [zh, en]]) => h('option', { value: k }, tr(zh, en))));
  const setPart = h('div.grid', {}, h('label', {}, h('span', {}, tr('类别', 'Tier')), kind), f('until', { type: 'date' }, '截止日期', 'Until (inclusive)'));
  const releasePart = h('div.grid', {}, f('signedBy', { placeholder: tr('如：村医 王某，村支书 李某', 'e.g. doctor Wang, secretary Li') }, '签字人（共同签字）', 'Signed by'), f('test5', { type: 'date' }, '第5天核酸阴性日期', 'Day-5 negative test'), f('test11', { type: 'date' }, '第11天核酸阴性日期', 'Day-11 negative test'));
  const show = () => {
    setPart.hidden = action.value !== 'set';
    releasePart.hidden = action.value === 'set';
  };
  show();
  const val = (n) => out.parentElement.querySelector(`[data-q="${n}"]`).value.trim();
  const draft = () => {
    const change = { personId: val('personId') };
    if (val('note')) change.note = val('note');
    if (action.value === 'set') change.next = { kind: val('kind'), until: dayMs(val('until'), true) ?? 0 };
    else {
      change.next = null;
      change.signOff = { signedBy: val('signedBy').split(/[,，、;；]+/).map((x) => x.trim()).filter(Boolean), tests: [dayMs(val('test5')), dayMs(val('test11'))].filter((x) => x !== undefined) };
    }
    return { kind: 'quarantine', site: site(), changes: [change] };
  };
  return section(tr('隔离设置 / 解除', 'Quarantine set / release'), 'user', 'form-quarantine',
    h('div.grid', {}, f('personId', { placeholder: tr('花名册人员编号', 'Person id on the roster'), 'data-testid': 'q-person' }, '人员编号', 'Person id'), h('label', {}, h('span', {}, tr('操作', 'Action')), action)),
    setPart, releasePart, h('div.grid', {}, f('note', { maxlength: 500 }, '备注', 'Note')),
    h('button.primary', { type: 'button', 'data-testid': 'quarantine-preview', onclick: () => previewInto(out, draft(), refresh) }, tr('预览', 'Preview')), out);
}

async function upload(site, file, confirm) {
  const q = new URLSearchParams({ site, filename: file.name, ...(confirm ? { confirm } : {}) });
  const r = await fetch(`/office/api/word/roster?${q}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': S.me?.csrf ?? '' }, body: file });
  const json = await r.json().catch(() => null);
  if (!r.ok) throw new Error(json?.zh ? tr(json.zh, json.en) : `HTTP ${r.status}`);
  return json;
}

function problemsTable(check) {
  return h(
    'div.problems',
    { 'data-testid': 'roster-problems' },
    h('p.err', {}, ic('cross'), tr(`${check.file}：共 ${check.rows} 行，${check.problems.length} 处问题，未下发。请改正后重新上传。`, `${check.file}: ${check.rows} rows, ${check.problems.length} problem(s); nothing sent. Fix them and upload again.`)),
    h(
      'table.stack',
      {},
      h('thead', {}, h('tr', {}, [tr('行', 'Row'), tr('列', 'Column'), tr('问题', 'Problem'), tr('内容', 'Value')].map((t) => h('th', {}, t)))),
      h('tbody', {}, check.problems.slice(0, 200).map((p) => h('tr', { 'data-testid': 'roster-problem', 'data-row': p.row }, h('td', {}, tr(`第 ${p.row} 行`, `row ${p.row}`)), h('td', {}, p.column), h('td', {}, tr(p.zh, p.message)), h('td', {}, p.value ?? '')))),
    ),
  );
}

function roster(site, refresh) {
  const out = h('div');
  const file = h('input', { type: 'file', name: 'roster', accept: '.xlsx,.csv,.txt', 'data-testid': 'roster-file', 'aria-label': tr('花名册表格', 'Roster spreadsheet') });
  const check = async () => {
    const f = file.files?.[0];
    if (!f) return toast(tr('请选择 XLSX 或 CSV 文件', 'Choose an XLSX or CSV file'));
    try {
      const r = await upload(site(), f);
      const notes = [...r.check.warnings.map((w) => tr(w.zh, w.en)), ...r.check.rowWarnings.map((w) => tr(`第 ${w.row} 行“${w.column}”：${w.zh}`, `row ${w.row}, ${w.column}: ${w.message}`))];
      const noteList = notes.length ? h('ul.muted', {}, notes.slice(0, 20).map((n) => h('li', {}, n))) : null;
      if (!r.preview) return out.replaceChildren(...[problemsTable(r.check), noteList].filter(Boolean));
      out.replaceChildren(...[h('p', { 'data-testid': 'roster-ok' }, ic('check'), tr(`${r.check.file}：${r.check.rows} 行全部无误`, `${r.check.file}: all ${r.check.rows} rows are good`)), noteList, previewPanel(r.preview, null, refresh, (confirm) => upload(site(), f, confirm))].filter(Boolean));
    } catch (err) {
      toast(err.message);
      out.replaceChildren(h('p.err', { 'data-testid': 'roster-error' }, err.message));
    }
  };
  return section(tr('花名册下发（表格导入）', 'Roster push (spreadsheet)'), 'list', 'form-roster',
    h('p.muted', {}, tr('XLSX 或 CSV（UTF-8 / GBK），列名同卡口导入（户号、姓名、身份证号…）；按卡口的规则逐行检查，有任何错误则不下发。', 'XLSX or CSV (UTF-8 / GBK), the columns of the gate\'s import (household, name, ID number…); every row is checked by the gate\'s rules, and nothing is sent while any row is wrong.')),
    file, h('button.primary', { type: 'button', 'data-testid': 'roster-check', onclick: check }, tr('检查并预览', 'Check and preview')), out);
}

export function moreForms(site, refresh) {
  return [revocations(site, refresh), thresholds(site, refresh), quarantine(site, refresh), roster(site, refresh)];
}
