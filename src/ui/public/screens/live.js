// The live gate screen (通行): the passage in progress or the last verdict, recent passages, today's
// counts, and the volunteer's inputs for the lane.
import { act, api, h, hhmm, ic, numberPad, S, subjectText, toast, tr, trText, view } from '../core/index.js';
import { refreshLive } from '../stream.js';
import { cameraDialog } from './camera.js';
import { overrideDialog } from './override.js';

const OUTCOME = {
  admitted: ['ok', 'check', '准许通行', 'Admitted'],
  overridden: ['warn', 'hand', '人工处理', 'Overridden'],
  refused: ['bad', 'cross', '禁止通行', 'Refused'],
  abandoned: ['info', 'clock', '已取消', 'Abandoned'],
};
const COLOUR = { green: ['ok', '绿码', 'Green'], yellow: ['warn', '黄码', 'Yellow'], red: ['bad', '红码', 'Red'] };

function currentLane() {
  const lanes = S.live?.lanes ?? [];
  return lanes.find((l) => l.id === S.lane) ?? lanes[0];
}

export function liveScreen() {
  const lane = currentLane();
  if (!lane) return h('p', {}, tr('没有配置通道', 'No lane is configured'));
  S.lane = lane.id;
  const busy = lane.stage !== 'idle' && lane.passage;
  const p = busy ? lane.passage : S.lastDecided[lane.id];
  const card = h('section.passage', { role: 'status', 'aria-live': 'polite', 'data-testid': 'passage', 'data-passage': p?.id ?? '', 'data-outcome': busy ? 'pending' : (p?.outcome ?? 'none') });
  if (!p) {
    card.append(h('div.outcome', {}, ic('gate'), tr('等待通行', 'Waiting')), h('p.reasons', {}, tr('请刷卡或扫码', 'Scan a card or code')));
  } else {
    const o = busy ? ['info', 'clock', tr('核验中', 'Checking'), ''] : OUTCOME[p.outcome] ?? OUTCOME.abandoned;
    const dir = p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In');
    card.append(h(`div.outcome.${o[0]}`, { 'data-testid': 'outcome' }, ic(o[1]), busy ? o[2] : tr(o[2], o[3]), h('span.sub', {}, `${dir} · ${subjectText(p.subject)}`)));
    const temp = p.temperatures.at(-1);
    const hot = temp && temp.celsius >= (S.live.feverThreshold ?? 37.3);
    const col = p.colour ? COLOUR[p.colour] : null;
    card.append(
      h(
        'div.facts',
        {},
        h('div.fact', {}, h('div.k', {}, tr('方向', 'Direction')), h('div.v', {}, ic(p.direction === 'out' ? 'out' : 'in'), dir)),
        h('div.fact', {}, h('div.k', {}, tr('体温', 'Temperature')), h(`div.v${hot ? '.hot' : ''}`, { 'data-testid': 'temp' }, ic('thermo'), temp ? `${temp.celsius.toFixed(1)}℃${p.temperatures.length > 1 ? ` ×${p.temperatures.length}` : ''}` : '—')),
        h('div.fact', {}, h('div.k', {}, tr('健康码', 'Health code')), h('div.v', {}, col ? h(`span.tag.${col[0]}`, {}, ic('qr'), tr(col[1], col[2])) : '—')),
        h('div.fact', {}, h('div.k', {}, tr('口罩', 'Mask')), h('div.v', {}, ic('mask'), p.mask === true ? tr('已戴', 'Worn') : p.mask === false ? tr('未戴', 'None') : '—')),
      ),
    );
    if (busy && lane.prompt) card.append(h('div.prompt', { 'data-testid': 'prompt' }, trText(lane.prompt)));
    card.append(h('ul.reasons', { 'data-testid': 'reasons' }, (p.reasons ?? []).map((r) => h('li', { 'data-code': r.code }, ic(r.code.startsWith('passage.admitted') ? 'check' : 'info'), trText(r)))));
  }
  const recent = (S.live.recent ?? []).filter((r) => r.id !== p?.id).slice(0, 5);
  if (recent.length) {
    card.append(h('ul.recent', { 'aria-label': tr('最近通行', 'Recent passages') }, recent.map((r) => {
      const o = OUTCOME[r.outcome] ?? OUTCOME.abandoned;
      const t = hhmm(r.decidedAt);
      return h('li', {}, h(`span.tag.${o[0]}`, {}, ic(o[1]), tr(o[2], o[3])), h('span', {}, `${t} ${r.direction === 'out' ? tr('出', 'Out') : tr('进', 'In')} · ${subjectText(r.subject)}`));
    })));
  }
  const c = S.live.counts;
  card.append(
    h(
      'div.counts',
      { 'data-testid': 'counts' },
      h('span', {}, tr('进 ', 'In '), h('b', {}, c.entries)),
      h('span', {}, tr('出 ', 'Out '), h('b', {}, c.exits)),
      h('span', {}, tr('劝返 ', 'Refused '), h('b', {}, c.refusals)),
      h('span', {}, tr('发热 ', 'Fever '), h('b', {}, c.feverAlerts)),
      h('span', {}, tr('在内访客 ', 'Visitors in '), h('b', {}, c.visitorsInside)),
    ),
  );
  const input = (path, body) => act(async () => api('POST', `/api/lanes/${encodeURIComponent(lane.id)}/${path}`, body));
  const wants = { 'awaiting-colour': ['colour-green', 'colour-yellow', 'colour-red'], 'awaiting-mask': ['mask'], 'awaiting-temperature': ['temperature'], 'awaiting-remeasure': ['remeasure', 'temperature'], 'awaiting-operator': ['temperature', 'override'] }[busy ? lane.stage : ''] ?? [];
  const lanePick = (S.live.lanes.length > 1)
    ? h('div.row.wide', {}, S.live.lanes.map((l) => h('button', { type: 'button', 'aria-pressed': l.id === lane.id ? 'true' : 'false', class: l.id === lane.id ? 'info' : '', onclick: () => { S.lane = l.id; view.main(); } }, l.name)))
    : null;
  const actions = h(
    'section.actions',
    { 'aria-label': tr('操作', 'Actions') },
    lanePick,
    h('button.ok', { type: 'button', 'data-testid': 'colour-green', onclick: input('colour', { colour: 'green' }) }, ic('qr'), tr('绿码', 'Green')),
    h('button.warn', { type: 'button', 'data-testid': 'colour-yellow', onclick: input('colour', { colour: 'yellow' }) }, ic('qr'), tr('黄码', 'Yellow')),
    h('button.bad', { type: 'button', 'data-testid': 'colour-red', onclick: input('colour', { colour: 'red' }) }, ic('qr'), tr('红码', 'Red')),
    h('button', { type: 'button', 'data-testid': 'mask', onclick: input('mask', { worn: true }) }, ic('mask'), tr('已戴口罩', 'Mask on')),
    h('button', { type: 'button', 'data-testid': 'temperature', onclick: act(async () => {
      const v = await numberPad({ title: tr('输入体温 ℃（如 3 6 5 即 36.5）', 'Temperature °C (3 6 5 = 36.5)'), decimal: true, max: 4 });
      // Gloved fingers skip the point: three digits mean tenths of a degree.
      if (v) await api('POST', `/api/lanes/${encodeURIComponent(lane.id)}/temperature`, { celsius: /^\d{3}$/.test(v) ? Number(v) / 10 : Number(v) });
    }) }, ic('thermo'), tr('输入体温', 'Type temp.')),
    h('button', { type: 'button', 'data-testid': 'remeasure', onclick: input('remeasure') }, ic('repeat'), tr('复测', 'Re-check')),
    h('button', { type: 'button', 'data-testid': 'override', onclick: () => overrideDialog(lane.id) }, ic('hand'), tr('人工处理', 'Override')),
    h('button', { type: 'button', 'data-testid': 'cancel', onclick: input('cancel') }, ic('cross'), tr('取消本次', 'Cancel')),
    lane.direction === 'both' ? h('button', { type: 'button', onclick: input('direction', { direction: 'in' }) }, ic('in'), tr('下一位进', 'Next in')) : null,
    lane.direction === 'both' ? h('button', { type: 'button', onclick: input('direction', { direction: 'out' }) }, ic('out'), tr('下一位出', 'Next out')) : null,
    h('button', { type: 'button', 'data-testid': 'courier', onclick: input('courier', {}) }, ic('box'), tr('快递外卖', 'Courier')),
    h('button', { type: 'button', 'data-testid': 'camera', onclick: () => cameraDialog(lane.id) }, ic('camera'), tr('摄像扫码', 'Camera')),
    dutyButton(),
  );
  for (const b of actions.querySelectorAll('button[data-testid]')) if (wants.includes(b.dataset.testid)) b.classList.add('next');
  return h('div.live', {}, card, actions);
}

function dutyButton() {
  const me = S.status?.session?.operatorId;
  const mine = (S.live?.onDuty ?? []).find((d) => d.operatorId === me);
  const since = mine ? hhmm(mine.since) : '';
  return h(`button.wide${mine ? '' : '.info'}`, { type: 'button', 'data-testid': 'duty', 'data-on-duty': mine ? 'yes' : 'no', onclick: act(async () => {
    await api('POST', mine ? '/api/duty/sign-out' : '/api/duty/sign-in');
    toast(mine ? tr('已签退，辛苦了', 'Signed off duty') : tr('已签到值班', 'Signed on duty'));
    await refreshLive();
  }) }, ic('clock'), mine ? tr(`值班中（${since}起）· 签退`, `On duty since ${since} · sign off`) : tr('值班签到', 'Sign on duty'));
}
