// One driver suite, run against the in-process mock, the pty simulators (real serialport code on
// pseudo-terminals) and, when GATE_TEST_SERIAL_THERMOMETER / GATE_TEST_SERIAL_SCANNER name one, a real port.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './helpers.js';
import { mockRig, ptyRig, type Rig, realPortRig, until } from './rigs.js';

const FAST = { watchMs: 100, backoffMinMs: 50, backoffMaxMs: 400 };
/**
 * How long the Modbus simulator holds a body reading at least; it holds it on until polled twice, so
 * a busy machine that polls late still sees it. Tests wait for it to fall back (rig.fallenBack), not
 * for a time.
 */
const MODBUS_HOLD_MS = 200;

const thermometerRigs: Rig[] = [
  mockRig('thermo-1'),
  ptyRig({ kind: 'line-thermometer', preset: 't-equals', label: 'line thermometer "T=36.5"', config: { driver: 'serial-line', preset: 't-equals' } }),
  ptyRig({ kind: 'line-thermometer', preset: 'fahrenheit', ending: 'CR', label: 'line thermometer "97.7F" CR', config: { driver: 'serial-line', preset: 'auto', framing: 'CR' } }),
  ptyRig({ kind: 'line-thermometer', preset: 'body', ending: 'LF', label: 'line thermometer "Body 36.5 ℃ Amb 20.1" LF', config: { driver: 'serial-line', preset: 'body', framing: 'LF' } }),
  ptyRig({ kind: 'modbus-thermometer', holdMs: MODBUS_HOLD_MS, label: 'Modbus RTU thermometer', config: { driver: 'modbus', slaveId: 1, register: 0, scale: 0.1, pollMs: 50, timeoutMs: 100 } }),
];
const scannerRigs: Rig[] = [
  mockRig('scanner-1'),
  ptyRig({ kind: 'scanner', label: 'scanner CR', ending: 'CR', config: { driver: 'serial', suffix: 'CR' } }),
  ptyRig({ kind: 'scanner', label: 'scanner CRLF', ending: 'CRLF', config: { driver: 'serial', suffix: 'CRLF' } }),
  ptyRig({ kind: 'scanner', label: 'scanner inter-byte timeout', ending: 'none', config: { driver: 'serial', suffix: 'timeout', interByteTimeoutMs: 40 } }),
];
const env = process.env;
if (env.GATE_TEST_SERIAL_THERMOMETER) thermometerRigs.push(realPortRig('thermometer', env.GATE_TEST_SERIAL_THERMOMETER, env.GATE_TEST_SERIAL_PEER));
if (env.GATE_TEST_SERIAL_SCANNER) scannerRigs.push(realPortRig('scanner', env.GATE_TEST_SERIAL_SCANNER, env.GATE_TEST_SERIAL_PEER));

const isModbus = (rig: Rig) => rig.config.driver === 'modbus';
// Fahrenheit on the wire has one decimal, so 36.6 °C comes back as 97.9 °F = 36.61 °C.
const round1 = (n: number) => Math.round(n * 10) / 10;

