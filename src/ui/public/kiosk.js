// The kiosk page: plain JS modules, no framework, no CDN. Every user-supplied text goes in with
// textContent (never innerHTML); only the fixed icon SVGs below are parsed as markup.
import { icon } from './icons.js';
import { residentsScreen } from './residents.js';
import { ledgersScreen, settingsScreen } from './admin.js';
import { visitorsScreen } from './visitors.js';
import { showDeclaration } from './declaration.js';

export const S = {
  status: null,
  lang: 'zh-CN',
  screen: 'live',
  lane: null,
  live: null,
  shownAt: {},
  lastDecided: {},
  es: null,
  idleTimer: null,
  lockedOperator: null,
};
window.kioskShown = S.shownAt;

export const tr = (zh, en) => (S.lang === 'en' ? en : zh);
/** A time as the village's clock shows it (the site's zone, not the zone the browser runs in). */
export const villageTime = (ms, opts) => new Date(ms).toLocaleString(S.lang === 'en' ? 'en-GB' : 'zh-CN', { ...opts, ...(S.status?.timeZone ? { timeZone: S.status.timeZone } : {}) });
export const hhmm = (ms) => villageTime(ms, { hour: '2-digit', minute: '2-digit' });
/** The village's calendar day, YYYY-MM-DD. */
export const villageToday = () => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(S.status?.timeZone ? { timeZone: S.status.timeZone } : {}) }).format(new Date());
export const trText = (t) => (t ? (S.lang === 'en' ? t.en : t.zh) : '');

/** h('button.ok', {onclick}, 'text', child…) */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'html') el.innerHTML = v;
    else if (k in el && k !== 'list' && k !== 'type') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
export const ic = (name) => h('span', { html: icon(name), 'aria-hidden': 'true' }).firstChild;

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const json = (r.headers.get('content-type') ?? '').includes('json') ? await r.json() : null;
  if (!r.ok) {
    if (json?.code === 'UNAUTHENTICATED' || json?.code === 'SESSION_LOCKED') void showLogin();
    const err = new Error(json ? tr(json.zh, json.en) : `HTTP ${r.status}`);
    err.body = json;
    throw err;
  }
  return json;
}

export function toast(text, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = bad ? 'bad' : '';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.hidden = true;
  }, 3500);
}

export function act(fn) {
  return async (ev) => {
    const b = ev?.currentTarget;
    if (b) b.disabled = true;
    try {
      await fn(ev);
    } catch (err) {
      toast(err.message, true);
    } finally {
      if (b) b.disabled = false;
    }
  };
}

export function modal(content) {
  const m = document.getElementById('modal');
  m.replaceChildren(h('div.dialog', { role: 'dialog', 'aria-modal': 'true' }, content));
  m.hidden = false;
}
export function closeModal() {
  const m = document.getElementById('modal');
  const wasOpen = !m.hidden;
  modalCleanup?.();
  modalCleanup = null;
  m.hidden = true;
  m.replaceChildren();
  // Live events that came while the dialog covered the screen were kept, not drawn: draw them now.
  if (wasOpen && S.live && S.status?.session && S.screen === 'live' && document.getElementById('main')) renderMain();
}

/** An on-screen number pad; resolves with the typed text or null. */
export function numberPad({ title, decimal = false, secret = false, signed = false, max = 12, okText }) {
  return new Promise((resolve) => {
    let value = '';
    const display = h('div.display', { 'data-testid': 'pad-display' });
    const show = () => {
      display.textContent = secret ? '•'.repeat(value.length) : value || ' ';
    };
    const press = (k) => () => {
      if (k === 'del') value = value.slice(0, -1);
      else if (k === '±') value = value.startsWith('-') ? value.slice(1) : `-${value}`;
      else if (value.length < max && !(k === '.' && value.includes('.'))) value += k;
      show();
    };
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', decimal ? '.' : '', '0', 'del', ...(signed ? ['±'] : [])];
    modal([
      h('h2', {}, title),
      display,
      h('div.pad', {}, keys.map((k) => (k === '' ? h('span') : h('button', { type: 'button', onclick: press(k), 'aria-label': k === 'del' ? tr('删除', 'Delete') : k, 'data-key': k }, k === 'del' ? ic('back') : k)))),
      h('div.row', { style: 'margin-top:8px' }, h('button', { type: 'button', onclick: () => { closeModal(); resolve(null); } }, ic('cross'), tr('取消', 'Cancel')), h('button.ok', { type: 'button', 'data-testid': 'pad-ok', onclick: () => { closeModal(); resolve(value); } }, ic('check'), okText ?? tr('确定', 'OK'))),
    ]);
    show();
  });
}

