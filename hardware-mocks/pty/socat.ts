// One end of a pseudo-terminal that a daemon opens like a serial port; the other end is socat's stdio,
// so the simulator holds no tty itself. Killing socat removes the link and hangs up the daemon's side: an unplug.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

export type SocatProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export interface PtyLink {
  readonly path: string;
  readonly child: SocatProcess;
  write(bytes: Uint8Array | string): Promise<void>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/** Starts `socat pty,rawer,link=PATH STDIO`; resolves once the link exists and data flows. */
export function openPtyLink(path: string, onData: (chunk: Buffer) => void, socat = 'socat'): Promise<PtyLink> {
  return new Promise((resolve, reject) => {
    if (staleLink(path)) unlinkSync(path);
    if (existsSync(path)) {
      reject(new Error(`${path} already exists and leads to a live pseudo-terminal: another simulator is running there (a socat left by a killed daemon?); stop it or choose another name`));
      return;
    }
    const child = spawn(socat, ['-d', '-d', `pty,rawer,link=${path}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let ready = false;
    const fail = (msg: string): void => {
      clearTimeout(timer);
      clearInterval(poll);
      if (!ready) reject(new Error(msg));
    };
    const succeed = (): void => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      clearInterval(poll);
      resolve(link);
    };
    // The link appears once the pty is open; bytes written before socat's loop starts wait in the pipe.
    // (Its "starting data transfer loop" notice is the other sign, in case a socat version words it otherwise.)
    const poll = setInterval(() => {
      if (existsSync(path) && child.exitCode === null) succeed();
    }, 10);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`socat did not start a pseudo-terminal at ${path} within ${START_TIMEOUT_MS} ms: ${stderr.trim().split('\n').pop() ?? ''}`);
    }, START_TIMEOUT_MS);
    child.on('error', (err) => fail(`Cannot run "${socat}" (${err.message}): install Debian's socat package (npm test does it: scripts/test-deps.mjs)`));
    child.stdout.on('data', onData);
    child.stdin.on('error', () => {});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (ready) return;
      stderr += s;
      if (stderr.includes('starting data transfer loop') && existsSync(path)) succeed();
    });
    child.on('exit', (code, signal) => fail(`socat ended before the pseudo-terminal was ready (code ${code ?? signal}): ${stderr.trim().split('\n').pop() ?? ''}`));
    const link: PtyLink = {
      path,
      child,
      write: (bytes) =>
        new Promise<void>((res, rej) => {
          if (child.exitCode !== null || child.signalCode !== null || !child.stdin.writable) {
            rej(new Error(`The simulated device at ${path} is unplugged`));
            return;
          }
          child.stdin.write(bytes, (err) => (err ? rej(err) : res()));
        }),
      close: () => stopSocat(child, path),
    };
  });
}

/** A link left by a socat that was killed: it points at a /dev/pts entry that is gone. */
function staleLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && !existsSync(path);
  } catch {
    return false;
  }
}

async function stopSocat(child: SocatProcess, path: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
  child.stdout.destroy();
  child.stderr.destroy();
  child.stdin.destroy();
  // socat removes its link on a clean exit; after SIGKILL it cannot.
  try {
    if (existsSync(path)) unlinkSync(path);
  } catch {}
}
