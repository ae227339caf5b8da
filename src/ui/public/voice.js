// The loudspeaker's switch on the kiosk: one big button at the foot of the navigation rail, speaker
// on (green waves) or muted (red, crossed out), for every signed-in operator; a tap mutes or unmutes
// (audited by the server). A module of its own: it needs only the rail (nav.rail) and the /api/voice
// routes (docs/voice.md).
const state = { voice: null, busy: false };

async function call(method, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(method === 'GET' ? '/api/voice' : '/api/voice/mute', init);
  return r.ok ? r.json() : null;
}

const SVG = 'http://www.w3.org/2000/svg';
/** A loudspeaker, with sound waves or crossed out (no emoji: a Pi's Chromium has no emoji font). */
function speakerIcon(muted) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  // The pages' icon class (src/page-core/icons.js; kiosk.css: svg.icon), and a size of its own should that class change.
  svg.setAttribute('class', 'icon');
  svg.style.cssText = 'width: 26px; height: 26px; flex: none';
  svg.setAttribute('aria-hidden', 'true');
  const path = (d) => {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2.2');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('stroke-linejoin', 'round');
    svg.append(p);
  };
  path('M4 9h4l5-4v14l-5-4H4z');
  if (muted) path('M16 9l5 6M21 9l-5 6');
  else path('M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12');
  return svg;
}

function render() {
  const rail = document.querySelector('#app nav.rail');
  let b = document.getElementById('voice-switch');
  if (!rail || !state.voice?.enabled) {
    b?.remove();
    return;
  }
  if (!b) {
    b = document.createElement('button');
    b.id = 'voice-switch';
    b.type = 'button';
    
    b.addEventListener('click', toggle);
  }
  if (b.parentElement !== rail || rail.lastElementChild !== b) rail.append(b);
  const { muted, quiet, quietMode } = state.voice;
  // One short word in the page's language, as the rail's other buttons; both in the tooltip.
  const en = document.documentElement.lang === 'en';
  const word = muted ? (en ? 'Muted' : '已静音') : quiet ? (en ? (quietMode === 'tones' ? 'Tones' : 'Night') : quietMode === 'tones' ? '提示音' : '夜间') : en ? 'Speaker' : '喇叭';
  const words = Object.assign(document.createElement('span'), { textContent: word });
  // Inline: the rail's own rule makes its buttons transparent.
  b.style.cssText = muted ? 'background: var(--bad); color: #fff' : 'color: #5fd08a';
  b.setAttribute('aria-pressed', String(muted));
  b.setAttribute('aria-label', muted ? '喇叭已静音 · Loudspeaker muted' : '喇叭 · Loudspeaker');
  b.title = muted ? '喇叭已静音，点按打开 · Muted: tap to switch on' : `点按静音 · Tap to mute${quiet ? ' (夜间 · quiet hours)' : ''}`;
  b.replaceChildren(speakerIcon(muted), words);
}

async function toggle() {
  if (state.busy || !state.voice) return;
  state.busy = true;
  try {
    state.voice = (await call('POST', { muted: !state.voice.muted })) ?? state.voice;
    document.dispatchEvent(new CustomEvent('kiosk-voice', { detail: state.voice }));
  } finally {
    state.busy = false;
    render();
  }
}

async function refresh() {
  if (!document.querySelector('#app nav.rail')) return;
  try {
    state.voice = await call('GET');
  } catch {
    state.voice = null;
  }
  render();
}

// The 广播 screen's own switch (screens/announcements.js) was tapped: follow it.
document.addEventListener('kiosk-voice', (e) => {
  if (e.detail && e.detail !== state.voice) {
    state.voice = e.detail;
    render();
  }
});

// The kiosk redraws its screens: put the button back whenever the rail is drawn again.
new MutationObserver(() => {
  if (document.querySelector('#app nav.rail') && !document.getElementById('voice-switch')) {
    if (state.voice) render();
    else void refresh();
  }
}).observe(document.getElementById('app') ?? document.body, { childList: true, subtree: true });
setInterval(() => void refresh(), 15_000);
