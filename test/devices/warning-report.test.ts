// An implausible reading (52 ℃) is dropped from the passage but reaches people: the log, and an alert
// for the kiosk and the hub — throttled, so a thermometer spewing garbage does not flood them.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../src/gate/model.js';
import { createWarningReport, READING_ALERT_WINDOW_MS } from '../../src/devices/warning-report.js';
import { harness, MOCK_LANE } from './helpers.js';

describe('device warning report', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs implausible readings and raises a throttled alert saying how many were held back', async () => {
    const h = harness([MOCK_LANE]);
    const lines: Array<{ msg: string; held: number; device: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const ctx = { ...h.ctx, logger: pino({ level: 'warn' }, sink) };
    const raised: Alert[] = [];
    const report = createWarningReport({ ctx, raise: (a) => raised.push(a) });
    await report.start();
    await h.devices.start();
    const mock = h.devices.mock!;
    mock.temperature('main', 52);
    expect(h.of('device.input')).toEqual([]);
    expect(raised.map((a) => [a.kind, a.severity, a.lane, a.detail?.deviceId])).toEqual([['reading-implausible', 'warning', 'main', 'thermo-1']]);
    expect(raised[0]?.text.zh).toMatch(/52 ℃ 不合理/);
    // A faulty probe spewing: logged at most once a second, one alert a minute.
    for (let i = 0; i < 20; i++) mock.temperature('main', 52 + i / 10);
    expect(raised).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1500);
    mock.temperature('main', 60);
    await vi.advanceTimersByTimeAsync(READING_ALERT_WINDOW_MS);
    mock.temperature('main', 61);
    expect(raised).toHaveLength(2);
    expect(raised[1]?.detail?.heldBack).toBe(21);
    expect(raised[1]?.text.en).toMatch(/21 more like this held back/);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => [l.device, l.held])).toEqual([
      ['thermo-1', 0],
      ['thermo-1', 20],
      ['thermo-1', 0],
    ]);
    await report.stop();
    await h.devices.stop();
  });
});
