// In simulation, the lane's mock scanner and thermometer can be replaced by device simulators on
// pseudo-terminals (hardware-mocks/pty-device.ts, socat): the daemon then opens them with its real
// serial drivers, framing and supervision, exactly as it opens a USB scanner. GPIO stays mocked.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty.js';
import type { Config } from '../config/schema.js';
import type { LaneConfig } from '../devices/index.js';

interface Planned {
  lane: string;
  id: string;
  kind: 'scanner' | 'line-thermometer';
  dir: string;
  name: string;
  device?: PtyDevice;
}

export interface SimDevices {
  /** The lanes with pty devices in place of in-process mocks. */
  lanes: LaneConfig[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The pty device of a lane (or by id), when one was planned. */
  find(q: { lane?: string; id?: string; kind?: 'scanner' | 'line-thermometer' }): PtyDevice | undefined;
  ids(): string[];
}

function socatInstalled(): boolean {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Plans pty devices for the mock scanners and thermometers of the lanes; undefined when in-process mocks are used. */
export function planSimDevices(config: Config, dataDir: string, logger: Logger): SimDevices | undefined {
  const mode = config.simulator.devices;
  if (mode === 'in-process') return undefined;
  if (!socatInstalled()) {
    if (mode === 'pty') throw new Error('simulator.devices is "pty" but socat is not installed (apt-get install socat)');
    logger.info('socat is not installed: simulated devices run in-process (apt-get install socat for pseudo-terminal simulators)');
    return undefined;
  }
  const dir = join(dataDir, 'dev');
  const planned: Planned[] = [];
  const lanes = config.lanes.map((lane) => ({
    ...lane,
    scanners: lane.scanners.map((s) => {
      if (s.driver !== 'mock') return s;
      planned.push({ lane: lane.id, id: s.id, kind: 'scanner', dir, name: s.id });
      return { ...s, driver: 'serial' as const, path: join(dir, s.id), suffix: 'CR' as const };
    }),
    thermometers: lane.thermometers.map((t) => {
      if (t.driver !== 'mock') return t;
      planned.push({ lane: lane.id, id: t.id, kind: 'line-thermometer', dir, name: t.id });
      return { ...t, driver: 'serial-line' as const, path: join(dir, t.id), preset: 't-equals', framing: 'any' as const };
    }),
  }));
  if (planned.length === 0) return undefined;
  return {
    lanes,
    async start() {
      mkdirSync(dir, { recursive: true });
      // All at once: each waits for its socat to report its pseudo-terminal (a start of the daemon
      // waited for them one after the other).
      const started = await Promise.allSettled(planned.map(async (p) => (p.device = await startPtyDevice({ kind: p.kind, dir: p.dir, name: p.name }))));
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) {
        await Promise.all(planned.map((p) => p.device?.stop().catch(() => {})));
        throw failed.reason;
      }
      logger.info({ devices: planned.map((p) => `${p.id}=${join(p.dir, p.name)}`) }, 'device simulators on pseudo-terminals');
    },
    async stop() {
      await Promise.all(planned.map((p) => p.device?.stop().catch(() => {})));
    },
    find: (q) => planned.find((p) => (q.id === undefined || p.id === q.id) && (q.lane === undefined || p.lane === q.lane) && (q.kind === undefined || p.kind === q.kind))?.device,
    ids: () => planned.map((p) => p.id),
  };
}
