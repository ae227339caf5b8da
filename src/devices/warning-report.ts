// Device warnings reach people, throttled: every one the device layer lets through is logged (at most
// once a second per device and kind, the next saying how many were held back), and an implausible
// reading (52 ℃: a thermometer pointed at a lamp, a faulty probe) is also an alert — kiosk, ledger and
// hub — at most once per READING_ALERT_WINDOW_MS per thermometer. The reading itself never reaches a passage.
import type { Alert } from './vocabulary.js';
import type { Feature } from '../kernel/feature.js';
import type { DevicesContext } from './events.js';
import { WarningThrottle } from './warning-throttle.js';

export const READING_ALERT_WINDOW_MS = 60_000;
const ALERTED = new Set(['thermo.implausible']);

export interface WarningReportOptions {
  ctx: DevicesContext;
  /** Commits and announces the alert (the runtime: ledger first, then the bus). */
  raise(alert: Alert): void;
}

export function createWarningReport(o: WarningReportOptions): Feature {
  const { bus, logger, clock, config } = o.ctx;
  const now = () => clock.now();
  const forLog = new WarningThrottle(now, 1000, new Set());
  const forAlert = new WarningThrottle(now, READING_ALERT_WINDOW_MS, new Set());
  let off: (() => void) | undefined;
  return {
    name: 'device-warnings',
    start() {
      off = bus.on('device.warning', (w) => {
        const logged = forLog.passCount(w.deviceId, w.code, w.text);
        if (logged) logger.warn({ device: w.deviceId, lane: w.lane, code: w.code, held: logged.held }, logged.text.en);
        if (!ALERTED.has(w.code)) return;
        const alerted = forAlert.passCount(w.deviceId, w.code, w.text);
        if (!alerted) return;
        const at = now();
        try {
          o.raise({
            id: `${config.gate.id}-reading-${w.deviceId}-${at}`,
            kind: 'reading-implausible',
            severity: 'warning',
            lane: w.lane,
            at,
            text: alerted.text,
            detail: { deviceId: w.deviceId, code: w.code, heldBack: alerted.held },
          });
        } catch (err) {
          logger.error({ err, device: w.deviceId }, 'could not raise the reading alert');
        }
      });
    },
    stop() {
      off?.();
      off = undefined;
    },
  };
}