// ---------- shell ----------

const ZONE = { normal: ['常态化', 'Normal', 'ok'], precaution: ['防范区', 'Precaution', 'info'], controlled: ['管控区', 'Controlled', 'warn'], sealed: ['封控区', 'Sealed', 'bad'] };

function setLang(lang) {
  S.lang = lang;
  localStorage.setItem('kiosk-lang', lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  if (S.status?.session) renderShell();
  else void showLogin();
}

function langButton() {
  return h('button', { type: 'button', 'data-testid': 'lang', 'aria-label': 'Language / 语言', onclick: () => setLang(S.lang === 'en' ? 'zh-CN' : 'en') }, ic('globe'), S.lang === 'en' ? '中文' : 'English');
}

const SCREENS = [
  ['live', 'gate', '通行', 'Gate'],
  ['visitors', 'visitor', '访客', 'Visitors'],
  ['residents', 'home', '居民', 'Residents'],
  ['ledgers', 'list', '台账', 'Ledgers'],
  ['settings', 'gear', '设置', 'Settings'],
];

export function renderShell() {
  const app = document.getElementById('app');
  const role = S.status.session?.role;
  const rail = h(
    'nav.rail',
    { 'aria-label': tr('页面', 'Screens') },
    SCREENS.filter(([id]) => id !== 'settings' || role === 'admin').map(([id, ico, zh, en]) =>
      h('button', { type: 'button', 'data-screen': id, 'aria-current': S.screen === id ? 'page' : undefined, onclick: () => { S.screen = id; renderShell(); } }, ic(ico), tr(zh, en)),
    ),
  );
  app.replaceChildren(h('header.top', { id: 'top' }), h('div', { id: 'banner' }), rail, h('main', { id: 'main' }));
  renderTop();
  renderBanner();
  renderMain();
}

export function renderTop() {
  const top = document.getElementById('top');
  if (!top) return;
  const live = S.live;
  const z = ZONE[live?.zoneLevel ?? 'normal'] ?? ZONE.normal;
  const lights = h('div.lights', { 'data-testid': 'lights' });
  for (const d of live?.devices ?? []) {
    const good = d.state === 'connected';
    const kind = { thermometer: tr('测温', 'Temp'), scanner: tr('扫码', 'Scan'), gpio: tr('门', 'Door') }[d.kind] ?? d.kind;
    lights.append(h(`span.light.${good ? 'ok' : 'bad'}`, { title: `${d.id} ${d.state}`, 'data-device': d.id }, ic(good ? 'check' : 'cross'), kind));
  }
  if (live?.sync) {
    const s = live.sync;
    const good = !s.enabled || s.connected;
    lights.append(h(`span.light.${good ? 'ok' : 'warn'}`, { title: `outbox ${s.outboxDepth}` }, ic(good ? 'cloud' : 'warn'), s.enabled ? (s.connected ? tr('联网', 'Hub') : `${tr('离线', 'Offline')} ${s.outboxDepth}`) : tr('本地', 'Local')));
  }
  const conn = h(`span.light.${S.connected ? 'ok' : 'bad'}`, { 'data-testid': 'conn' }, ic(S.connected ? 'check' : 'warn'), S.connected ? tr('实时', 'Live') : tr('重连中', 'Reconnecting'));
  top.replaceChildren(
    h('span.title', {}, live?.gate ?? S.status?.gate ?? ''),
    h(`span.zone.${z[2]}`, { 'data-testid': 'zone' }, tr(z[0], z[1])),
    lights,
    conn,
    h('span.spacer'),
    h('span.who', {}, S.status?.session?.name ?? ''),
    langButton(),
    h('button', { type: 'button', 'data-testid': 'lock', 'aria-label': tr('锁屏', 'Lock'), onclick: act(lock) }, ic('lock'), tr('锁屏', 'Lock')),
  );
}

export function renderBanner() {
  const b = document.getElementById('banner');
  if (!b) return;
  const alerts = S.live?.alerts ?? [];
  if (!alerts.length) {
    b.className = '';
    b.replaceChildren();
    return;
  }
  const a = alerts[0];
  b.className = `banner ${a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info'}`;
  b.replaceChildren(
    ic('warn'),
    h('span.msg', { 'data-testid': 'alert-text' }, `${trText(a.text)}${alerts.length > 1 ? tr(`（另有${alerts.length - 1}条）`, ` (+${alerts.length - 1} more)`) : ''}`),
    h('button', { type: 'button', 'data-testid': 'ack', onclick: act(async () => {
      await api('POST', `/api/alerts/${encodeURIComponent(a.id)}/ack`);
      S.live.alerts = S.live.alerts.filter((x) => x.id !== a.id);
      renderBanner();
    }) }, ic('check'), tr('知道了', 'Acknowledge')),
  );
}

export function renderMain() {
  const main = document.getElementById('main');
  if (!main) return;
  const screens = { live: liveScreen, visitors: visitorsScreen, residents: residentsScreen, ledgers: ledgersScreen, settings: settingsScreen };
  const f = screens[S.screen] ?? liveScreen;
  const content = f(main);
  if (content) main.replaceChildren(content);
}

// ---------- live gate ----------

const OUTCOME = {
  admitted: ['ok', 'check', '准许通行', 'Admitted'],
  overridden: ['warn', 'hand', '人工处理', 'Overridden'],
  refused: ['bad', 'cross', '禁止通行', 'Refused'],
  abandoned: ['info', 'clock', '已取消', 'Abandoned'],
};
const COLOUR = { green: ['ok', '绿码', 'Green'], yellow: ['warn', '黄码', 'Yellow'], red: ['bad', '红码', 'Red'] };

export function subjectText(s) {
  if (!s) return tr('未识别', 'Not identified');
  const kind = { household: tr('户卡', 'Household card'), person: tr('人卡', 'Person card'), vehicle: tr('车证', 'Vehicle'), staff: tr('工作人员', 'Staff'), visitor: tr('访客', 'Visitor'), 'resident-id': tr('身份证', 'ID card'), 'visitor-id': tr('访客', 'Visitor'), courier: tr('快递外卖', 'Courier'), unknown: tr('未知', 'Unknown') }[s.kind] ?? s.kind;
  const who = s.name ?? (s.kind === 'household' && s.householdId ? `${tr('户', 'Household')} ${s.householdId}` : '');
  return [who, s.idTail ? `**${s.idTail}` : '', s.plate, `(${kind})`].filter(Boolean).join(' ');
}

function currentLane() {
  const lanes = S.live?.lanes ?? [];
  return lanes.find((l) => l.id === S.lane) ?? lanes[0];
}

function liveScreen() {
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
    ? h('div.row.wide', {}, S.live.lanes.map((l) => h('button', { type: 'button', 'aria-pressed': l.id === lane.id ? 'true' : 'false', class: l.id === lane.id ? 'info' : '', onclick: () => { S.lane = l.id; renderMain(); } }, l.name)))
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

const OVERRIDE_REASONS = [
  ['手持体温枪复测正常', 'Handheld re-check normal'],
  ['已当面核验健康码', 'Health code checked in person'],
  ['医护或工作人员执行任务', 'Medical or staff on duty'],
  ['紧急就医', 'Medical emergency'],
];

function overrideDialog(lane) {
  let decision = 'admit';
  const reason = h('input', { type: 'text', maxLength: 500, 'data-testid': 'override-reason', placeholder: tr('原因（必填）', 'Reason (required)') });
  const admitB = h('button.ok', { type: 'button', 'aria-pressed': 'true', onclick: () => pick('admit') }, ic('check'), tr('放行', 'Admit'));
  const refuseB = h('button', { type: 'button', 'aria-pressed': 'false', onclick: () => pick('refuse') }, ic('cross'), tr('拦截', 'Refuse'));
  const pick = (d) => {
    decision = d;
    admitB.className = d === 'admit' ? 'ok' : '';
    refuseB.className = d === 'refuse' ? 'bad' : '';
    admitB.setAttribute('aria-pressed', String(d === 'admit'));
    refuseB.setAttribute('aria-pressed', String(d === 'refuse'));
  };
  const err = h('p.err');
  modal([
    h('h2', {}, tr('人工处理（记入审计）', 'Override (audited)')),
    h('div.row', {}, admitB, refuseB),
    h('label', {}, tr('常用原因', 'Common reasons')),
    h('div.chips', {}, OVERRIDE_REASONS.map(([zh, en]) => h('button', { type: 'button', onclick: () => { reason.value = tr(zh, en); } }, tr(zh, en)))),
    h('label', {}, tr('原因', 'Reason')),
    reason,
    err,
    h('div.row', {}, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('取消', 'Cancel')), h('button.info', { type: 'button', 'data-testid': 'override-ok', onclick: act(async () => {
      try {
        await api('POST', `/api/lanes/${encodeURIComponent(lane)}/override`, { decision, reason: reason.value });
        closeModal();
      } catch (e) {
        err.textContent = e.message;
      }
    }) }, ic('check'), tr('确认', 'Confirm'))),
  ]);
}

let modalCleanup = null;

/** The QR text in an RGBA frame reduced f× by averaging, or null. */
function decodeFrame(Z, reader, img, f) {
  const w = Math.floor(img.width / f);
  const hgt = Math.floor(img.height / f);
  const lum = new Uint8ClampedArray(w * hgt);
  const d = img.data;
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < f; dy++) {
        for (let dx = 0; dx < f; dx++) {
          const i = ((y * f + dy) * img.width + x * f + dx) * 4;
          sum += (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
        }
      }
      lum[y * w + x] = sum / (f * f);
    }
  }
  try {
    return reader.decode(new Z.BinaryBitmap(new Z.HybridBinarizer(new Z.RGBLuminanceSource(lum, w, hgt)))).getText();
  } catch {
    return null;
  }
}

