// A device spewing garbage must not flood the kiosk, the log and the hub: noise warnings of one device and
// code pass at most once per window, the next one saying how many were held back. Implausible readings are
// per person and always pass.
import type { Text } from './vocabulary.js';

export const WARNING_WINDOW_MS = 1000;
const ALWAYS = new Set(['thermo.implausible']);

export class WarningThrottle {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs = WARNING_WINDOW_MS,
  ) {}

  /** The text to emit now, or undefined when this one is held back. */
  pass(deviceId: string, code: string, text: Text): Text | undefined {
    if (ALWAYS.has(code)) return text;
    const key = `${deviceId}\u0000${code}`;
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.windowMs) {
      seen.held++;
      return undefined;
    }
    this.last.set(key, { at: t, held: 0 });
    if (!seen?.held) return text;
    return { zh: `${text.zh}（另有 ${seen.held} 条同类提示已合并）`, en: `${text.en} (${seen.held} more like this held back)` };
  }
}
