// The kiosk page's shell: the top bar, the alert banner, the screen rail, and the start. It imports the
// screens; the screens import only the core (core/) and the live stream (stream.js), never this file.
// Plain ES modules, no framework, no build step, no CDN.
import { act, api, deviceKindWord, h, ic, installKeyboard, langButton, notify, S, SEVERITY_CLASS, severityWord, tr, trText, view } from './core/index.js';
import { announcementsAvailable, announcementsScreen } from './screens/announcements.js';
import { ledgersScreen } from './screens/ledgers.js';
import { liveScreen } from './screens/live.js';
import { lock, showLogin } from './screens/login.js';
import { residentsScreen } from './screens/residents.js';
import { settingsScreen } from './screens/settings.js';
import { showDeclaration } from './screens/declaration.js';
import { showVerdict } from './screens/verdict.js';
import { visitorsScreen } from './screens/visitors.js';
import { connect, refreshLive, waiting } from './stream.js';

const ZONE = { normal: ['常态化', 'Normal', 'ok'], precaution: ['防范区', 'Precaution', 'info'], controlled: ['管控区', 'Controlled', 'warn'], sealed: ['封控区', 'Sealed', 'bad'] };

const SCREENS = [
  ['live', 'gate', '通行', 'Gate'],
  ['visitors', 'visitor', '访客', 'Visitors'],
  ['residents', 'home', '居民', 'Residents'],
  ['ledgers', 'list', '台账', 'Ledgers'],
  ['announcements', 'horn', '广播', 'Notices'],
  ['settings', 'gear', '设置', 'Settings'],
];

function renderShell() {
  const app = document.getElementById('app');
  // The strip below the top bar is always there, alert or not: an alert never moves a control.
  app.replaceChildren(h('header.top', { id: 'top' }), h('div', { id: 'banner', 'data-testid': 'strip' }), h('nav.rail', { id: 'rail', 'aria-label': tr('页面', 'Screens') }), h('main', { id: 'main' }));
  renderTop();
  renderBanner();
  renderRail();
  renderMain();
}

function renderRail() {
  const rail = document.getElementById('rail');
  if (!rail) return;
  const role = S.status.session?.role ?? (S.locked ? null : undefined);
  // A passage waiting while the volunteer is elsewhere marks the 通行 tab (it times out otherwise).
  const calling = S.screen !== 'live' && waiting();
  rail.replaceChildren(
    ...SCREENS.filter(([id]) => (id !== 'settings' || role === 'admin') && (id !== 'announcements' || announcementsAvailable())).map(([id, ico, zh, en]) =>
      h(
        `button${id === 'live' && calling ? '.calling' : ''}`,
        { type: 'button', 'data-screen': id, 'data-calling': id === 'live' && calling ? 'yes' : undefined, 'aria-current': S.screen === id ? 'page' : undefined, onclick: () => {
          if (S.locked && id !== 'live') return notify(tr('屏幕已锁定，请先输入PIN', 'The screen is locked; type your PIN first'));
          S.screen = id;
          renderShell();
        } },
        ic(id === 'live' && calling ? 'warn' : ico),
        id === 'live' && calling ? tr('待核验', 'Waiting') : tr(zh, en),
      ),
    ),
  );
}

function renderTop() {
  const top = document.getElementById('top');
  if (!top) return;
  const live = S.live;
  const z = ZONE[live?.zoneLevel ?? 'normal'] ?? ZONE.normal;
  const lights = h('div.lights', { 'data-testid': 'lights' });
  // In a fixed order: a light that changes state does not change place.
  for (const d of [...(live?.devices ?? [])].sort((a, b) => a.id.localeCompare(b.id))) {
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
    S.locked
      ? h('span.light.warn', { 'data-testid': 'locked' }, ic('lock'), tr('已锁定', 'Locked'))
      : h('button', { type: 'button', 'data-testid': 'lock', 'aria-label': tr('锁屏', 'Lock'), onclick: act(lock) }, ic('lock'), tr('锁屏', 'Lock')),
  );
}


/**
 * An alert's words. A device is named by its kind (and lane, when there are several), its id only when
 * two of a kind share the lane; a device back in service says so until the alert is acknowledged.
 */
