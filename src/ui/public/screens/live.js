// The live gate screen (通行): the passage in progress or the last verdict, recent passages, today's
// counts, and the volunteer's inputs for the lane. The inputs keep one place whatever happens: no
// banner, prompt or state moves them (alerts have their own strip above). A locked screen shows the
// same, with the PIN panel where the inputs were.
import { act, answered, api, h, hhmm, ic, numberPad, S, subjectText, toast, tr, trText, view } from '../core/index.js';
import { refreshLive } from '../stream.js';
import { cameraDialog } from './camera.js';
import { lockPanel } from './login.js';
import { overrideDialog } from './override.js';
import { verdictOf } from './verdict.js';

const COLOUR = { green: ['ok', '绿码', 'Green'], yellow: ['warn', '黄码', 'Yellow'], red: ['bad', '红码', 'Red'] };

function currentLane() {
  const lanes = S.live?.lanes ?? [];
  return lanes.find((l) => l.id === S.lane) ?? lanes[0];
}

let clearTimer = null;

/** The lane's last verdict while it is recent (kiosk.verdictClearSeconds), else nothing. */
function lastVerdict(lane) {
  const p = S.lastDecided[lane.id];
  if (!p) return null;
  const left = (S.status?.verdictClearSeconds ?? 60) * 1000 - (Date.now() - (S.decidedAt[lane.id] ?? 0));
  if (left <= 0) return null;
  clearTimeout(clearTimer);
  clearTimer = setTimeout(() => view.main(), left + 50);
  return p;
}

/** Degrees as the pad shows them before 确定: gloved fingers skip the point, so 3 digits are tenths. */
export const celsiusOf = (v) => (/^\d{3}$/.test(v) ? Number(v) / 10 : Number(v));
const padCelsius = (v) => (/^\d{3}$/.test(v) ? `${celsiusOf(v).toFixed(1)} ℃` : v ? `${v} ℃` : '');