/** Our own frame loop over @zxing/library's QR reader: its video helpers can miss the 'playing' event and wait forever. */
async function cameraDialog(lane) {
  const video = h('video', { muted: true, playsInline: true, autoplay: true, 'data-testid': 'camera-video' });
  const msg = h('p.err');
  let stream = null;
  let timer = null;
  let done = false;
  const release = () => {
    done = true;
    clearTimeout(timer);
    for (const t of stream?.getTracks() ?? []) t.stop();
  };
  modal([h('h2', {}, tr('摄像头扫码', 'Scan with the camera')), video, msg, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('关闭', 'Close'))]);
  modalCleanup = release;
  try {
    if (!window.ZXing) await new Promise((resolve, reject) => document.head.append(h('script', { src: '/vendor/zxing/index.min.js', onload: resolve, onerror: () => reject(new Error(tr('扫码组件加载失败', 'The scanner library did not load'))) })));
    const Z = window.ZXing;
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    if (done) return release();
    video.srcObject = stream;
    await video.play().catch(() => {});
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const reader = new Z.QRCodeReader();
    let round = 0;
    const tick = () => {
      if (done) return;
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        g.drawImage(video, 0, 0);
        // zxing-js misses sharp codes whose modules are many pixels wide: each frame is also tried
        // averaged down 3×, 2× and 4× (a box filter; the canvas's own scaling aliases).
        const f = [1, 3, 2, 4][round++ % 4];
        const text = decodeFrame(Z, reader, g.getImageData(0, 0, canvas.width, canvas.height), f);
        if (text) {
          closeModal();
          void api('POST', `/api/lanes/${encodeURIComponent(lane)}/scan`, { text }).catch((e) => toast(e.message, true));
          return;
        }
      }
      timer = setTimeout(tick, 120);
    };
    tick();
  } catch (e) {
    msg.textContent = `${tr('无法使用摄像头', 'The camera cannot be used')}: ${e.message ?? e}`;
  }
}

