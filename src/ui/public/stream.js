// The live data: the /api/live snapshot and the SSE stream that keeps it current. It redraws through
// `view` (filled in by the shell); after every (re)connect it re-reads the snapshot.
import { api, liveVisible, S, view } from './core/index.js';

export async function refreshLive() {
  S.live = await api('GET', '/api/live');
  for (const r of S.live.recent) if (!S.lastDecided[r.lane]) S.lastDecided[r.lane] = r;
  view.top();
  view.banner();
  if (liveVisible()) view.main();
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

export function connect() {
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
    view.top();
    if (es.readyState === EventSource.CLOSED) setTimeout(() => { if (S.es === es) void api('GET', '/api/status').then((st) => { S.status = st; if (st.session) connect(); else void view.signIn(); }).catch(() => setTimeout(connect, 2000)); }, 2000);
  });
  on('progress', (e) => {
    laneUpdate(e.lane, { stage: e.stage, passage: e.passage, prompt: e.prompt });
    if (liveVisible()) view.main();
    S.shownAt[`progress:${e.passage.id}`] ??= performance.timeOrigin + performance.now();
  });
  on('decided', (p) => {
    S.lastDecided[p.lane] = p;
    laneUpdate(p.lane, { stage: 'idle', passage: null, prompt: null });
    S.live.recent = [p, ...S.live.recent].slice(0, 6);
    if (liveVisible()) view.main();
    S.shownAt[`decided:${p.id}`] = performance.timeOrigin + performance.now();
    beep(p.outcome === 'admitted');
  });
  on('alert', (a) => {
    S.live.alerts = [a, ...S.live.alerts.filter((x) => x.id !== a.id)];
    view.banner();
  });
  on('ack', ({ alertId }) => {
    S.live.alerts = S.live.alerts.filter((x) => x.id !== alertId);
    view.banner();
  });
  on('counts', (c) => {
    S.live.counts = c;
    if (liveVisible()) view.main();
  });
  on('device', (d) => {
    S.live.devices = [...S.live.devices.filter((x) => x.id !== d.id), d];
    view.top();
  });
  on('sync', (s) => {
    S.live.sync = { ...S.live.sync, ...s };
    view.top();
  });
  on('changed', () => void refreshLive().catch(() => {}));
  es.addEventListener('locked', () => void view.signIn());
}
