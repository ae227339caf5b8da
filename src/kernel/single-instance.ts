// One daemon per data folder: its database has a single writer. A second daemon on the same data is
// refused with a message naming the running one; a lock left by a crashed daemon is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DaemonName {
  /** The pid file's stem and the daemon's name in the refusal ("gate"). */
  name: string;
  /** Its systemd unit, named in how to stop it. */
  unit: string;
}

export function lockDataDir(dataDir: string, daemon: DaemonName): () => void {
  const file = join(dataDir, `${daemon.name}.pid`);
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new Error(`Another ${daemon.name} daemon (pid ${pid}) is already running on ${dataDir}. Stop it first (systemctl stop ${daemon.unit}, or Ctrl-C where it runs).`);
    }
    writeFileSync(file, `${process.pid}\n`);
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {}
  };
}