// ---------- live data ----------

export async function refreshLive() {
  S.live = await api('GET', '/api/live');
  for (const r of S.live.recent) if (!S.lastDecided[r.lane]) S.lastDecided[r.lane] = r;
  renderTop();
  renderBanner();
  if (S.screen === 'live' && document.getElementById('modal').hidden) renderMain();
}

function laneUpdate(laneId, patch) {
  const l = S.live?.lanes.find((x) => x.id === laneId);
  if (l) Object.assign(l, patch);
}

let beepCtx = null;
function beep(ok) {
  if (!S.status?.spokenPrompts) return;
  try {
    beepCtx ??= new AudioContext();
    const o = beepCtx.createOscillator();
    const g = beepCtx.createGain();
    o.frequency.value = ok ? 880 : 220;
    g.gain.value = 0.2;
    o.connect(g).connect(beepCtx.destination);
    o.start();
    o.stop(beepCtx.currentTime + (ok ? 0.15 : 0.6));
  } catch {}
}

function connect() {
  S.es?.close();
  const es = new EventSource('/api/events');
  S.es = es;
  const on = (name, f) => es.addEventListener(name, (e) => { if (S.live) f(JSON.parse(e.data)); });
  es.addEventListener('open', () => {
    S.connected = true;
    void refreshLive().catch(() => {});
  });
  es.addEventListener('error', () => {
    S.connected = false;
    renderTop();
    if (es.readyState === EventSource.CLOSED) setTimeout(() => { if (S.es === es) void api('GET', '/api/status').then((st) => { S.status = st; if (st.session) connect(); else void showLogin(); }).catch(() => setTimeout(connect, 2000)); }, 2000);
  });
  on('progress', (e) => {
    laneUpdate(e.lane, { stage: e.stage, passage: e.passage, prompt: e.prompt });
    if (S.screen === 'live' && document.getElementById('modal').hidden) renderMain();
    S.shownAt[`progress:${e.passage.id}`] ??= performance.timeOrigin + performance.now();
  });
  on('decided', (p) => {
    S.lastDecided[p.lane] = p;
    laneUpdate(p.lane, { stage: 'idle', passage: null, prompt: null });
    S.live.recent = [p, ...S.live.recent].slice(0, 6);
    if (S.screen === 'live' && document.getElementById('modal').hidden) renderMain();
    S.shownAt[`decided:${p.id}`] = performance.timeOrigin + performance.now();
    beep(p.outcome === 'admitted');
  });
  on('alert', (a) => {
    S.live.alerts = [a, ...S.live.alerts.filter((x) => x.id !== a.id)];
    renderBanner();
  });
  on('ack', ({ alertId }) => {
    S.live.alerts = S.live.alerts.filter((x) => x.id !== alertId);
    renderBanner();
  });
  on('counts', (c) => {
    S.live.counts = c;
    if (S.screen === 'live' && document.getElementById('modal').hidden) renderMain();
  });
  on('device', (d) => {
    S.live.devices = [...S.live.devices.filter((x) => x.id !== d.id), d];
    renderTop();
  });
  on('sync', (s) => {
    S.live.sync = { ...S.live.sync, ...s };
    renderTop();
  });
  on('changed', () => void refreshLive().catch(() => {}));
  on('declaration', (v) => showDeclaration(v));
  es.addEventListener('locked', () => void showLogin());
}

