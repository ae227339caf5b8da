// 设置 (admin): zone level, thresholds, devices and calibration, operators, audit log.
import { act, actorWord, api, auditWord, closeModal, deviceKindWord, driverWord, h, ic, modal, numberPad, S, toast, tr, villageTime } from '../core/index.js';

const fmt = (ms) => villageTime(ms, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

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
        h('section.card', {}, h('h2', {}, tr('中高风险地区（上级下发）', 'Risk areas (from the hub)')), h('p', { 'data-testid': 'risk-list' }, s.riskAreas.length ? s.riskAreas.join('、') : tr('暂无', 'None'))),
        h('section.card', {}, h('h2', {}, tr('阈值', 'Thresholds')),
          h('p', {}, (() => { const n = th.nucleicTestMaxAgeHours ?? s.rules.nucleicTestMaxAgeHours; return tr(`发热阈值 ${th.feverThreshold ?? s.rules.feverThreshold}℃；核酸：${n ? `${n}小时内` : '不查'}`, `Fever ${th.feverThreshold ?? s.rules.feverThreshold} °C; nucleic test: ${n ? `within ${n} h` : 'not checked'}`); })()),
          h('div.row', {}, h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: tr('发热阈值 ℃', 'Fever threshold °C'), decimal: true, max: 4 }); if (v) { await api('POST', '/api/settings/thresholds', { feverThreshold: Number(v) }); await load(); } }) }, ic('thermo'), tr('改发热阈值', 'Fever threshold')),
            h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: tr('核酸有效小时数', 'Nucleic test max age (h)'), max: 3 }); if (v) { await api('POST', '/api/settings/thresholds', { nucleicTestMaxAgeHours: Number(v) }); await load(); } }) }, ic('clock'), tr('改核酸时限', 'Test max age')))),
        h('section.card', {}, h('h2', {}, tr('设备与联网', 'Devices and hub')),
          h('ul.list', {}, s.devices.map((d) => h('li', {}, h(`span.tag.${d.state === 'connected' ? 'ok' : 'bad'}`, {}, ic(d.state === 'connected' ? 'check' : 'cross'), { connected: tr('正常', 'OK'), disconnected: tr('断开', 'Unplugged'), faulty: tr('故障', 'Faulty') }[d.state] ?? d.state), h('span.grow', {}, deviceKindWord(d.kind), ' ', h('span.data', {}, d.id), ` · ${driverWord(d.driver)}`, d.detail ? h('span.data', {}, ` · ${d.detail}`) : null))),
            h('li', {}, h(`span.tag.${s.sync.connected || !s.sync.enabled ? 'ok' : 'warn'}`, {}, !s.sync.enabled ? tr('未启用', 'Off') : s.sync.connected ? tr('已连接', 'Connected') : tr('未连接', 'Offline')), h('span.grow', {}, tr('上级平台 ', 'Hub '), h('span.data', {}, s.sync.brokerUrl ?? ''), ` · ${tr('待发', 'outbox')} ${s.sync.outboxDepth}`))),
          s.calibrations.map((c) => h('div.row', {}, h('span', {}, h('span.data', {}, c.id), `：${tr('偏移', 'offset')} ${c.offset ?? 0}℃`), h('button', { type: 'button', onclick: act(async () => { const v = await numberPad({ title: [h('span.data', {}, c.id), tr(' 校准偏移 ℃', ' offset °C')], decimal: true, signed: true, max: 5 }); if (v !== null && v !== '') { await api('POST', `/api/settings/calibration/${encodeURIComponent(c.id)}`, { offset: Number(v) }); await load(); } }) }, ic('thermo'), tr('校准', 'Calibrate')))))),
      h('div', {},
        h('section.card', {}, h('h2', {}, tr('值班员', 'Operators')),
          h('ul.list', {}, s.operators.map((o) => h('li', {}, h('span.grow', {}, h('span.data', {}, `${o.name} (${o.id})`), ` · ${o.role === 'admin' ? tr('管理员', 'admin') : tr('志愿者', 'volunteer')}${o.active ? '' : ` · ${tr('已停用', 'inactive')}`}`),
            o.id !== S.status.session.operatorId ? h('button', { type: 'button', onclick: act(async () => { await api('POST', `/api/operators/${encodeURIComponent(o.id)}/active`, { active: !o.active }); await load(); }) }, o.active ? tr('停用', 'Disable') : tr('启用', 'Enable')) : null))),
          h('div.row', {}, newOp.id, newOp.name),
          h('button.ok', { type: 'button', onclick: act(async () => { const pin = await numberPad({ title: tr('新值班员PIN（6-12位）', 'New operator PIN (6-12 digits)'), secret: true }); if (!pin) return; await api('POST', '/api/operators', { id: newOp.id.value.trim(), name: newOp.name.value.trim(), role: 'volunteer', pin }); toast(tr('已添加', 'Added')); await load(); }) }, ic('user'), tr('添加志愿者', 'Add volunteer'))),
        h('section.card', {}, h('h2', {}, tr('审计日志', 'Audit log')), h('table', {}, h('tbody', {}, audit.map((a) => h('tr', {}, h('td', {}, fmt(a.at)), h('td', {}, actorWord(a.actor)), h('td', {}, auditWord(a.action)))))))),
    );
  }
  void load().catch((e) => toast(e.message, true));
  return null;
}
