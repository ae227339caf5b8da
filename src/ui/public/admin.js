// Ledgers (search, export) and settings (admin): zone level, thresholds, devices, calibration, operators, audit log.
import { act, api, closeModal, h, ic, modal, numberPad, S, subjectText, toast, tr, trText, villageTime, villageToday } from './kiosk.js';
import { localPolicyCards } from './practice.js';

const fmt = (ms) => villageTime(ms, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const OUT = { admitted: ['ok', '通行', 'Admitted'], refused: ['bad', '劝返', 'Refused'], overridden: ['warn', '人工', 'Override'], abandoned: ['info', '取消', 'Abandoned'] };

export function ledgersScreen(main) {
  const admin = S.status.session?.role === 'admin';
  let kind = 'passages';
  const text = h('input', { type: 'search', placeholder: tr('姓名、卡号、身份证后4位或车牌', 'Name, card, ID tail or plate'), 'data-testid': 'ledger-search' });
  const body = h('div', { 'data-testid': 'ledger-rows' });
  const kinds = [['passages', '出入', 'Passages'], ['refusals', '劝返', 'Refusals'], ['visitors', '访客', 'Visitors'], ['alerts', '告警', 'Alerts']];
  const tabs = h('div.row', {}, kinds.map(([k, zh, en]) => h('button', { type: 'button', 'data-kind': k, class: k === kind ? 'info' : '', onclick: act(async (e) => { kind = k; for (const b of tabs.children) b.className = b.dataset.kind === k ? 'info' : ''; e.currentTarget.className = 'info'; await load(); }) }, tr(zh, en))));
  const day = h('input', { type: 'date', 'data-testid': 'ledger-day', 'aria-label': tr('日期', 'Day') });
  async function load() {
    const t = encodeURIComponent(text.value.trim());
    // The server turns the day into the village's midnight-to-midnight.
    const range = day.value ? `&day=${day.value}` : '';
    if (kind === 'passages' || kind === 'refusals') {
      const rows = await api('GET', `/api/passages?limit=100${t ? `&text=${t}` : ''}${range}${kind === 'refusals' ? '&outcome=refused' : ''}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('时间', 'Time'), tr('方向', 'Dir'), tr('人员', 'Who'), tr('结果', 'Outcome'), tr('原因', 'Reasons')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((p) => { const o = OUT[p.outcome] ?? OUT.abandoned; return h('tr', {}, h('td', {}, fmt(p.decidedAt)), h('td', {}, p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In')), h('td', {}, subjectText(p.subject)), h('td', {}, h(`span.tag.${o[0]}`, {}, tr(o[1], o[2]))), h('td', {}, p.reasons.map(trText).join('；'))); }))));
    } else if (kind === 'visitors') {
      const rows = await api('GET', `/api/visitors?limit=100${t ? `&text=${t}` : ''}${range}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('登记', 'Registered'), tr('姓名', 'Name'), tr('身份证', 'ID'), tr('来自', 'From'), tr('销号', 'Signed out')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((v) => h('tr', {}, h('td', {}, fmt(v.registeredAt)), h('td', {}, v.name), h('td', {}, v.idNumber ?? '—'), h('td', {}, v.origin ?? '—'), h('td', {}, v.signedOutAt ? fmt(v.signedOutAt) : tr('在内', 'Inside')))))));
    } else {
      const rows = await api('GET', `/api/alerts?limit=100${range}`);
      body.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...[tr('时间', 'Time'), tr('级别', 'Level'), tr('内容', 'Alert'), tr('确认', 'Ack')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows.map((a) => h('tr', {}, h('td', {}, fmt(a.at)), h('td', {}, h(`span.tag.${a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info'}`, {}, a.severity)), h('td', {}, trText(a.text)), h('td', {}, a.acknowledgedBy ?? '—'))))));
    }
  }
  const today = villageToday();
  const from = h('input', { type: 'date', value: today, 'data-testid': 'export-from' });
  const to = h('input', { type: 'date', value: today, 'data-testid': 'export-to' });
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
      h('section.card', {}, tabs, h('div.row', { style: 'margin-top:6px' }, text, day, h('button.info', { type: 'button', onclick: act(load) }, ic('search'), tr('搜索', 'Search'))), body),
      h('section.card', { style: 'margin-top:8px' }, h('h2', {}, ic('download'), tr('导出台账', 'Export a ledger')), h('div.row', {}, what, from, to),
        h('div.row', { style: 'margin-top:6px' },
          h('button.ok', { type: 'button', 'data-testid': 'export-csv', onclick: download(false, 'csv') }, ic('download'), tr('导出CSV（脱敏）', 'CSV (masked)')),
          h('button', { type: 'button', 'data-testid': 'export-xlsx', onclick: download(false, 'xlsx') }, ic('download'), tr('导出Excel（脱敏）', 'Excel (masked)')),
          admin ? h('button.warn', { type: 'button', 'data-testid': 'export-full', onclick: download(true, 'xlsx') }, ic('warn'), tr('完整导出（审计）', 'Full export (audited)')) : null))),
  );
  void load().catch((e) => toast(e.message, true));
  return null;
}

const ZONES = [['normal', '常态化', 'Normal', 'ok'], ['precaution', '防范区', 'Precaution', 'info'], ['controlled', '管控区', 'Controlled', 'warn'], ['sealed', '封控区', 'Sealed', 'bad']];

