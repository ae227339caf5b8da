// The ledgers across gates: passages, visitors (where they went, signed out or not), deliveries and
// the quarantine register. Filtered by day, gate, outcome, card and ID tail; 50 a page from the server
// ("more" asks for the next page by its cursor, never everything); names masked unless the admin asks
// for the full view (audited).
import { api, badge, can, fmtTime, h, ic, toast, tr } from './core.js';

const OUTCOME = { admitted: ['ok', 'check', '放行', 'Admitted'], refused: ['bad', 'cross', '拒绝', 'Refused'], overridden: ['warn', 'warn', '人工放行', 'Overridden'] };
const TIERS = { home: ['bad', '居家隔离', 'Home quarantine'], central: ['bad', '集中隔离', 'Central quarantine'], monitoring: ['warn', '居家健康监测', 'Health monitoring'], daily: ['info', '日常健康监测', 'Daily monitoring'] };
const CAUSES = { breach: ['私自外出重新计算', 'Restarted after a breach'], report: ['报备', 'Returnee report'], admin: ['指挥部/管理员设置', 'Set by the office / admin'], release: ['解除', 'Release'] };
const state = { kind: 'passages', gate: '', outcome: '', day: '', card: '', idTail: '', full: false };
const day = (ms) => (ms ? new Date(ms).toLocaleDateString(tr('zh-CN', 'en-GB')) : '—');
const who = (name, idTail) => [name, idTail ? `…${idTail}` : null].filter(Boolean).join(' ');

