// The overview: one card per gate, what needs action on top (unacknowledged critical alerts, offline,
// missing seqs, clock, devices, outbox), today's counts, open alerts.
import { hourlyChart } from './chart.js';
import { ago, api, badge, fmtTime, h, ic, tr } from './core.js';

const NEEDS = {
  'critical-alert': ['bad', 'bell', '危急告警未确认', 'Critical alert not acknowledged'],
  offline: ['bad', 'cloud', '离线', 'Offline'],
  'missing-seqs': ['warn', 'warn', '数据缺失', 'Records missing'],
  clock: ['warn', 'clock', '时钟未同步', 'Clock not synced'],
  devices: ['warn', 'warn', '设备故障', 'Device fault'],
  outbox: ['warn', 'send', '待上传积压', 'Outbox backlog'],
};
const ZONE = { normal: ['ok', '常态', 'Normal'], precaution: ['info', '防范', 'Precaution'], controlled: ['warn', '管控', 'Controlled'], sealed: ['bad', '封控', 'Sealed'] };

function card(g) {
  const cls = g.unackedCritical ? 'card.critical' : g.needs.length ? 'card.needs' : 'card';
  const t = g.today;
  const zone = g.zoneLevel ? ZONE[g.zoneLevel] : null;
  return h(
    `div.${cls}`,
    { 'data-testid': `gate-${g.site}-${g.gate}` },
    h('h3', {}, ic('gate'), `${g.site} / ${g.gate}`, g.online ? badge('ok', 'check', tr('在线', 'Online')) : badge('bad', 'cross', tr('离线', 'Offline')), zone ? badge(zone[0], 'info', tr(zone[1], zone[2])) : null),
    h('div.muted', { title: fmtTime(g.lastSeen) }, `${tr('最后联系', 'Last seen')} ${ago(g.lastSeen)} (${fmtTime(g.lastSeen)}) · ${tr('待上传', 'Outbox')} ${g.outboxDepth ?? '—'}`),
    t
      ? h(
          'div.kv',
          {},
          h('div', {}, tr('进', 'Entries'), h('b', { 'data-testid': 'entries' }, t.entries)),
          h('div', {}, tr('出', 'Exits'), h('b', { 'data-testid': 'exits' }, t.exits)),
          h('div', {}, tr('拒绝', 'Refusals'), h('b', { 'data-testid': 'refusals' }, t.refusals)),
          h('div', {}, tr('发热', 'Fevers'), h('b', { 'data-testid': 'fevers' }, t.feverAlerts)),
          h('div', {}, tr('在内人员', 'People inside'), h('b', {}, t.peopleInside)),
          h('div', {}, tr('在内访客', 'Visitors inside'), h('b', {}, t.visitorsInside)),
          h('div', {}, tr('未结告警', 'Open alerts'), h('b', { 'data-testid': 'open-alerts' }, g.openAlerts)),
          h('div', {}, tr('缺失记录', 'Missing'), h('b', {}, g.missingCount)),
        )
      : h('p.muted', {}, tr('今日尚无统计', 'No counts for today yet'), ` · ${tr('未结告警', 'Open alerts')} `, h('b', { 'data-testid': 'open-alerts' }, g.openAlerts)),
    t?.refusalReasons?.length
      ? h('ul.reasons', { 'data-testid': 'refusal-reasons', 'aria-label': tr('拒绝原因', 'Refused for') }, t.refusalReasons.map((r) => h('li', { 'data-code': r.code }, h('span', {}, tr(r.zh, r.en)), h('b', {}, r.n))))
      : null,
    g.missingCount ? h('div.muted', {}, `${tr('缺失序号', 'Missing seqs')}: ${g.missing.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ')}`) : null,
    g.needs.length ? h('div.needs-list', {}, g.needs.map((n) => badge(NEEDS[n][0], NEEDS[n][1], tr(NEEDS[n][2], NEEDS[n][3])))) : h('div.needs-list', {}, badge('ok', 'check', tr('正常', 'All well'))),
  );
}

export async function overviewScreen(main) {
  const o = await api('GET', '/office/api/overview');
  const online = o.gates.filter((g) => g.online).length;
  const sum = (f) => o.gates.reduce((a, g) => a + (g.today ? f(g.today) : 0), 0);
  main.append(
    h(
      'div.summary',
      {},
      h('div.stat', {}, tr('卡口在线', 'Gates online'), h('b', {}, `${online} / ${o.gates.length}`)),
      h('div.stat', {}, tr('今日进', 'Entries today'), h('b', {}, sum((t) => t.entries))),
      h('div.stat', {}, tr('今日出', 'Exits today'), h('b', {}, sum((t) => t.exits))),
      h('div.stat', {}, tr('今日拒绝', 'Refusals today'), h('b', {}, sum((t) => t.refusals))),
      h('div.stat', {}, tr('危急未确认', 'Critical unacked'), h('b', { 'data-testid': 'unacked-critical' }, o.unackedCritical)),
    ),
    o.gates.length ? h('div.cards', {}, o.gates.map(card)) : h('p.muted', {}, tr('尚未收到任何卡口的数据', 'No gate has reported yet')),
    o.gates.length ? hourlyChart() : null,
  );
}