for (const rig of thermometerRigs) {
  describe(`thermometer driver: ${rig.name}`, () => {
    let h: ReturnType<typeof harness>;
    const temps = () => h.of('device.input').flatMap((i) => (i.type === 'temperature' ? [round1(i.celsius)] : []));
    const state = () => h.devices.health().find((d) => d.id === 'thermo-1')?.state;
    beforeAll(async () => {
      await rig.setUp();
      h = harness([{ id: 'main', thermometers: [{ id: 'thermo-1', offset: 0.2, ...rig.config }] }], { timing: FAST });
      await h.devices.start();
      rig.attach(h.devices.mock);
      await until('the thermometer to connect', () => state() === 'connected');
    });
    afterAll(async () => {
      await h?.devices.stop();
      await rig.tearDown();
    });
    afterEach(async () => {
      // A Modbus sensor reports a person when the reading rises above the background: the driver must
      // have seen it fall back before the next case measures.
      await until('the sensor to read the background again', rig.fallenBack);
      h.heard.length = 0;
    });

    it('turns a measurement into one calibrated temperature input', async () => {
      await rig.measure(36.5);
      await until('a temperature input', () => temps().length > 0);
      expect(temps()).toEqual([36.7]);
      expect(h.of('device.input')[0]).toMatchObject({ type: 'temperature', lane: 'main', source: 'device', deviceId: 'thermo-1' });
    });

    it('makes readings outside 30–45 °C a device warning, never a passage input', async () => {
      await rig.measure(45.5);
      await until('a warning', () => h.of('device.warning').length > 0);
      await until('the sensor to read the background again', rig.fallenBack);
      await rig.measure(37.0);
      await until('the next good reading', () => temps().length > 0);
      expect(temps()).toEqual([37.2]);
      expect(h.of('device.warning').map((w) => w.code)).toEqual(['thermo.implausible']);
      expect(h.of('device.warning')[0]?.text.en).toMatch(/45\.7 °C/);
    });

    if (rig.raw && !isModbus(rig)) {
      it('drops garbage with a warning and reads the next line', async () => {
        await rig.sendRaw(Buffer.from([0x00, 0xff, 0x1b, 0x41, 0x0d, 0x0a]));
        await rig.sendRaw('hello there\r\n');
        await rig.measure(36.6);
        await until('the good reading after garbage', () => temps().length > 0);
        expect(temps()).toEqual([36.8]);
        expect(h.of('device.warning').map((w) => w.code)).toEqual(['thermo.garbage', 'thermo.unparsable']);
      });
    }

    if (isModbus(rig)) {
      it('skips line noise between answers', async () => {
        // Garbage on the bus between polls is skipped by the frame search; the next answer still counts.
        await rig.sendRaw(Buffer.from([0x01, 0x03, 0x02, 0xff]));
        await rig.measure(36.4);
        await until('a reading after line noise', () => temps().length > 0);
        expect(temps()).toEqual([36.6]);
      });
    }

    if (rig.canUnplug) {
      it('reports an unplug and uses the device again after replug', async () => {
        await rig.unplug();
        const lost = await until('disconnected', () => state() === 'disconnected');
        expect(lost).toBeLessThan(5000);
        await rig.replug();
        const back = await until('connected again', () => state() === 'connected');
        expect(back).toBeLessThan(5000);
        await rig.measure(36.9);
        await until('a reading after replug', () => temps().length > 0);
        expect(temps()).toEqual([37.1]);
        // Lost, then back; on a loaded machine the first poll after the replug may time out and say
        // so ('faulty', seen in the Node 26 matrix run) before the reading comes. Nothing else.
        const states = h.of('device.health').map((x) => x.state);
        expect(states[0]).toBe('disconnected');
        expect(states.at(-1)).toBe('connected');
        expect(states.slice(1, -1).every((s) => s === 'faulty' || s === 'connected')).toBe(true);
      });
    }
  });
}

for (const rig of scannerRigs) {
  describe(`scanner driver: ${rig.name}`, () => {
    let h: ReturnType<typeof harness>;
    const scans = () => h.of('device.input').flatMap((i) => (i.type === 'scan' ? [i.text] : []));
    const state = () => h.devices.health().find((d) => d.id === 'scanner-1')?.state;
    beforeAll(async () => {
      await rig.setUp();
      // Every case scans different codes, so a long window only matters for the re-read case.
      h = harness([{ id: 'main', scanners: [{ id: 'scanner-1', dedupeWindowMs: 5000, maxLength: 64, ...rig.config }] }], { timing: FAST });
      await h.devices.start();
      rig.attach(h.devices.mock);
      await until('the scanner to connect', () => state() === 'connected');
    });
    afterAll(async () => {
      await h?.devices.stop();
      await rig.tearDown();
    });
    afterEach(() => {
      h.heard.length = 0;
    });

    it('turns a scan into one scan input with the exact text', async () => {
      await rig.scan('GP1.eyJ0IjoiaCJ9.c2ln');
      await until('a scan input', () => scans().length > 0);
      expect(scans()).toEqual(['GP1.eyJ0IjoiaCJ9.c2ln']);
      expect(h.of('device.input')[0]).toMatchObject({ type: 'scan', lane: 'main', deviceId: 'scanner-1' });
    });

    it('counts the same code re-read within the window once', async () => {
      await rig.scan('110101199003077777');
      await until('the first read', () => scans().length === 1);
      await rig.scan('110101199003077777');
      // A scanner that ends scans by silence needs one between them: the re-read's frame has ended once
      // it was counted as a repeat (waiting a fixed time merged the two on a loaded machine).
      await until('the re-read counted as a repeat', () => h.of('device.scan-repeat').length === 1);
      await rig.scan('after-the-re-read');
      await until('the next code', () => scans().length === 2);
      expect(scans()).toEqual(['110101199003077777', 'after-the-re-read']);
    });

    it('refuses control characters and over-long scans with a warning', async () => {
      await rig.scan('evil\u001b[2Jcode');
      await until('the first warning', () => h.of('device.warning').length === 1);
      await rig.scan('X'.repeat(65));
      await until('the second warning', () => h.of('device.warning').length === 2);
      await rig.scan('after-bad');
      await until('the good scan', () => scans().length > 0);
      expect(h.of('device.warning').map((w) => w.code)).toEqual(['scan.control-chars', 'scan.too-long']);
      expect(scans()).toEqual(['after-bad']);
    });

    if (rig.canUnplug) {
      it('reports an unplug and scans again after replug', async () => {
        await rig.unplug();
        expect(await until('disconnected', () => state() === 'disconnected')).toBeLessThan(5000);
        await rig.replug();
        expect(await until('connected again', () => state() === 'connected')).toBeLessThan(5000);
        await rig.scan('back-again');
        await until('a scan after replug', () => scans().length > 0);
        expect(scans()).toEqual(['back-again']);
      });
    }
  });
}
