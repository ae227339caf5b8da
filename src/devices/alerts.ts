// A device that is gone or faulty is an alert at once ("two don't-waits"), one per episode: the kiosk, the
// ledger and the hub hear it. The caller commits it (ledger first, then the bus), as for every alert.
import type { Feature } from '../kernel/feature.js';
import type { DeviceHealth, DevicesContext } from './events.js';
import type { Alert } from './vocabulary.js';

const KIND_NAMES: Record<DeviceHealth['kind'], { zh: string; en: string }> = {
  thermometer: { zh: '体温计', en: 'Thermometer' },
  scanner: { zh: '扫码器', en: 'Scanner' },
  gpio: { zh: '门禁控制（继电器、指示灯、蜂鸣器）', en: 'Door control (relay, lamps, buzzer)' },
};

/** The alert for a device that went away (disconnected) or stopped working (faulty). */
export function deviceAlert(h: DeviceHealth, gateId: string, now: number): Alert {
  const name = KIND_NAMES[h.kind];
  const gone = h.state === 'disconnected';
  return {
    id: `${gateId}-device-${h.id}-${now}`,
    kind: gone ? 'device-offline' : 'device-faulty',
    // Without the door control the lane cannot admit anyone safely.
    severity: h.kind === 'gpio' ? 'critical' : 'warning',
    lane: h.lane,
    at: now,
    text: gone
      ? { zh: `${name.zh} ${h.id} 已断开，请检查连线；恢复后自动重新使用`, en: `${name.en} ${h.id} is disconnected: check the cable; it is used again as soon as it is back` }
      : { zh: `${name.zh} ${h.id} 故障：${h.detail ?? '无应答'}`, en: `${name.en} ${h.id} is faulty: ${h.detail ?? 'not answering'}` },
    detail: { deviceId: h.id, deviceKind: h.kind, driver: h.driver, state: h.state, ...(h.detail ? { reason: h.detail.slice(0, 200) } : {}) },
  };
}

export interface DeviceAlertsOptions {
  ctx: DevicesContext;
  /** Commits and announces the alert (e.g. ledger.recordAlert, then bus 'alert.raised'). */
  raise(alert: Alert): void;
}

export function createDeviceAlerts(o: DeviceAlertsOptions): Feature & { open(): string[] } {
  const episodes = new Set<string>();
  let off: (() => void) | undefined;
  return {
    name: 'device-alerts',
    start() {
      off = o.ctx.bus.on('device.health', (h) => {
        if (h.state === 'connected') {
          episodes.delete(h.id);
          return;
        }
        if (episodes.has(h.id)) return;
        episodes.add(h.id);
        try {
          o.raise(deviceAlert(h, o.ctx.config.gate.id, o.ctx.clock.now()));
        } catch (err) {
          o.ctx.logger.error({ err, device: h.id }, 'could not raise the device alert');
        }
      });
    },
    stop() {
      off?.();
      off = undefined;
    },
    /** Devices with an alert raised and not yet back. */
    open: () => [...episodes],
  };
}