function alertWords(a) {
  const id = a.detail?.deviceId;
  const dev = id ? S.live?.devices?.find((d) => d.id === id) : null;
  if (dev && (a.kind === 'device-offline' || a.kind === 'device-faulty')) {
    const lanes = S.live?.lanes ?? [];
    const twin = S.live.devices.some((d) => d !== dev && d.kind === dev.kind && d.lane === dev.lane);
    const name = [deviceKindWord(dev.kind), twin ? h('span.data', {}, ` ${id}`) : null, lanes.length > 1 ? `（${lanes.find((l) => l.id === dev.lane)?.name ?? dev.lane}）` : null].filter(Boolean);
    if (dev.state === 'connected') return { back: true, parts: [...name, tr(' 已恢复，可以使用', ' is back in service')] };
    if (a.kind === 'device-offline') return { back: false, parts: [...name, tr(' 已断开，请检查连线；恢复后自动重新使用', ' is disconnected: check the cable; it is used again as soon as it is back')] };
  }
  const text = trText(a.text);
  if (!id || !text.includes(id)) return { back: false, parts: [text] };
  const [before, ...after] = text.split(id);
  return { back: false, parts: [before, h('span.data', {}, id), after.join(id)] };
}

function renderBanner() {
  const b = document.getElementById('banner');
  if (!b) return;
  if (S.notice) {
    b.className = 'banner notice';
    b.replaceChildren(ic('info'), h('span.msg', { 'data-testid': 'notice' }, S.notice.text));
    return;
  }
  const alerts = S.live?.alerts ?? [];
  if (!alerts.length) {
    b.className = 'banner calm';
    b.replaceChildren(ic('check'), h('span.msg', {}, tr('没有未处理的告警', 'No open alerts')));
    return;
  }
  // The most severe first, the newest among equals.
  const rank = { critical: 0, warning: 1, info: 2 };
  const a = [...alerts].sort((x, y) => (rank[x.severity] ?? 3) - (rank[y.severity] ?? 3) || y.at - x.at)[0];
  const w = alertWords(a);
  b.className = `banner ${w.back ? 'ok' : (SEVERITY_CLASS[a.severity] ?? 'info')}`;
  const parts = [
    ic(w.back ? 'check' : 'warn'),
    h('span.sev', {}, w.back ? tr('已恢复', 'Back') : severityWord(a.severity)),
    h('span.msg', { 'data-testid': 'alert-text' }, ...w.parts, alerts.length > 1 ? tr(`（另有${alerts.length - 1}条）`, ` (+${alerts.length - 1} more)`) : ''),
    S.locked
      ? null
      : h('button', { type: 'button', 'data-testid': 'ack', onclick: act(async () => {
          await api('POST', `/api/alerts/${encodeURIComponent(a.id)}/ack`);
          S.live.alerts = S.live.alerts.filter((x) => x.id !== a.id);
          renderBanner();
        }) }, ic('check'), tr('知道了', 'OK')),
  ];
  b.replaceChildren(...parts.filter(Boolean));
}

function renderMain() {
  const main = document.getElementById('main');
  if (!main) return;
  const screens = { live: liveScreen, visitors: visitorsScreen, residents: residentsScreen, ledgers: ledgersScreen, announcements: announcementsScreen, settings: settingsScreen };
  const f = screens[S.screen] ?? liveScreen;
  const content = f(main);
  if (content) main.replaceChildren(content);
}

function resetIdle() {
  clearTimeout(S.idleTimer);
  if (!S.status?.session || S.locked) return;
  S.idleTimer = setTimeout(() => void lock(), (S.status.idleLockSeconds ?? 300) * 1000);
}

async function enter() {
  S.screen = 'live';
  renderShell();
  await refreshLive();
  connect();
  resetIdle();
}

function verdict(p) {
  showVerdict(p);
  if (p) S.shownAt[`verdict:${p.id}`] = performance.timeOrigin + performance.now();
}

Object.assign(view, { shell: renderShell, top: renderTop, banner: renderBanner, rail: renderRail, main: renderMain, verdict, signIn: showLogin, enter, declaration: showDeclaration });

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
  installKeyboard();
  if (S.status.session) await enter();
  else await showLogin();
}

void main();
