// The kiosk page's shell: the top bar, the alert banner, the screen rail, and the start. It imports the
// screens; the screens import only the core (core/) and the live stream (stream.js), never this file.
// Plain ES modules, no framework, no build step, no CDN.
import { act, api, h, ic, langButton, S, tr, trText, view } from './core/index.js';
import { ledgersScreen } from './screens/ledgers.js';
import { liveScreen } from './screens/live.js';
import { lock, showLogin } from './screens/login.js';
import { residentsScreen } from './screens/residents.js';
import { settingsScreen } from './screens/settings.js';
import { visitorsScreen } from './screens/visitors.js';
import { connect, refreshLive } from './stream.js';

const ZONE = { normal: ['常态化', 'Normal', 'ok'], precaution: ['防范区', 'Precaution', 'info'], controlled: ['管控区', 'Controlled', 'warn'], sealed: ['封控区', 'Sealed', 'bad'] };

const SCREENS = [
  ['live', 'gate', '通行', 'Gate'],
  ['visitors', 'visitor', '访客', 'Visitors'],
  ['residents', 'home', '居民', 'Residents'],
  ['ledgers', 'list', '台账', 'Ledgers'],
  ['settings', 'gear', '设置', 'Settings'],
];

function renderShell() {
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

function renderTop() {
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

function renderBanner() {
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

function renderMain() {
  const main = document.getElementById('main');
  if (!main) return;
  const screens = { live: liveScreen, visitors: visitorsScreen, residents: residentsScreen, ledgers: ledgersScreen, settings: settingsScreen };
  const f = screens[S.screen] ?? liveScreen;
  const content = f(main);
  if (content) main.replaceChildren(content);
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

Object.assign(view, { shell: renderShell, top: renderTop, banner: renderBanner, main: renderMain, signIn: showLogin, enter });

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
