// The alert feed across gates: critical and unacknowledged first. Each alert is acknowledged (who,
// when, a note), assigned (e.g. to the village doctor) and closed with an outcome.
import { api, badge, can, fmtTime, h, ic, roleName, toast, tr } from './core.js';

const SEV = { critical: ['bad', 'bell', '危急', 'Critical'], warning: ['warn', 'warn', '警告', 'Warning'], info: ['info', 'info', '提示', 'Info'] };
export const OUTCOME = {
  'retest-normal': ['复测正常', 'Retest normal'],
  'taken-to-clinic': ['医疗机构接走', 'Taken to a clinic'],
  'home-isolation': ['居家隔离', 'Home isolation'],
  'false-alarm': ['误报', 'False alarm'],
  other: ['其他', 'Other'],
};

// What the gate recorded about a held person with fever (its fever case: who was called, who collected them, the outcome).
const GATE_OUTCOME = { collected: ['已接走', 'Collected'], 'escorted-to-clinic': ['专人送发热门诊', 'Escorted to the fever clinic'], 'recheck-normal': ['复测正常', 'Normal on re-check'], other: ['其他', 'Other'] };

function handoverLine(x) {
  const parts = [];
  if (x.called) parts.push(`${tr('已联系', 'Called')} ${x.called}${x.calledAt ? ` (${fmtTime(x.calledAt)})` : ''}`);
  if (x.handedTo) parts.push(`${tr('交接给', 'Handed to')} ${x.handedTo}${x.handedAt ? ` (${fmtTime(x.handedAt)})` : ''}`);
  else parts.push(tr('尚未交接', 'Not handed over yet'));
  if (x.outcome) parts.push(`${tr('卡口结果', 'Gate outcome')}: ${tr(...(GATE_OUTCOME[x.outcome] ?? [x.outcome, x.outcome]))}`);
  if (x.note) parts.push(`“${x.note}”`);
  if (x.updatedBy) parts.push(`${tr('记录人', 'By')} ${x.updatedBy}`);
  return h('div.handover', { 'data-testid': 'handover' }, ic('hand'), h('span', {}, h('b', {}, tr('卡口交接记录', 'Hand-over at the gate')), ` · ${parts.join(' · ')}`));
}

const ref = (a) => `/office/api/alerts/${encodeURIComponent(a.site)}/${encodeURIComponent(a.gate)}/${a.history}/${a.seq}`;

function alertText(a) {
  const t = a.data?.text;
  return t ? tr(t.zh, t.en) : '';
}

function actionForm(a, kind, users, refresh) {
  const note = h('textarea', { name: 'note', rows: 1, maxLength: 500, placeholder: tr('备注（如：已通知村医，复测中）', 'Note (e.g. doctor called, retesting)'), 'aria-label': tr('备注', 'Note') });
  let extra = null;
  if (kind === 'assign') extra = h('select', { name: 'to', 'aria-label': tr('指派给', 'Assign to') }, users.map((u) => h('option', { value: u.name }, `${u.display} · ${roleName(u.role)}`)));
  if (kind === 'close') extra = h('select', { name: 'outcome', 'aria-label': tr('处置结果', 'Outcome') }, Object.entries(OUTCOME).map(([k, [zh, en]]) => h('option', { value: k }, tr(zh, en))));
  const label = { ack: tr('确认', 'Acknowledge'), assign: tr('指派', 'Assign'), close: tr('关闭', 'Close') }[kind];
  return h(
    'form',
    {
      'data-testid': `${kind}-form`,
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const body = kind === 'ack' ? { note: note.value } : kind === 'assign' ? { to: extra.value } : { outcome: extra.value, note: note.value };
          const r = await api('POST', `${ref(a)}/${kind}`, body);
          if (r.result === 'already') toast(tr(`已由 ${r.alert.ackedBy} 确认`, `Already acknowledged by ${r.alert.ackedBy}`));
          await refresh();
        } catch (err) {
          toast(err.message);
        }
      },
    },
    extra,
    kind === 'assign' ? null : note,
    h('button.primary', { type: 'submit', 'data-testid': `${kind}-submit` }, ic('check'), label),
  );
}

