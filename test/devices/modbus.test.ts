// The Modbus RTU thermometer end to end on a pseudo-terminal: a dead sensor, a wrong register, and the
// simulator checked by an independent master (modbus-serial) so the two sides cannot share one mistake.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';
import { harness } from './helpers.js';
import { until } from './rigs.js';

const ModbusClient = createRequire(import.meta.url)('modbus-serial') as new () => ModbusRTU;
const FAST = { watchMs: 100, backoffMinMs: 50, backoffMaxMs: 200 };

describe('Modbus RTU thermometer on a pty slave', () => {
  let dir: string;
  const devs: PtyDevice[] = [];
  const start = async (name: string, extra: Record<string, unknown> = {}) => {
    const d = await startPtyDevice({ kind: 'modbus-thermometer', dir, name, slaveId: 7, register: 16, holdMs: 300, ...extra });
    devs.push(d);
    return d;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gate-modbus-'));
  });
  afterAll(async () => {
    await Promise.all(devs.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sensor that stops answering is faulty after 3 missed polls, and used again when it answers', async () => {
    const dev = await start('mute');
    const h = harness([{ id: 'main', thermometers: [{ id: 't', driver: 'modbus', path: dev.path, slaveId: 7, register: 16, registerType: 'input', scale: 0.1, pollMs: 50, timeoutMs: 80 }] }], { timing: FAST });
    const state = () => h.devices.health()[0];
    try {
      await h.devices.start();
      await until('connected', () => state()?.state === 'connected');
      dev.mute(true);
      await until('faulty', () => state()?.state === 'faulty', 3000);
      expect(state()?.detail).toMatch(/No answer from the Modbus thermometer \(slave 7/);
      // While it stays silent, reopening does not make it look connected (no flapping on the bus).
      await new Promise((r) => setTimeout(r, 600));
      expect(h.of('device.health').map((x) => x.state)).toEqual(['connected', 'faulty']);
      dev.mute(false);
      await until('connected again', () => state()?.state === 'connected', 3000);
      await dev.sendTemperature(36.6);
      await until('a reading', () => h.of('device.input').length > 0);
      expect(h.of('device.input')).toEqual([{ type: 'temperature', lane: 'main', celsius: 36.6, source: 'device', deviceId: 't' }]);
    } finally {
      await h.devices.stop();
    }
  });

  it('a wrong register gets the slave’s exception as a warning and a faulty state that says why', async () => {
    const dev = await start('wrong-register');
    const h = harness([{ id: 'main', thermometers: [{ id: 't', driver: 'modbus', path: dev.path, slaveId: 7, register: 3, pollMs: 50, timeoutMs: 80 }] }], { timing: { ...FAST, backoffMinMs: 10_000, backoffMaxMs: 10_000 } });
    try {
      await h.devices.start();
      await until('faulty', () => h.devices.health()[0]?.state === 'faulty', 3000);
      expect(h.devices.health()[0]?.detail).toMatch(/illegal data address \(check "register"\)/);
      expect(dev.answered).toBeGreaterThanOrEqual(1);
    } finally {
      await h.devices.stop();
    }
  });

  it('answers an independent master (modbus-serial) with the right value and CRC', async () => {
    const dev = await start('interop', { holdMs: 5000 });
    await dev.sendTemperature(37.4);
    const client = new ModbusClient();
    try {
      await client.connectRTUBuffered(dev.path, { baudRate: 9600 });
      client.setID(7);
      client.setTimeout(500);
      expect((await client.readInputRegisters(16, 1)).data).toEqual([374]);
      expect((await client.readHoldingRegisters(15, 2)).data).toEqual([0, 374]);
      await expect(client.readHoldingRegisters(40, 1)).rejects.toMatchObject({ modbusCode: 2 });
    } finally {
      await new Promise<void>((r) => client.close(() => r()));
    }
  });
});
