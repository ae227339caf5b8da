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
  /** The screen is locked: it keeps showing the gate, but takes no action until a PIN is typed. */
  locked: false,
  /** A short answer to an input the gate did not take: { text, until }. */
  notice: null,
  /** When each lane's last verdict arrived (page clock): it leaves the screen after verdictClearSeconds. */
  decidedAt: {},
};
// The bench and the browser tests read when a passage was drawn (bench/kiosk.ts), and which sounds played.
window.kioskShown = S.shownAt;
window.kioskSounds = [];

export const view = {
  /** The whole signed-in screen: top bar, banner, rail, main. */
  shell() {},
  top() {},
  banner() {},
  main() {},
  /** The screen rail (the 通行 tab is marked when a passage waits). */
  rail() {},
  /** The full-screen verdict for a decided passage. */
  verdict() {},
  /** A scanned health declaration: the prefilled registration (screens/declaration.js). */
  declaration() {},
  /** The sign-in (or lock) screen. */
  signIn: async () => {},
  /** After a successful sign-in. */
  enter: async () => {},
};

/** True when the live screen is showing with no dialog over it (events then redraw it at once). */
export const liveVisible = () => S.screen === 'live' && document.getElementById('modal').hidden;