function alertRow(a, users, refresh) {
  const sev = SEV[a.severity] ?? SEV.info;
  const unacked = !a.ackedAt;
  const slot = h('div');
  const open = (kindOfForm) => slot.replaceChildren(actionForm(a, kindOfForm, users, refresh));
  const el = h(
    `div.alert.${a.severity}${unacked ? '.unacked' : ''}${a.closedAt ? '.closed' : ''}`,
    { 'data-testid': 'alert', 'data-alert': `${a.site}/${a.gate}/${a.history}/${a.seq}` },
    h(
      'div',
      {},
      h('div.title', {}, badge(sev[0], sev[1], tr(sev[2], sev[3])), ic(a.kind === 'fever' ? 'thermo' : 'warn'), tr(a.kindText.zh, a.kindText.en), h('span.muted', {}, `${a.site} / ${a.gate} · ${a.lane ?? ''} · ${fmtTime(a.at)}`)),
      alertText(a) ? h('div', {}, alertText(a)) : null,
      a.handover ? handoverLine(a.handover) : a.kind === 'fever' ? h('div.handled', {}, tr('卡口尚未记录交接', 'The gate has not recorded a hand-over yet')) : null,
      a.ackedAt
        ? h('div.handled', { 'data-testid': 'acked' }, ic('check'), ` ${tr('已确认', 'Acknowledged')}: ${a.ackedBy} · ${fmtTime(a.ackedAt)}${a.note ? ` · “${a.note}”` : ''}`)
        : h('div.handled', {}, badge('bad', 'bell', tr('未确认', 'Not acknowledged')), a.escalatedAt ? [' ', badge('bad', 'warn', `${tr('已升级', 'Escalated')} ${fmtTime(a.escalatedAt)}`)] : null),
      a.assignedTo ? h('div.handled', {}, `${tr('指派给', 'Assigned to')}: ${a.assignedTo}`) : null,
      a.closedAt ? h('div.handled', {}, `${tr('已关闭', 'Closed')}: ${a.closedBy} · ${fmtTime(a.closedAt)} · ${tr(...(OUTCOME[a.outcome] ?? [a.outcome, a.outcome]))}`) : null,
    ),
    a.closedAt
      ? h('div')
      : h(
          'div.actions',
          {},
          unacked && can('alert.ack') ? h('button.danger', { type: 'button', 'data-testid': 'ack', onclick: () => open('ack') }, ic('check'), tr('确认', 'Acknowledge')) : null,
          can('alert.assign') ? h('button', { type: 'button', 'data-testid': 'assign', onclick: () => open('assign') }, ic('user'), tr('指派', 'Assign')) : null,
          can('alert.close') ? h('button', { type: 'button', 'data-testid': 'close', onclick: () => open('close') }, ic('cross'), tr('关闭', 'Close')) : null,
        ),
  );
  el.append(slot);
  return el;
}

export async function alertsScreen(main, { refresh }) {
  const [feed, { users }] = await Promise.all([api('GET', '/office/api/alerts'), api('GET', '/office/api/users')]);
  const assignable = [...users.filter((u) => u.role === 'doctor'), ...users.filter((u) => u.role !== 'doctor' && u.role !== 'viewer')];
  main.append(
    h('h2', {}, ic('bell'), tr(`未结告警（${feed.open.length}）`, `Open alerts (${feed.open.length})`)),
    feed.open.length ? h('div.feed', { 'data-testid': 'open-feed' }, feed.open.map((a) => alertRow(a, assignable, refresh))) : h('p.muted', {}, tr('没有未结告警', 'No open alerts')),
    h('h2', {}, ic('check'), tr('最近关闭', 'Recently closed')),
    feed.closed.length ? h('div.feed', {}, feed.closed.map((a) => alertRow(a, assignable, refresh))) : h('p.muted', {}, tr('暂无', 'None yet')),
  );
}
