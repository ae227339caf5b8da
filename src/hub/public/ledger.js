// The passages ledger across gates: filtered by day, gate and outcome; 50 a page from the server
// ("more" asks for the next page by its cursor, never everything); names masked unless the admin
// asks for the full view (audited).
import { api, badge, can, fmtTime, h, ic, toast, tr } from './core.js';

const OUTCOME = { admitted: ['ok', 'check', '放行', 'Admitted'], refused: ['bad', 'cross', '拒绝', 'Refused'], overridden: ['warn', 'warn', '人工放行', 'Overridden'] };
const state = { gate: '', outcome: '', day: '', full: false };

function rows(items) {
  return items.map((p) => {
    const o = OUTCOME[p.outcome] ?? ['muted', 'info', p.outcome ?? '—', p.outcome ?? '—'];
    const who = p.subject ? [p.subject.name, p.subject.idTail ? `…${p.subject.idTail}` : null, p.subject.id, p.subject.vehiclePlate].filter(Boolean).join(' · ') : '—';
    return h(
      'tr',
      { 'data-testid': 'passage-row' },
      h('td', {}, fmtTime(p.at)),
      h('td', {}, `${p.site}/${p.gate}`),
      h('td', {}, p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In')),
      h('td', {}, badge(o[0], o[1], tr(o[2], o[3]))),
      h('td', { 'data-testid': 'who' }, who),
      h('td', {}, p.temperature ? `${p.temperature.toFixed(1)} ℃` : ''),
      h('td', {}, p.reasons.map((r) => tr(r.zh, r.en)).join('；')),
    );
  });
}

export async function ledgerScreen(main, { refresh }) {
  const overview = await api('GET', '/office/api/overview');
  const gates = overview.gates.map((g) => `${g.site}/${g.gate}`);
  const query = (cursor) => {
    const q = new URLSearchParams();
    for (const k of ['gate', 'outcome', 'day']) if (state[k]) q.set(k, state[k]);
    if (state.full) q.set('full', '1');
    if (cursor) q.set('cursor', cursor);
    return `/office/api/passages?${q}`;
  };
  const first = await api('GET', query());
  const tbody = h('tbody', {}, rows(first.items));
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
          tbody.append(...rows(page.items));
          next = page.next;
          more.hidden = !next;
        } catch (err) {
          toast(err.message);
        }
      },
    },
    tr('更多', 'More'),
  );
  const sel = (name, options, label) =>
    h('select', { name, 'aria-label': label, onchange: (e) => { state[name] = e.target.value; void refresh(); } }, options.map(([v, t]) => h('option', { value: v, selected: state[name] === v }, t)));
  main.append(
    h('h2', {}, ic('list'), tr('通行记录', 'Passages')),
    h(
      'div.filters',
      {},
      h('input', { type: 'date', name: 'day', value: state.day, 'aria-label': tr('日期', 'Day'), onchange: (e) => { state.day = e.target.value; void refresh(); } }),
      sel('gate', [['', tr('全部卡口', 'All gates')], ...gates.map((g) => [g, g])], tr('卡口', 'Gate')),
      sel('outcome', [['', tr('全部结果', 'All outcomes')], ...Object.entries(OUTCOME).map(([k, v]) => [k, tr(v[2], v[3])])], tr('结果', 'Outcome')),
      can('full-view')
        ? h('label', {}, h('input', { type: 'checkbox', 'data-testid': 'full', checked: state.full, onchange: (e) => { state.full = e.target.checked; void refresh(); } }), ` ${tr('显示完整信息（将记入审计）', 'Show in full (audited)')}`)
        : null,
    ),
    h('p.muted', {}, state.full ? tr('完整信息，已记入审计日志', 'In full; this view is in the audit log') : tr('姓名已脱敏', 'Names masked')),
    h(
      'table.stack',
      { 'data-testid': 'passages' },
      h('thead', {}, h('tr', {}, [tr('时间', 'When'), tr('卡口', 'Gate'), tr('方向', 'Way'), tr('结果', 'Outcome'), tr('人员', 'Who'), tr('体温', 'Temp.'), tr('原因', 'Reasons')].map((t) => h('th', {}, t)))),
      tbody,
    ),
    first.items.length ? '' : h('p.muted', {}, tr('没有符合条件的记录', 'No passages match')),
    more,
  );
}
