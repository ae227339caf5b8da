// The command office's page (served by `gate hub` at /office/): sign-in, the overview, the alert
// feed, the audit log. Live: the server's event stream says what changed and the screen refetches.
import { setAlarm } from './alarm.js';
import { accountsScreen } from './accounts.js';
import { alertsScreen } from './alerts.js';
import { announcementsScreen } from './announcements.js';
import { api, can, h, ic, roleName, S, toast, tr } from './core.js';
import { auditScreen } from './audit.js';
import { ledgerScreen } from './ledger.js';
import { overviewScreen } from './overview.js';
import { reportScreen } from './report.js';
import { wordScreen } from './word.js';

const app = document.getElementById('app');
let es = null;
const SCREENS = {
  overview: { zh: '总览', en: 'Overview', icon: 'home', render: overviewScreen },
  alerts: { zh: '告警', en: 'Alerts', icon: 'bell', render: alertsScreen },
  report: { zh: '日报', en: 'Daily report', icon: 'list', render: reportScreen },
  ledger: { zh: '台账', en: 'Ledgers', icon: 'list', render: ledgerScreen },
  word: { zh: '下发', en: 'Word to gates', icon: 'send', render: wordScreen },
  notices: { zh: '广播', en: 'Announcements', icon: 'horn', render: announcementsScreen },
  audit: { zh: '审计日志', en: 'Audit log', icon: 'list', render: auditScreen, perm: 'audit' },
  accounts: { zh: '账号', en: 'Accounts', icon: 'user', render: accountsScreen, perm: 'accounts' },
};

function setLang(lang) {
  S.lang = lang;
  localStorage.setItem('office-lang', lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  setAlarm(S.unackedCritical, () => show('alerts'));
  void show(S.screen);
}

function header() {
  return h(
    'header.top',
    {},
    h('h1', {}, tr('疫情防控指挥部', 'Epidemic-control office')),
    h(
      'nav',
      {},
      Object.entries(SCREENS)
        .filter(([, s]) => !s.perm || can(s.perm))
        .map(([id, s]) => h('button', { type: 'button', 'data-testid': `nav-${id}`, 'aria-current': S.screen === id ? 'page' : null, onclick: () => show(id) }, ic(s.icon), tr(s.zh, s.en))),
    ),
    h(
      'div.who',
      {},
      h('span', { 'data-testid': 'who' }, ic('user'), ` ${S.me.user.display} · ${roleName(S.me.user.role)}`),
      h('button', { type: 'button', 'data-testid': 'lang', onclick: () => setLang(S.lang === 'en' ? 'zh-CN' : 'en') }, ic('globe'), S.lang === 'en' ? '中文' : 'English'),
      h('button', { type: 'button', 'data-testid': 'logout', onclick: logout }, ic('lock'), tr('退出', 'Sign out')),
    ),
  );
}

let renderSeq = 0;
// Someone is typing or confirming: a live redraw would take the form from under them.
// A live change that came while the screen was busy: drawn again once it is not.
let missed = false;
// Whatever was typed, picked or chosen on a screen of forms (the word to the gates) marks it dirty
// until it is drawn afresh. The overview and the alert feed keep their live redraws: their inputs
// (a note, an assignee) are kept by the checks above only while they hold something.
const busy = () => document.querySelector('main[data-dirty], main form, main .preview, main [data-dirty]') || [...document.querySelectorAll('main textarea, main .more input')].some((t) => t.value);
const markDirty = (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) e.currentTarget.dataset.dirty = '1';
};
// Every edit on any screen: a drawing of the screen on view that was fetched while someone typed
// into it is dropped (their typing is kept), whether it was live, a nav tap or the refresh after a
// send (which counts from the tap on send: what was typed after it is not the sent update's).
app.addEventListener('input', () => S.edits++, true);
app.addEventListener('change', () => S.edits++, true);

