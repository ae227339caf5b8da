import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriverRegistry, realDrivers } from '../../src/devices/drivers.js';
import { harness, MOCK_LANE } from './helpers.js';

describe('devices feature with mock drivers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts every device connected and drives outputs to the safe state', async () => {
    const h = harness([MOCK_LANE]);
    await h.devices.start();
    expect(h.devices.health().map((d) => [d.id, d.kind, d.state])).toEqual([
      ['thermo-1', 'thermometer', 'connected'],
      ['scanner-1', 'scanner', 'connected'],
      ['main-gpio', 'gpio', 'connected'],
    ]);
    const mock = h.devices.mock!;
    expect(mock.commands('main').map((c) => `${c.output}=${c.on}`)).toEqual(['relay=false', 'lampGreen=false', 'lampRed=false', 'buzzer=false']);
    await h.devices.stop();
  });

  it('without the mock drivers (a production start), reports a mock device as not usable, saying why, and offers no controls', async () => {
    const h = harness([MOCK_LANE], { drivers: new DriverRegistry(realDrivers) });
    await h.devices.start();
    const thermo = h.devices.health().find((d) => d.id === 'thermo-1');
    expect(thermo?.state).not.toBe('connected');
    expect(thermo?.detail).toMatch(/Thermometer "thermo-1": no driver "mock" here \(the mock drivers come with the simulation: gate run --simulation\); drivers: serial-line, modbus/);
    expect(h.devices.mock).toBeUndefined();
    await h.devices.stop();
  });

  it('emits scans raw, refuses control characters and over-long scans, and counts a re-read once', async () => {
    const h = harness([MOCK_LANE]);
    await h.devices.start();
    const mock = h.devices.mock!;
    mock.scan('main', 'GP1.abc.def', 'in');
    mock.scan('main', 'GP1.abc.def');
    await vi.advanceTimersByTimeAsync(1001);
    mock.scan('main', 'GP1.abc.def');
    mock.scan('main', 'evil\u001b[31m');
    mock.scan('main', 'x'.repeat(1025));
    expect(h.of('device.input')).toEqual([
      { type: 'scan', lane: 'main', text: 'GP1.abc.def', deviceId: 'scanner-1', direction: 'in' },
      { type: 'scan', lane: 'main', text: 'GP1.abc.def', deviceId: 'scanner-1' },
    ]);
    expect(h.of('device.warning').map((w) => w.code)).toEqual(['scan.control-chars', 'scan.too-long']);
    await h.devices.stop();
  });

  it('applies calibration, and turns implausible readings into warnings, never inputs', async () => {
    const h = harness([{ ...MOCK_LANE, thermometers: [{ id: 'thermo-1', driver: 'mock', offset: 0.3 }] }]);
    await h.devices.start();
    const mock = h.devices.mock!;
    mock.temperature('main', 36.2);
    mock.temperature('main', 25);
    mock.temperature('main', 51);
    h.devices.calibrate('thermo-1', { ambientCompensation: true, ambientCelsius: 0 });
    mock.temperature('main', 35.5);
    // Device-reported ambient wins over the configured one: (20 − 10) × 0.05 = 0.5.
    mock.temperature('main', 35.5, 10);
    expect(h.of('device.input')).toEqual([
      { type: 'temperature', lane: 'main', celsius: 36.5, source: 'device', deviceId: 'thermo-1' },
      { type: 'temperature', lane: 'main', celsius: 36.8, source: 'device', deviceId: 'thermo-1' },
      { type: 'temperature', lane: 'main', celsius: 36.3, source: 'device', deviceId: 'thermo-1' },
    ]);
    expect(h.of('device.warning').map((w) => w.code)).toEqual(['thermo.implausible', 'thermo.implausible']);
    expect(() => h.devices.calibrate('thermo-1', { offset: 9 })).toThrow(/between -3 and 3/);
    expect(() => h.devices.calibrate('nope', { offset: 0 })).toThrow(/No thermometer "nope"/);
    expect(h.devices.calibration('thermo-1').offset).toBe(0.3);
    await h.devices.stop();
  });

  it('pulses the relay, lights the lamp and plays the buzzer pattern for gate actions', async () => {
    const h = harness([MOCK_LANE]);
    await h.devices.start();
    const mock = h.devices.mock!;
    mock.clearCommands();
    const t0 = Date.now();
    h.devices.act('main', [
      { kind: 'relay', lane: 'main', pulseMs: 3000 },
      { kind: 'lamp', lane: 'main', colour: 'green', ms: 2000 },
      { kind: 'buzzer', lane: 'main', pattern: 'ok' },
    ]);
    expect(mock.output('main', 'relay')).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(mock.output('main', 'relay')).toBe(false);
    expect(mock.commands('main').map((c) => `${c.at - t0} ${c.output}=${c.on}`)).toEqual([
      '0 relay=true',
      '0 lampGreen=true',
      '0 lampRed=false',
      '0 buzzer=true',
      '120 buzzer=false',
      '2000 lampGreen=false',
      '2000 lampRed=false',
      '3000 relay=false',
    ]);
    await h.devices.stop();
  });

  it('debounces the exit button and reports door contact and mask sensor', async () => {
    const h = harness([MOCK_LANE]);
    await h.devices.start();
    const mock = h.devices.mock!;
    const initial = h.of('device.signal').length;
    mock.press('main', 'exit-button', true);
    await vi.advanceTimersByTimeAsync(10);
    mock.press('main', 'exit-button', false);
    mock.press('main', 'exit-button', true);
    await vi.advanceTimersByTimeAsync(29);
    expect(h.of('device.signal').length).toBe(initial);
    await vi.advanceTimersByTimeAsync(1);
    mock.mask('main', true);
    expect(h.of('device.signal').slice(initial)).toEqual([{ lane: 'main', deviceId: 'main-gpio', signal: 'exit-button', active: true }]);
    expect(h.of('device.input')).toEqual([{ type: 'mask', lane: 'main', worn: true, source: 'sensor' }]);
    await h.devices.stop();
  });

  it('reports an unplugged device at once and reopens it after replug with backoff', async () => {
    const h = harness([MOCK_LANE]);
    await h.devices.start();
    const mock = h.devices.mock!;
    mock.unplug('scanner-1');
    expect(h.devices.health().find((d) => d.id === 'scanner-1')?.state).toBe('disconnected');
    mock.scan('main', 'lost');
    await vi.advanceTimersByTimeAsync(4000);
    mock.replug('scanner-1');
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.devices.health().find((d) => d.id === 'scanner-1')?.state).toBe('connected');
    mock.scan('main', 'back');
    expect(h.of('device.input').map((i) => (i.type === 'scan' ? i.text : i.type))).toEqual(['back']);
    expect(h.of('device.health').filter((x) => x.id === 'scanner-1').map((x) => x.state)).toEqual(['connected', 'disconnected', 'connected']);
    await h.devices.stop();
  });

  it('a device whose config cannot work is faulty, and the rest still start', async () => {
    const h = harness([{ ...MOCK_LANE, thermometers: [{ id: 'bad', driver: 'serial-line', path: '/dev/null', pattern: '(' }], scanners: [{ id: 'nopath', driver: 'serial' }] }]);
    await h.devices.start();
    const health = Object.fromEntries(h.devices.health().map((d) => [d.id, d]));
    expect(health.bad?.state).toBe('faulty');
    expect(health.bad?.detail).toMatch(/not a valid regular expression/);
    expect(health.nopath?.detail).toMatch(/needs a "path"/);
    expect(health['main-gpio']?.state).toBe('connected');
    await h.devices.stop();
  });
});
