// The real daemon as a child process (`node bin/gate.js run`), for tests that see it from the
// outside: its printed URLs, its kiosk, its broker, `gate sim`, signals and exit codes.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from './temp-dir.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const GATE_BIN = join(ROOT, 'bin/gate.js');

export interface DaemonOptions {
  /** Config overrides (merged over a test config with free ports and a temp data folder). */
  config?: Record<string, unknown>;
  dir?: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  readyTimeoutMs?: number;
  /** Node options before the script (e.g. --import a module hook). */
  nodeArgs?: string[];
  /** The script run as `gate`; default bin/gate.js. */
  bin?: string;
}

export interface RunningDaemon {
  child: ChildProcess;
  dir: string;
  configFile: string;
  kioskUrl: string;
  brokerUrl: string;
  /** Milliseconds from spawn to the ready banner. */
  readyMs: number;
  output(): string;
  /** `gate <args>` in the daemon's folder with its config; resolves with exit code and output. */
  gate(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Sends a signal and waits for the exit; rejects past `limitMs`. */
  stop(signal?: NodeJS.Signals, limitMs?: number): Promise<{ code: number | null; ms: number }>;
}

export function testConfig(dir: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    simulation: true,
    site: { id: 'test-village', name: '测试村' },
    gate: { id: 'east-gate', name: '东门' },
    storage: { path: join(dir, 'var/gate.db') },
    cards: { keyDir: join(dir, 'var/keys') },
    kiosk: { port: 0, adminPin: '246810' },
    mqtt: { embeddedBroker: { enabled: true, port: 0 } },
    logging: { level: 'info', pretty: false },
  };
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    base[k] = b && typeof b === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...(b as object), ...(v as object) } : v;
  }
  return base;
}

export async function startDaemon(o: DaemonOptions = {}): Promise<RunningDaemon> {
  const dir = o.dir ?? tempDir('gate-daemon-');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(testConfig(dir, o.config)));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.bin ?? GATE_BIN, 'run', '--config', configFile, ...(o.args ?? [])], {
    cwd: dir,
    env: { ...process.env, ...o.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const limit = o.readyTimeoutMs ?? 15_000;
  const urls = await new Promise<{ kiosk: string; broker: string }>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`daemon not ready within ${limit} ms:\n${out}`));
    }, limit);
    const check = () => {
      const kiosk = /Kiosk[^\n]*?(http:\/\/\S+)/.exec(out)?.[1];
      const broker = /MQTT broker:\s*(\S+)/.exec(out)?.[1];
      if (kiosk && broker) {
        clearTimeout(timer);
        res({ kiosk, broker });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`daemon exited with ${code} before it was ready:\n${out}`));
    });
  });
  const readyMs = performance.now() - t0;
  return {
    child,
    dir,
    configFile,
    kioskUrl: urls.kiosk,
    brokerUrl: urls.broker,
    readyMs,
    output: () => out,
    gate(args, timeoutMs = 30_000) {
      return new Promise((res) => {
        execFile(process.execPath, [GATE_BIN, ...args, '--config', configFile], { cwd: dir, timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
          res({ code, stdout, stderr });
        });
      });
    },
    async stop(signal = 'SIGTERM', limitMs = 5000) {
      if (child.exitCode !== null) return { code: child.exitCode, ms: 0 };
      const t = performance.now();
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`daemon did not exit within ${limitMs} ms of ${signal}:\n${out.slice(-3000)}`)), limitMs))]).catch((err) => {
        child.kill('SIGKILL');
        throw err;
      });
      return { code, ms: performance.now() - t };
    },
  };
}
