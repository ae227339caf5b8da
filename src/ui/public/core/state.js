// The page's state, and the shell's drawing entry points. Screens and the live stream redraw through
// `view`, which the shell (kiosk.js) fills in at start: nothing below the shell imports it.
export const S = {
  status: null,
  lang: 'zh-CN',
  screen: 'live',
  lane: null,
  live: null,
  connected: false,
  shownAt: {},
  lastDecided: {},
  es: null,
  idleTimer: null,
  lockedOperator: null,
};
// The bench and the browser tests read when a passage was drawn (bench/kiosk.ts).
window.kioskShown = S.shownAt;

export const view = {
  /** The whole signed-in screen: top bar, banner, rail, main. */
  shell() {},
  top() {},
  banner() {},
  main() {},
  /** The sign-in (or lock) screen. */
  signIn: async () => {},
  /** After a successful sign-in. */
  enter: async () => {},
};

/** True when the live screen is showing with no dialog over it (events then redraw it at once). */
export const liveVisible = () => S.screen === 'live' && document.getElementById('modal').hidden;
