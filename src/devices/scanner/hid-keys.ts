// Linux input keycodes (input-event-codes.h) of a US-layout keyboard-wedge scanner, to text.
// [unshifted, shifted]
const KEYS: Record<number, [string, string]> = {};
const row = (first: number, plain: string, shifted: string): void => {
  for (let i = 0; i < plain.length; i++) KEYS[first + i] = [plain[i] as string, shifted[i] as string];
};
row(2, '1234567890-=', '!@#$%^&*()_+');
row(16, 'qwertyuiop[]', 'QWERTYUIOP{}');
row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~');
row(43, '\\zxcvbnm,./', '|ZXCVBNM<>?');
KEYS[57] = [' ', ' '];
KEYS[15] = ['\t', '\t'];
KEYS[55] = ['*', '*'];
row(71, '789-456+1230.', '789-456+1230.');
KEYS[98] = ['/', '/'];

export const KEY = {
  ESC: 1,
  BACKSPACE: 14,
  ENTER: 28,
  LEFTCTRL: 29,
  LEFTSHIFT: 42,
  RIGHTSHIFT: 54,
  LEFTALT: 56,
  CAPSLOCK: 58,
  KPENTER: 96,
  RIGHTCTRL: 97,
  RIGHTALT: 100,
  LEFTMETA: 125,
  RIGHTMETA: 126,
} as const;

export function keyText(code: number, shift: boolean, caps: boolean): string | undefined {
  const k = KEYS[code];
  if (!k) return undefined;
  const isLetter = /^[a-z]$/.test(k[0]);
  return shift !== (caps && isLetter) ? k[1] : k[0];
}

/** Keycodes for a character (for the mocks and fixtures that type a scan). */
export function keysFor(ch: string): { code: number; shift: boolean } | undefined {
  for (const [code, [plain, shifted]] of Object.entries(KEYS)) {
    if (plain === ch) return { code: Number(code), shift: false };
    if (shifted === ch) return { code: Number(code), shift: true };
  }
  return undefined;
}