export function settingsScreen(main) {
  const box = h('div.cols');
  main.replaceChildren(box);
  async function load() {
    const s = await api('GET', '/api/settings');
    const audit = await api('GET', '/api/audit?limit=30');
    const th = s.policies.find((p) => p.kind === 'thresholds')?.payload ?? {};
    const newOp = { id: h('input', { placeholder: tr('编号，如 v01', 'Id, e.g. v01'), maxLength: 32 }), name: h('input', { placeholder: tr('姓名', 'Name'), maxLength: 40 }) };
    box.replaceChildren(
      h('div', {},
        h('section.card', {}, h('h2', {}, tr('区域等级', 'Zone level')), h('div.row', { 'data-testid': 'zone-levels' }, ZONES.map(([z, zh, en, cls]) => h(`button${s.zoneLevel === z ? `.${cls}` : ''}`, { type: 'button', 'aria-pressed': String(s.zoneLevel === z), 'data-zone': z, onclick: () => modal([
          h('h2', {}, ic('warn'), tr(`切换为「${zh}」？全村的通行规则会立即改变。`, `Switch to "${en}"? The rules change for the whole village at once.`)),
          h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('不切换', 'Keep')), h(`button.${cls}`, { type: 'button', 'data-testid': 'zone-ok', onclick: act(async () => { await api('POST', '/api/settings/zone-level', { level: z }); closeModal(); await load(); }) }, ic('check'), tr(`切换为${zh}`, `Switch to ${en}`))),
        ]) }, s.zoneLevel === z ? ic('check') : null, tr(zh, en))))),
        ...localPolicyCards(s, load),
        h('section.card', {}, h('h2', {}, tr('阈值', 'Thresholds')),
          h('p', {}, (() => { const n = th.nucleicTestMaxAgeHours ?? s.rules.nucleicTestMaxAgeHours; return tr(`发热阈值 ${th.feverThreshold ?? s.rules.feverThreshold}℃；核酸：${n ? `${n}小时内` : '不查'}`, `Fever ${th.feverThreshold ?? s.rules.feverThreshold} °C; nucleic test: ${n ? `within ${n} h` : 'not checked'}`); })()),
          h('div.row', {}, h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: tr('发热阈值 ℃', 'Fever threshold °C'), decimal: true, max: 4 }); if (v) { await api('POST', '/api/settings/thresholds', { feverThreshold: Number(v) }); await load(); } }) }, ic('thermo'), tr('改发热阈值', 'Fever threshold')),
            h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: tr('核酸有效小时数', 'Nucleic test max age (h)'), max: 3 }); if (v) { await api('POST', '/api/settings/thresholds', { nucleicTestMaxAgeHours: Number(v) }); await load(); } }) }, ic('clock'), tr('改核酸时限', 'Test max age')))),
        h('section.card', {}, h('h2', {}, tr('设备与联网', 'Devices and hub')),
          h('ul.list', {}, s.devices.map((d) => h('li', {}, h(`span.tag.${d.state === 'connected' ? 'ok' : 'bad'}`, {}, ic(d.state === 'connected' ? 'check' : 'cross'), { connected: tr('正常', 'OK'), disconnected: tr('断开', 'Unplugged'), faulty: tr('故障', 'Faulty') }[d.state] ?? d.state), h('span.grow', {}, `${d.id} · ${d.kind} · ${d.driver}${d.detail ? ` · ${d.detail}` : ''}`))),
            h('li', {}, h(`span.tag.${s.sync.connected || !s.sync.enabled ? 'ok' : 'warn'}`, {}, !s.sync.enabled ? tr('未启用', 'Off') : s.sync.connected ? tr('已连接', 'Connected') : tr('未连接', 'Offline')), h('span.grow', {}, `MQTT ${s.sync.brokerUrl ?? ''} · ${tr('待发', 'outbox')} ${s.sync.outboxDepth}`))),
          s.calibrations.map((c) => h('div.row', {}, h('span', {}, `${c.id}: ${tr('偏移', 'offset')} ${c.offset ?? 0}℃`), h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: tr(`${c.id} 校准偏移 ℃`, `${c.id} offset °C`), decimal: true, signed: true, max: 5 }); if (v !== null && v !== '') { await api('POST', `/api/settings/calibration/${encodeURIComponent(c.id)}`, { offset: Number(v) }); await load(); } }) }, ic('thermo'), tr('校准', 'Calibrate')))))),
      h('div', {},
        h('section.card', {}, h('h2', {}, tr('值班员', 'Operators')),
          h('ul.list', {}, s.operators.map((o) => h('li', {}, h('span.grow', {}, `${o.name} (${o.id}) · ${o.role === 'admin' ? tr('管理员', 'admin') : tr('志愿者', 'volunteer')}${o.active ? '' : ` · ${tr('已停用', 'inactive')}`}`),
            o.id !== S.status.session.operatorId ? h('button', { type: 'button', onclick: act(async () => { await api('POST', `/api/operators/${encodeURIComponent(o.id)}/active`, { active: !o.active }); await load(); }) }, o.active ? tr('停用', 'Disable') : tr('启用', 'Enable')) : null))),
          h('div.row', {}, newOp.id, newOp.name),
          h('button.ok', { type: 'button', onclick: act(async () => { const pin = await numberPad({ title: tr('新值班员PIN（4-12位）', 'New operator PIN (4-12 digits)'), secret: true }); if (!pin) return; await api('POST', '/api/operators', { id: newOp.id.value.trim(), name: newOp.name.value.trim(), role: 'volunteer', pin }); toast(tr('已添加', 'Added')); await load(); }) }, ic('user'), tr('添加志愿者', 'Add volunteer'))),
        h('section.card', {}, h('h2', {}, tr('审计日志', 'Audit log')), h('table', {}, h('tbody', {}, audit.map((a) => h('tr', {}, h('td', {}, fmt(a.at)), h('td', {}, a.actor), h('td', {}, a.action))))))),
    );
  }
  void load().catch((e) => toast(e.message, true));
  return null;
}