const LEDGERS = {
  passages: {
    zh: '通行记录', en: 'Passages', path: '/office/api/passages', row: 'passage-row', card: ['卡号', 'Card'],
    outcomes: Object.entries(OUTCOME).map(([k, v]) => [k, tr(v[2], v[3])]),
    head: () => [tr('时间', 'When'), tr('卡口', 'Gate'), tr('方向', 'Way'), tr('结果', 'Outcome'), tr('人员', 'Who'), tr('体温', 'Temp.'), tr('原因', 'Reasons')],
    cells: (p) => {
      const o = OUTCOME[p.outcome] ?? ['muted', 'info', p.outcome ?? '—', p.outcome ?? '—'];
      const subject = p.subject ? [p.subject.name, p.subject.idTail ? `…${p.subject.idTail}` : null, p.subject.id, p.subject.vehiclePlate].filter(Boolean).join(' · ') : '—';
      return [fmtTime(p.at), `${p.site}/${p.gate}`, p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In'), badge(o[0], o[1], tr(o[2], o[3])), h('span', { 'data-testid': 'who' }, subject), p.temperature ? `${p.temperature.toFixed(1)} ℃` : '', p.reasons.map((r) => tr(r.zh, r.en)).join('；')];
    },
  },
  visitors: {
    zh: '访客', en: 'Visitors', path: '/office/api/visitors', row: 'visitor-row', card: ['访客单号', 'Visitor slip'],
    outcomes: [['inside', tr('未离开', 'Still inside')], ['signed-out', tr('已离开', 'Signed out')]],
    head: () => [tr('登记时间', 'Registered'), tr('卡口', 'Gate'), tr('访客', 'Visitor'), tr('来自 / 行程', 'From / travel'), tr('去向（到访户）', 'Went to (household)'), tr('事由', 'Purpose'), tr('离开', 'Signed out')],
    cells: (v) => [
      fmtTime(v.registeredAt), `${v.site}/${v.gate}`, h('span', { 'data-testid': 'who' }, [who(v.name, v.idTail), v.plate].filter(Boolean).join(' · ') || '—'),
      [v.origin, v.travel.length ? `（${v.travel.join('、')}）` : ''].filter(Boolean).join(' ') || '—', v.host ?? '—', v.reason ?? '',
      v.signedOutAt ? badge('ok', 'check', `${fmtTime(v.signedOutAt)}${v.signedOutBy ? ` · ${v.signedOutBy}` : ''}`) : badge('warn', 'clock', tr('未离开', 'Still inside')),
    ],
  },
  deliveries: {
    zh: '配送', en: 'Deliveries', path: '/office/api/deliveries', row: 'delivery-row', card: ['户号', 'Household'],
    outcomes: [['waiting', tr('待取', 'Waiting')], ['collected', tr('已取', 'Collected')]],
    head: () => [tr('时间', 'When'), tr('卡口', 'Gate'), tr('快递/外卖', 'Company'), tr('件数', 'Parcels'), tr('收件户', 'Household'), tr('登记人', 'Recorded by'), tr('取件', 'Collected')],
    cells: (d) => [fmtTime(d.at), `${d.site}/${d.gate}`, d.company ?? '—', d.parcels, d.household ?? '—', d.recordedBy ?? '', d.collectedAt ? badge('ok', 'check', `${fmtTime(d.collectedAt)}${d.collectedBy ? ` · ${d.collectedBy}` : ''}`) : badge('warn', 'box', tr('待取', 'Waiting'))],
  },
  quarantine: {
    zh: '隔离登记', en: 'Quarantine register', path: '/office/api/quarantine', row: 'quarantine-row', card: ['人员编号', 'Person id'],
    outcomes: [...Object.entries(TIERS).map(([k, v]) => [k, tr(v[1], v[2])]), ['released', tr('已解除', 'Released')]],
    head: () => [tr('时间', 'When'), tr('卡口', 'Gate'), tr('人员', 'Who'), tr('类别', 'Tier'), tr('截止', 'Until'), tr('原因', 'Cause'), tr('解除签字 / 第5、11天检测', 'Release sign-off / day-5, day-11 tests')],
    cells: (q) => {
      const t = TIERS[q.tier];
      return [
        fmtTime(q.at), `${q.site}/${q.gate}`, h('span', { 'data-testid': 'who' }, [who(q.name, q.idTail), q.personId, q.household].filter(Boolean).join(' · ')),
        q.released ? badge('ok', 'check', tr('已解除', 'Released')) : t ? badge(t[0], 'lock', tr(t[1], t[2])) : '—',
        q.until ? day(q.until) : '—', CAUSES[q.cause] ? tr(...CAUSES[q.cause]) : (q.cause ?? ''),
        q.released ? `${q.signedBy.join('、')}${q.tests.length ? ` · ${q.tests.map(day).join('、')}` : ''}${q.note ? ` · ${q.note}` : ''}` : (q.note ?? ''),
      ];
    },
  },
};

function rows(l, items) {
  const head = l.head();
  // data-label: the column's name beside each value when a phone stacks the row.
  return items.map((x) => h('tr', { 'data-testid': l.row }, l.cells(x).map((c, i) => h('td', { 'data-label': head[i] }, c))));
}

export async function ledgerScreen(main, { refresh }) {
  const l = LEDGERS[state.kind];
  const overview = await api('GET', '/office/api/overview');
  const gates = overview.gates.map((g) => `${g.site}/${g.gate}`);
  const query = (cursor) => {
    const q = new URLSearchParams();
    for (const k of ['gate', 'outcome', 'day', 'card', 'idTail']) if (state[k]) q.set(k, state[k]);
    if (state.full) q.set('full', '1');
    if (cursor) q.set('cursor', cursor);
    return `${l.path}?${q}`;
  };
  const first = await api('GET', query());
  const tbody = h('tbody', {}, rows(l, first.items));
  let next = first.next;
  const more = h(
    'button',
    {
      type: 'button',
      'data-testid': 'more',
      hidden: !next,
      onclick: async () => {
        try {
          const page = await api('GET', query(next));
          tbody.append(...rows(l, page.items));
          next = page.next;
          more.hidden = !next;
        } catch (err) {
          toast(err.message);
        }
      },
    },
    tr('更多', 'More'),
  );
  const set = (name) => (e) => {
    state[name] = e.target.value.trim();
    void refresh();
  };
  const sel = (name, options, label) => h('select', { name, 'aria-label': label, onchange: set(name) }, options.map(([v, t]) => h('option', { value: v, selected: state[name] === v }, t)));
  const tabs = h(
    'div.tabs',
    { role: 'tablist' },
    Object.entries(LEDGERS).map(([k, x]) =>
      h('button', { type: 'button', role: 'tab', 'data-testid': `ledger-${k}`, 'aria-selected': String(state.kind === k), onclick: () => {
        Object.assign(state, { kind: k, outcome: '', card: '' });
        void refresh();
      } }, tr(x.zh, x.en)),
    ),
  );
  main.append(
    h('h2', {}, ic('list'), tr('台账', 'Ledgers'), ' · ', tr(l.zh, l.en)),
    tabs,
    h(
      'div.filters',
      {},
      h('input', { type: 'date', name: 'day', value: state.day, 'aria-label': tr('日期', 'Day'), onchange: set('day') }),
      sel('gate', [['', tr('全部卡口', 'All gates')], ...gates.map((g) => [g, g])], tr('卡口', 'Gate')),
      sel('outcome', [['', tr('全部结果', 'All outcomes')], ...l.outcomes], tr('结果', 'Outcome')),
      h('input', { name: 'card', value: state.card, placeholder: tr(...l.card), 'aria-label': tr(...l.card), size: 12, onchange: set('card') }),
      state.kind === 'deliveries' ? null : h('input', { name: 'idTail', value: state.idTail, placeholder: tr('身份证尾号4位', 'ID tail (4)'), 'aria-label': tr('身份证尾号', 'ID tail'), size: 8, maxlength: 4, onchange: set('idTail') }),
      can('full-view')
        ? h('label', {}, h('input', { type: 'checkbox', 'data-testid': 'full', checked: state.full, onchange: (e) => { state.full = e.target.checked; void refresh(); } }), ` ${tr('显示完整信息（将记入审计）', 'Show in full (audited)')}`)
        : null,
    ),
    h('p.muted', {}, state.full ? tr('完整信息，已记入审计日志', 'In full; this view is in the audit log') : tr('姓名已脱敏', 'Names masked'), state.day ? '' : ` · ${state.kind === 'quarantine' ? tr('未选日期：近30天', 'No day chosen: the last 30 days') : state.kind === 'passages' ? '' : tr('未选日期：近7天', 'No day chosen: the last 7 days')}`),
    h('table.stack', { 'data-testid': state.kind }, h('thead', {}, h('tr', {}, l.head().map((t) => h('th', {}, t)))), tbody),
    first.items.length ? '' : h('p.muted', {}, tr('没有符合条件的记录', 'No records match')),
    more,
  );
}
