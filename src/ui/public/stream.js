// The live data: the /api/live snapshot and the SSE stream that keeps it current. It redraws through
// `view` (filled in by the shell); after every (re)connect it re-reads the snapshot.
import { api, cue, liveVisible, notify, S, tr, view } from './core/index.js';

export async function refreshLive() {
  S.live = await api('GET', '/api/live');
  const clearMs = (S.status?.verdictClearSeconds ?? 60) * 1000;
  for (const r of S.live.recent) {
    // The newest decision of each lane is the one shown, also one decided while the stream was away
    // (its `decided` event was never heard). A verdict older than verdictClearSeconds is not shown as
    // the current one (it stays in the recent list).
    const shown = S.lastDecided[r.lane];
    if (Date.now() - r.decidedAt >= clearMs || shown?.id === r.id) continue;
    if (!shown || r.decidedAt > shown.decidedAt) {
      S.lastDecided[r.lane] = r;
      S.decidedAt[r.lane] = r.decidedAt;
    }
  }
  view.top();
  view.banner();
  view.rail();
  if (liveVisible()) view.main();
}

/** A lane with a passage waiting for the volunteer. */
export const waiting = () => (S.live?.lanes ?? []).some((l) => l.stage !== 'idle' && l.passage);

function laneUpdate(laneId, patch) {
  const l = S.live?.lanes.find((x) => x.id === laneId);
  if (l) Object.assign(l, patch);
}

const called = new Set();

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
    // A new person at the gate ends the verdict of the one before.
    view.verdict(null);
    if (liveVisible()) view.main();
    S.shownAt[`progress:${e.passage.id}`] ??= performance.timeOrigin + performance.now();
    view.rail();
    // Someone waits at the gate while the volunteer is on another screen: the 通行 tab is marked and a tone calls once.
    if (S.screen !== 'live' && !called.has(e.passage.id)) {
      called.add(e.passage.id);
      cue('attention', tr('有人在通行，请回到通行页', 'Someone is at the gate'));
    }
  });
  on('decided', (p) => {
    S.lastDecided[p.lane] = p;
    if ((p.flags ?? []).includes('fever-hold')) S.live.feverOpen = (S.live.feverOpen ?? 0) + 1;
    S.decidedAt[p.lane] = Date.now();
    laneUpdate(p.lane, { stage: 'idle', passage: null, prompt: null });
    S.live.recent = [p, ...S.live.recent].slice(0, 6);
    if (liveVisible()) view.main();
    view.rail();
    view.verdict(p);
    S.shownAt[`decided:${p.id}`] = performance.timeOrigin + performance.now();
    const admitted = p.outcome === 'admitted' || (p.outcome === 'overridden' && p.reasons.some((r) => r.code === 'override.admit'));
    cue(admitted ? 'ok' : 'refuse');
  });
  on('alert', (a) => {
    S.live.alerts = [a, ...S.live.alerts.filter((x) => x.id !== a.id)];
    view.banner();
    if (a.severity === 'critical') cue('alarm', tr(a.text.zh, a.text.en));
  });
  on('ignored', (e) => notify(tr(e.zh, e.en)));
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
    // A device alert in the strip says whether its device is back.
    view.banner();
  });
  on('sync', (s) => {
    S.live.sync = { ...S.live.sync, ...s };
    view.top();
  });
  on('changed', () => void refreshLive().catch(() => {}));
  on('declaration', (v) => view.declaration(v));
  // The session behind this stream is gone (a newer sign-in replaced it, or a restart): only the current stream counts.
  es.addEventListener('locked', () => {
    if (S.es === es) void view.signIn();
  });
}