function passageCard(lane) {
  const busy = lane.stage !== 'idle' && lane.passage;
  const p = busy ? lane.passage : lastVerdict(lane);
  const card = h('section.passage', { role: 'status', 'aria-live': 'polite', 'data-testid': 'passage', 'data-passage': p?.id ?? '', 'data-outcome': busy ? 'pending' : (p?.outcome ?? 'none') });
  if (S.live.lanes.length > 1) {
    card.append(h('div.lanes', {}, S.live.lanes.map((l) => h(`button${l.id === lane.id ? '.info' : ''}`, { type: 'button', 'aria-pressed': String(l.id === lane.id), onclick: () => { S.lane = l.id; view.main(); } }, l.name, l.stage !== 'idle' && l.passage ? ic('warn') : null))));
  }
  if (!p) {
    card.append(h('div.outcome', {}, ic('gate'), tr('等待通行', 'Waiting')), h('p.reasons', {}, tr('请刷卡或扫码', 'Scan a card or code')));
  } else {
    const o = busy ? ['info', 'clock', '核验中', 'Checking'] : verdictOf(p);
    const dir = p.direction === 'out' ? tr('出', 'Out') : tr('进', 'In');
    card.append(h(`div.outcome.${o[0]}`, { 'data-testid': 'outcome' }, ic(o[1]), h('span.word', {}, tr(o[2], o[3]))), h('div.subject', {}, `${dir} · ${subjectText(p.subject)}`));
    const temp = p.temperatures.at(-1);
    const hot = temp && temp.celsius >= (S.live.feverThreshold ?? 37.3);
    const col = p.colour ? COLOUR[p.colour] : null;
    card.append(
      h(
        'div.facts',
        {},
        h('div.fact', {}, h('div.k', {}, p.temperatures.length > 1 ? tr(`体温（${p.temperatures.length}次）`, `Temp. (×${p.temperatures.length})`) : tr('体温', 'Temp.')), h(`div.v${hot ? '.hot' : ''}`, { 'data-testid': 'temp' }, ic('thermo'), temp ? `${temp.celsius.toFixed(1)}℃` : '—')),
        h('div.fact', {}, h('div.k', {}, tr('健康码', 'Code')), h('div.v', {}, col ? h(`span.tag.${col[0]}`, {}, ic('qr'), tr(col[1], col[2])) : '—')),
        h('div.fact', {}, h('div.k', {}, tr('口罩', 'Mask')), h('div.v', {}, ic('mask'), p.mask === true ? tr('已戴', 'Worn') : p.mask === false ? tr('未戴', 'None') : '—')),
      ),
    );
    if (busy && lane.prompt) card.append(h('div.prompt', { 'data-testid': 'prompt' }, trText(lane.prompt)));
    // The word above already says 准予通行.
    card.append(h('ul.reasons', { 'data-testid': 'reasons' }, (p.reasons ?? []).filter((r) => r.code !== 'passage.admitted').map((r) => h('li', { 'data-code': r.code }, ic(r.code.startsWith('passage.admitted') ? 'check' : 'info'), trText(r)))));
  }
  const recent = (S.live.recent ?? []).filter((r) => r.id !== p?.id).slice(0, 5);
  if (recent.length) {
    card.append(h('ul.recent', { 'aria-label': tr('最近通行', 'Recent passages') }, recent.map((r) => {
      const o = verdictOf(r);
      return h('li', {}, h(`span.tag.${o[0]}`, {}, ic(o[1]), tr(o[2], o[3])), h('span', {}, `${hhmm(r.decidedAt)} ${r.direction === 'out' ? tr('出', 'Out') : tr('进', 'In')} · ${subjectText(r.subject)}`));
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
      h('span', {}, tr('访客 ', 'Visitors '), h('b', {}, c.visitorsInside)),
    ),
  );
  return card;
}

function actionsPanel(lane) {
  const busy = lane.stage !== 'idle' && lane.passage;
  const post = (path, body) => api('POST', `/api/lanes/${encodeURIComponent(lane.id)}/${path}`, body).then(answered);
  const input = (path, body) => act(async () => post(path, body));
  const wants = { 'awaiting-colour': ['colour-green', 'colour-yellow', 'colour-red'], 'awaiting-mask': ['mask'], 'awaiting-temperature': ['temperature'], 'awaiting-remeasure': ['remeasure', 'temperature'], 'awaiting-operator': ['temperature', 'override'] }[busy ? lane.stage : ''] ?? [];
  const b = (cls, id, icon, zh, en, onclick) => h(`button${cls}`, { type: 'button', 'data-testid': id, onclick }, ic(icon), h('span', {}, tr(zh, en)));
  const actions = h(
    'section.actions',
    { 'aria-label': tr('操作', 'Actions'), 'data-testid': 'actions' },
    b('.ok', 'colour-green', 'qr', '绿码', 'Green', input('colour', { colour: 'green' })),
    b('.warn', 'colour-yellow', 'qr', '黄码', 'Yellow', input('colour', { colour: 'yellow' })),
    b('.bad', 'colour-red', 'qr', '红码', 'Red', input('colour', { colour: 'red' })),
    b('', 'mask', 'mask', '已戴口罩', 'Mask on', input('mask', { worn: true })),
    b('', 'temperature', 'thermo', '输入体温', 'Temp.', act(async () => {
      const v = await numberPad({ title: tr('输入体温（如 3 6 5 即 36.5 ℃）', 'Temperature (3 6 5 = 36.5 °C)'), decimal: true, max: 4, format: padCelsius });
      if (v) await post('temperature', { celsius: celsiusOf(v) });
    })),
    b('', 'remeasure', 'repeat', '复测', 'Re-check', input('remeasure')),
    b('', 'override', 'hand', '人工处理', 'Override', () => overrideDialog(lane.id)),
    b('', 'cancel', 'cross', '取消本次', 'Cancel', input('cancel')),
    b('', 'courier', 'box', '快递外卖', 'Courier', input('courier', {})),
    lane.direction === 'both' ? b('', 'next-in', 'in', '下一位进', 'Next in', input('direction', { direction: 'in' })) : null,
    lane.direction === 'both' ? b('', 'next-out', 'out', '下一位出', 'Next out', input('direction', { direction: 'out' })) : null,
    b('', 'camera', 'camera', '摄像扫码', 'Camera', () => cameraDialog(lane.id)),
    dutyButton(),
  );
  for (const el of actions.querySelectorAll('button[data-testid]')) if (wants.includes(el.dataset.testid)) el.classList.add('next');
  return actions;
}

export function liveScreen() {
  const lane = currentLane();
  if (!lane) return h('p', {}, tr('没有配置通道', 'No lane is configured'));
  S.lane = lane.id;
  const card = passageCard(lane);
  // Recent passages that do not fit whole are left out rather than cut.
  requestAnimationFrame(() => {
    const list = card.querySelector('.recent');
    if (!list) return;
    const bottom = list.getBoundingClientRect().bottom;
    for (const li of [...list.children]) if (li.getBoundingClientRect().bottom > bottom + 0.5) li.remove();
  });
  return h('div.live', {}, card, S.locked ? lockPanel() : actionsPanel(lane));
}

function dutyButton() {
  const me = S.status?.session?.operatorId;
  const mine = (S.live?.onDuty ?? []).find((d) => d.operatorId === me);
  const since = mine ? hhmm(mine.since) : '';
  return h(`button.wide${mine ? '' : '.info'}`, { type: 'button', 'data-testid': 'duty', 'data-on-duty': mine ? 'yes' : 'no', onclick: act(async () => {
    await api('POST', mine ? '/api/duty/sign-out' : '/api/duty/sign-in');
    toast(mine ? tr('已签退，辛苦了', 'Signed off duty') : tr('已签到值班', 'Signed on duty'));
    await refreshLive();
  }) }, ic('clock'), h('span', {}, mine ? tr(`值班中（${since}起）· 签退`, `On duty since ${since} · sign off`) : tr('值班签到', 'Sign on duty')));
}
