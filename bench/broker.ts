// A local Mosquitto for the benchmarks: a separate process on a free loopback port, as a hub runs
// its broker. undefined when the Debian package is not installed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Broker {
  name: string;
  url: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** `extra`: more lines of mosquitto.conf (the hub's bench lifts the per-session queue limit). */
export async function startMosquitto(extra: string[] = []): Promise<Broker | undefined> {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosq-'));
  const port = await freePort();
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'mosquitto.conf'), [`user ${user}`, 'allow_anonymous true', 'persistence false', 'max_inflight_messages 0', ...extra, `listener ${port} 127.0.0.1`, 'log_dest none', ''].join('\n'));
  const proc: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  try {
    await waitForPort(port, 10_000, () => proc.exitCode !== null);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    name: 'Mosquitto',
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      if (proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** Resolves once something accepts connections on the loopback port; `gaveUp` ends the wait early (the process died). */
export async function waitForPort(port: number, ms: number, gaveUp: () => boolean = () => false): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = netConnect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until || gaveUp()) throw new Error(`mosquitto did not listen on port ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