export async function show(screen, o = {}) {
  S.screen = screen;
  const seq = ++renderSeq;
  const editsBefore = o.editsSince ?? S.edits;
  // data-lang tells a watcher (and a test) which language the screen on view was drawn in.
  const main = h('main', { 'data-screen': screen, 'data-lang': S.lang });
  if (screen !== 'overview' && screen !== 'alerts') {
    main.addEventListener('input', markDirty);
    main.addEventListener('change', markDirty);
  }
  try {
    await SCREENS[screen].render(main, { refresh: (r = {}) => show(S.screen, r) });
  } catch (err) {
    if (err.status === 401) return loginScreen();
    main.append(h('p.err', {}, err.message));
  }
  if (seq !== renderSeq) return;
  // A live redraw is put off if a form opened while it was fetching; the next drawing catches up.
  if (o.live && busy()) {
    missed = true;
    return;
  }
  if (S.edits !== editsBefore && app.querySelector('main')?.dataset.screen === screen) {
    missed = true;
    // data-kept tells a watcher (and a test) that a drawing was dropped for what was typed.
    app.dataset.kept = String(seq);
    return;
  }
  app.replaceChildren(header(), main);
  if (missed && !busy()) {
    missed = false;
    void show(S.screen, { live: true });
  }
  document.title = `${tr(SCREENS[screen].zh, SCREENS[screen].en)} · ${tr('指挥部', 'Office')}`;
}

async function refreshAlarm() {
  const o = await api('GET', '/office/api/overview').catch(() => null);
  if (o) setAlarm(o.unackedCritical, () => show('alerts'));
}

function connectLive() {
  es?.close();
  es = new EventSource('/office/api/live');
  es.addEventListener('changed', (e) => {
    const { kinds } = JSON.parse(e.data);
    if (kinds.includes('alerts') || kinds.includes('gates')) void refreshAlarm();
    const mine = (S.screen === 'overview' && kinds.includes('gates')) || (S.screen === 'alerts' && kinds.includes('alerts')) || (S.screen === 'word' && kinds.includes('downlinks')) || (S.screen === 'notices' && kinds.includes('downlinks'));
    // Never redraw under someone typing or confirming: the screen is drawn again when it is sent.
    if (mine && busy()) missed = true;
    else if (mine) void show(S.screen, { live: true });
  });
  es.addEventListener('hello', () => {
    document.body.dataset.live = 'connected';
    void refreshAlarm();
  });
  es.onerror = () => {
    document.body.dataset.live = 'reconnecting';
  };
}

async function logout() {
  await api('POST', '/office/api/logout').catch(() => undefined);
  es?.close();
  S.me = null;
  setAlarm(0);
  loginScreen();
}

function loginScreen() {
  const err = h('p.err', { role: 'alert' });
  const name = h('input', { name: 'name', autocomplete: 'username', 'aria-label': tr('用户名', 'Name'), placeholder: tr('用户名', 'Name') });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', 'aria-label': tr('密码', 'Password'), placeholder: tr('密码', 'Password') });
  const form = h(
    'form.login',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('POST', '/office/api/login', { name: name.value, password: password.value });
          await start();
        } catch (x) {
          err.textContent = x.message;
        }
      },
    },
    h('h2', {}, ic('lock'), tr('指挥部登录', 'Office sign-in')),
    name,
    password,
    err,
    h('button.primary', { type: 'submit', 'data-testid': 'login' }, tr('登录', 'Sign in')),
    h('button', { type: 'button', onclick: () => setLangLogin() }, ic('globe'), S.lang === 'en' ? '中文' : 'English'),
  );
  app.replaceChildren(form);
  name.focus();
}
function setLangLogin() {
  S.lang = S.lang === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('office-lang', S.lang);
  document.documentElement.lang = S.lang === 'en' ? 'en' : 'zh-CN';
  loginScreen();
}

async function start() {
  try {
    S.me = await api('GET', '/office/api/me');
  } catch (err) {
    if (err.status === 401) return loginScreen();
    toast(err.message);
    return;
  }
  connectLive();
  await show(location.hash.slice(1) in SCREENS ? location.hash.slice(1) : 'overview');
}

document.documentElement.lang = S.lang === 'en' ? 'en' : 'zh-CN';
void start();
