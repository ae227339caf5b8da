// A device gone or faulty raises an alert at once, one per episode; a device missing at start does too.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeviceAlerts } from '../../src/devices/alerts.js';
import type { Alert } from '../../src/gate/model.js';
import { harness, MOCK_LANE } from './helpers.js';

describe('device alerts', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('raises one device-offline alert per unplug episode, and none while it is back', async () => {
    const h = harness([MOCK_LANE]);
    const raised: Alert[] = [];
    const alerts = createDeviceAlerts({ ctx: h.ctx, raise: (a) => raised.push(a) });
    await alerts.start();
    await h.devices.start();
    expect(raised).toEqual([]);
    const mock = h.devices.mock!;
    mock.unplug('scanner-1');
    expect(raised.map((a) => [a.kind, a.severity, a.lane, a.detail?.deviceId])).toEqual([['device-offline', 'warning', 'main', 'scanner-1']]);
    expect(raised[0]?.text.zh).toMatch(/扫码器 scanner-1 已断开/);
    await vi.advanceTimersByTimeAsync(5000);
    expect(raised).toHaveLength(1);
    expect(alerts.open()).toEqual(['scanner-1']);
    mock.replug('scanner-1');
    await vi.advanceTimersByTimeAsync(2500);
    expect(alerts.open()).toEqual([]);
    mock.unplug('scanner-1');
    mock.unplug('main-gpio');
    expect(raised.map((a) => `${a.kind} ${a.severity} ${a.detail?.deviceId}`)).toEqual(['device-offline warning scanner-1', 'device-offline warning scanner-1', 'device-offline critical main-gpio']);
    expect(new Set(raised.map((a) => a.id)).size).toBe(3);
    await alerts.stop();
    await h.devices.stop();
  });

  it('a device that cannot start is a device-faulty alert with the reason; a failing raise is logged, not thrown', async () => {
    const h = harness([{ ...MOCK_LANE, thermometers: [{ id: 'bad', driver: 'serial-line', path: '/dev/null', pattern: '(' }] }]);
    const raised: Alert[] = [];
    const alerts = createDeviceAlerts({
      ctx: h.ctx,
      raise: (a) => {
        raised.push(a);
        throw new Error('ledger is closed');
      },
    });
    await alerts.start();
    await h.devices.start();
    expect(raised.map((a) => [a.kind, a.detail?.deviceId])).toEqual([['device-faulty', 'bad']]);
    expect(raised[0]?.text.en).toMatch(/Thermometer bad is faulty: .*not a valid regular expression/);
    await alerts.stop();
    await h.devices.stop();
  });
});
