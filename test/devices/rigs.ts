// Ways to stand a device in front of the driver suite: the in-process mock, a pty simulator (real serialport
// code on a pseudo-terminal), or a real port wired by a null-modem cable to a peer port the test writes into.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { LinePreset } from '../../hardware-mocks/pty/line-formats.js';
import { formatReading } from '../../hardware-mocks/pty/line-formats.js';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty-device.js';
import type { MockControls } from '../../src/devices/mock-controls.js';

export interface Rig {
  readonly name: string;
  /** Fields of the device's config (id and lane are added by the suite). */
  readonly config: Record<string, unknown>;
  /** Whether the rig can unplug the device (a real cable cannot be pulled by a test). */
  readonly canUnplug: boolean;
  /** Whether bytes can be sent as they are (not for the in-process mock). */
  readonly raw: boolean;
  setUp(): Promise<void>;
  /** Called once the device manager runs, with its mock controls. */
  attach(mock: MockControls | undefined): void;
  measure(celsius: number): Promise<void>;
  /** True once the device reads nobody again and the driver has seen it (a Modbus sensor holds a body reading). */
  fallenBack(): boolean;
  scan(text: string): Promise<void>;
  sendRaw(bytes: Uint8Array | string): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  tearDown(): Promise<void>;
}

export function mockRig(id: string): Rig {
  let mock: MockControls | undefined;
  const need = () => {
    if (!mock) throw new Error('mock rig used before attach()');
    return mock;
  };
  return {
    name: 'in-process mock',
    config: { driver: 'mock' },
    canUnplug: true,
    raw: false,
    setUp: async () => {},
    attach: (m) => {
      mock = m;
    },
    measure: async (c) => need().temperature('main', c),
    fallenBack: () => true,
    scan: async (t) => need().scan('main', t),
    sendRaw: async () => {
      throw new Error('the in-process mock takes no raw bytes');
    },
    unplug: async () => need().unplug(id),
    replug: async () => need().replug(id),
    tearDown: async () => {},
  };
}

export function ptyRig(opts: { kind: 'line-thermometer' | 'modbus-thermometer' | 'scanner'; preset?: LinePreset; config: Record<string, unknown>; ending?: 'CR' | 'LF' | 'CRLF' | 'none'; holdMs?: number; label: string }): Rig {
  let dir = '';
  let dev: PtyDevice | undefined;
  const need = () => {
    if (!dev) throw new Error('pty rig used before setUp()');
    return dev;
  };
  const rig: Rig = {
    name: `pty ${opts.label}`,
    config: { ...opts.config },
    canUnplug: true,
    raw: true,
    async setUp() {
      dir = mkdtempSync(join(tmpdir(), 'gate-pty-'));
      dev = await startPtyDevice({ kind: opts.kind, dir, name: 'tty0', holdMs: opts.holdMs ?? 400, ...(opts.preset ? { preset: opts.preset } : {}), ...(opts.ending ? { ending: opts.ending } : {}) });
      (rig.config as Record<string, unknown>).path = dev.path;
    },
    attach: () => {},
    measure: (c) => need().sendTemperature(c),
    fallenBack: () => need().fallenBack,
    scan: (t) => need().sendScan(t),
    sendRaw: (b) => need().sendRaw(b),
    unplug: () => need().unplug(),
    replug: () => need().replug(),
    async tearDown() {
      await dev?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/**
 * GATE_TEST_SERIAL_THERMOMETER / GATE_TEST_SERIAL_SCANNER name the port the driver opens; GATE_TEST_SERIAL_PEER
 * the port at the other end of a null-modem cable, where the test plays the device.
 */
export function realPortRig(kind: 'thermometer' | 'scanner', path: string, peerPath: string | undefined): Rig {
  if (!peerPath) throw new Error(`GATE_TEST_SERIAL_${kind.toUpperCase()}=${path} needs GATE_TEST_SERIAL_PEER: the port wired to it by a null-modem cable, where the test plays the device`);
  let peer: SerialPort | undefined;
  const write = (b: Uint8Array | string) =>
    new Promise<void>((res, rej) => {
      if (!peer) return rej(new Error('real-port rig used before setUp()'));
      peer.write(b, (err) => (err ? rej(err) : peer?.drain(() => res())));
    });
  return {
    name: `real port ${path}`,
    config: kind === 'thermometer' ? { driver: 'serial-line', path, preset: 't-equals' } : { driver: 'serial', path, suffix: 'CR' },
    canUnplug: false,
    raw: true,
    async setUp() {
      const p = new SerialPort({ path: peerPath, baudRate: 9600, autoOpen: false });
      await new Promise<void>((res, rej) => p.open((err) => (err ? rej(new Error(`Cannot open the peer port ${peerPath}: ${err.message}`)) : res())));
      peer = p;
    },
    attach: () => {},
    measure: (c) => write(`${formatReading('t-equals', c)}\r\n`),
    fallenBack: () => true,
    scan: (t) => write(`${t}\r`),
    sendRaw: write,
    unplug: async () => {
      throw new Error('a real cable cannot be unplugged by a test');
    },
    replug: async () => {},
    async tearDown() {
      const p = peer;
      peer = undefined;
      if (p?.isOpen) await new Promise<void>((res) => p.close(() => res()));
    },
  };
}

/**
 * Polls until the check passes; fails with what it waited for. Every wait in these tests is bounded,
 * generously: the bound only turns a hang into a message (5 s was too short on a CI machine under
 * load: a Modbus reading over a pseudo-terminal took longer).
 */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}
