// Device simulators on pseudo-terminals that speak the real byte protocols: the daemon opens `path` with its
// real serialport code. unplug() makes the path disappear and hangs up the daemon's side; replug() brings it back.
import { join, resolve } from 'node:path';
import { ENDINGS, formatReading, isLinePreset, LINE_PRESETS, type LineEnding, type LinePreset } from './pty/line-formats.js';
import { ModbusSlave } from './pty/modbus-slave.js';
import { openPtyLink, type PtyLink } from './pty/socat.js';

export const PTY_DEVICE_KINDS = ['line-thermometer', 'modbus-thermometer', 'scanner'] as const;
export type PtyDeviceKind = (typeof PTY_DEVICE_KINDS)[number];

export interface PtyDeviceOptions {
  kind: PtyDeviceKind;
  /** Directory for the link (e.g. a test's temp dir, or /tmp). */
  dir: string;
  /** File name of the link: the daemon opens dir/name. */
  name: string;
  /** line-thermometer: how readings are printed (default t-equals). */
  preset?: LinePreset;
  /** line-thermometer and scanner: the line ending sent (default CRLF for thermometers, CR for scanners; "none" for a scanner that relies on an inter-byte timeout). */
  ending?: LineEnding | 'none';
  /** modbus-thermometer. */
  slaveId?: number;
  register?: number;
  /** °C per register unit (default 0.1). */
  scale?: number;
  /** modbus-thermometer: what the sensor reads when nobody stands in front of it (default 22 °C). */
  idleCelsius?: number;
  /** modbus-thermometer: how long a body reading stays in the register (default 1000 ms). */
  holdMs?: number;
  socat?: string;
}

/** The device fields of the daemon's config that open this simulator (add `id`). */
export type PtyDaemonConfig =
  | { driver: 'serial-line'; path: string; preset: LinePreset; framing: 'CR' | 'LF' | 'CRLF' | 'any' }
  | { driver: 'modbus'; path: string; slaveId: number; register: number; registerType: 'holding'; scale: number }
  | { driver: 'serial'; path: string; suffix: 'CR' | 'LF' | 'CRLF' | 'timeout'; interByteTimeoutMs?: number };

export interface PtyDevice {
  readonly kind: PtyDeviceKind;
  /** What to put in the lane's thermometers/scanners entry so the daemon opens this simulator. */
  readonly config: PtyDaemonConfig;
  /** What the daemon opens (a symlink to /dev/pts/N while plugged). */
  readonly path: string;
  readonly plugged: boolean;
  /** line-thermometer: one line in the preset's format; modbus-thermometer: the register reads this for holdMs, and until read twice. */
  sendTemperature(celsius: number): Promise<void>;
  /** scanner: the code followed by the configured ending. */
  sendScan(text: string): Promise<void>;
  /** Any bytes, as they are (garbage, split frames). */
  sendRaw(bytes: Uint8Array | string): Promise<void>;
  /** modbus-thermometer: requests answered so far. */
  readonly answered: number;
  /**
   * modbus-thermometer: the register is back at the idle reading and has answered two polls there
   * (a driver polling it has seen that nobody stands in front of it); always true for other kinds.
   */
  readonly fallenBack: boolean;
  /** modbus-thermometer: stop answering (a dead sensor) or answer again. */
  mute(muted: boolean): void;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPtyDevice(options: PtyDeviceOptions): Promise<PtyDevice> {
  if (!(PTY_DEVICE_KINDS as readonly string[]).includes(options.kind)) throw new Error(`Unknown simulated device kind "${options.kind}"; use one of ${PTY_DEVICE_KINDS.join(', ')}`);
  const preset = options.preset ?? 't-equals';
  if (!isLinePreset(preset)) throw new Error(`Unknown thermometer preset "${preset}"; use one of ${LINE_PRESETS.join(', ')}`);
  const path = resolve(join(options.dir, options.name));
  const ending = options.ending === 'none' ? '' : ENDINGS[options.ending ?? (options.kind === 'scanner' ? 'CR' : 'CRLF')];
  const scale = options.scale ?? 0.1;
  const idle = options.idleCelsius ?? 22;
  const slave = options.kind === 'modbus-thermometer' ? new ModbusSlave({ slaveId: options.slaveId ?? 1, register: options.register ?? 0, scale }) : undefined;
  if (slave) slave.celsius = idle;
  let link: PtyLink | undefined;
  let hold: NodeJS.Timeout | undefined;
  /** slave.answered when the register went back to the idle reading; undefined while a body reading is held. */
  let idleSince: number | undefined = 0;

  const onData = (chunk: Buffer): void => {
    if (!slave) return;
    for (const answer of slave.receive(chunk)) void link?.write(answer).catch(() => {});
  };
  const plug = async (): Promise<void> => {
    link = await openPtyLink(path, onData, options.socat);
  };
  const write = (bytes: Uint8Array | string): Promise<void> => {
    if (!link) return Promise.reject(new Error(`The simulated ${options.kind} at ${path} is unplugged`));
    return link.write(bytes);
  };
  const need = (kinds: PtyDeviceKind[], what: string): void => {
    if (!kinds.includes(options.kind)) throw new Error(`A simulated ${options.kind} cannot ${what}`);
  };

  const config: PtyDaemonConfig =
    options.kind === 'line-thermometer'
      ? { driver: 'serial-line', path, preset, framing: options.ending === 'none' || !options.ending ? 'any' : options.ending }
      : options.kind === 'modbus-thermometer'
        ? { driver: 'modbus', path, slaveId: options.slaveId ?? 1, register: options.register ?? 0, registerType: 'holding', scale }
        : options.ending === 'none'
          ? { driver: 'serial', path, suffix: 'timeout', interByteTimeoutMs: 50 }
          : { driver: 'serial', path, suffix: options.ending ?? 'CR' };

  await plug();
  const device: PtyDevice = {
    kind: options.kind,
    path,
    config,
    get plugged() {
      return link !== undefined;
    },
    get answered() {
      return slave?.answered ?? 0;
    },
    get fallenBack() {
      return !slave || (idleSince !== undefined && slave.answered - idleSince >= 2);
    },
    async sendTemperature(celsius) {
      need(['line-thermometer', 'modbus-thermometer'], 'measure a temperature');
      if (!slave) return write(`${formatReading(preset, celsius)}${ending}`);
      slave.celsius = celsius;
      idleSince = undefined;
      if (hold) clearTimeout(hold);
      // Held for holdMs and until the daemon has polled it twice: a loaded machine that polls late
      // still sees the reading, as a person stays in front of the sensor until it has read them.
      const since = slave.answered;
      const release = () => {
        if (slave.answered - since >= 2) {
          slave.celsius = idle;
          idleSince = slave.answered;
          hold = undefined;
        } else hold = setTimeout(release, 50);
      };
      hold = setTimeout(release, options.holdMs ?? 1000);
    },
    async sendScan(text) {
      need(['scanner'], 'scan');
      return write(`${text}${ending}`);
    },
    sendRaw: (bytes) => write(bytes),
    mute(muted) {
      need(['modbus-thermometer'], 'be muted');
      if (slave) slave.muted = muted;
    },
    async unplug() {
      const l = link;
      link = undefined;
      await l?.close();
    },
    async replug() {
      if (!link) await plug();
    },
    async stop() {
      if (hold) clearTimeout(hold);
      hold = undefined;
      await device.unplug();
    },
  };
  return device;
}