// ---------- login, first run, lock ----------

async function lock() {
  S.lockedOperator = S.status?.session?.operatorId ?? null;
  await api('POST', '/api/logout').catch(() => {});
  await showLogin();
}

function resetIdle() {
  clearTimeout(S.idleTimer);
  if (!S.status?.session) return;
  S.idleTimer = setTimeout(() => void lock(), (S.status.idleLockSeconds ?? 300) * 1000);
}

async function enter() {
  S.screen = 'live';
  renderShell();
  await refreshLive();
  connect();
  resetIdle();
}

export async function showLogin() {
  S.es?.close();
  S.es = null;
  clearTimeout(S.idleTimer);
  closeModal();
  S.status = await api('GET', '/api/status').catch(() => S.status);
  if (S.status?.locked) S.lockedOperator = S.status.locked.operatorId;
  const app = document.getElementById('app');
  const head = h('header.top', {}, h('span.title', {}, `${S.status?.site ?? ''} · ${S.status?.gate ?? ''}`), h('span.spacer'), langButton());
  if (S.status?.setupNeeded) {
    const name = h('input', { type: 'text', value: tr('管理员', 'Administrator'), maxLength: 40, 'data-testid': 'setup-name' });
    const err = h('p.err', { 'data-testid': 'setup-error' });
    app.replaceChildren(
      head,
      h(
        'div.login',
        {},
        h('section.card', {}, h('h2', {}, ic('lock'), tr('首次启动：设置管理员PIN', 'First start: set the administrator PIN')), h('p', {}, tr('没有默认密码。请设置6到12位数字PIN，并妥善保管。', 'There is no default password. Choose a PIN of 6 to 12 digits and keep it safe.')), h('label', {}, tr('管理员姓名', 'Administrator name')), name, err,
          h('button.ok', { type: 'button', 'data-testid': 'setup-pin', onclick: act(async () => {
            const pin = await numberPad({ title: tr('设置PIN（6-12位）', 'New PIN (6-12 digits)'), secret: true });
            if (!pin) return;
            const again = await numberPad({ title: tr('再输入一次PIN', 'Enter the PIN again'), secret: true });
            if (again !== pin) {
              err.textContent = tr('两次输入的PIN不一致', 'The two PINs differ');
              return;
            }
            try {
              await api('POST', '/api/setup', { name: name.value, pin });
              S.status = await api('GET', '/api/status');
              await enter();
            } catch (e) {
              err.textContent = e.message;
            }
          }) }, ic('check'), tr('设置PIN', 'Set PIN'))),
      ),
    );
    return;
  }
  let ops = [];
  try {
    ops = await api('GET', '/api/operators/public');
  } catch {}
  const err = h('p.err', { 'data-testid': 'login-error' });
  const login = (op) => act(async () => {
    const pin = await numberPad({ title: `${op.name} · ${tr('输入PIN', 'Enter PIN')}`, secret: true });
    if (!pin) return;
    try {
      await api('POST', '/api/login', { operatorId: op.id, pin });
      S.status = await api('GET', '/api/status');
      S.lockedOperator = null;
      await enter();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  const first = ops.find((o) => o.id === S.lockedOperator);
  app.replaceChildren(
    head,
    h(
      'div.login',
      {},
      h('section.card', {}, h('h2', {}, ic('lock'), first ? tr('屏幕已锁定', 'Screen locked') : tr('值班员登录', 'Sign in')), err,
        h('div.ops', { 'data-testid': 'operators' }, (first ? [first, ...ops.filter((o) => o !== first)] : ops).map((o) => h(`button${o === first ? '.info' : ''}`, { type: 'button', 'data-operator': o.id, onclick: login(o) }, ic(o.role === 'admin' ? 'gear' : 'user'), `${o.name}${o.role === 'admin' ? tr('（管理员）', ' (admin)') : ''}`)))),
    ),
  );
}

async function main() {
  S.lang = localStorage.getItem('kiosk-lang') ?? 'zh-CN';
  try {
    S.status = await api('GET', '/api/status');
  } catch {
    document.getElementById('app').textContent = '无法连接服务 Cannot reach the gate service';
    setTimeout(main, 3000);
    return;
  }
  if (!localStorage.getItem('kiosk-lang')) S.lang = S.status.language;
  document.documentElement.lang = S.lang === 'en' ? 'en' : 'zh-CN';
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, resetIdle, { passive: true });
  if (S.status.session) await enter();
  else await showLogin();
}

void main();
