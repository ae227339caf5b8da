// Group commit for the ledger (storage.synchronous: GROUP). SQLite runs with synchronous=NORMAL: a
// commit appends its frames to the WAL without waiting for the disk. Before the gate shows a
// decision (screen, hub; the door moves at the commit, docs/storage.md), it asks this barrier; the barrier fdatasyncs the WAL file on the
// libuv thread pool and calls back. Requests that arrive while a sync is running wait for the next
// one, which covers all of them: under load one sync serves many decisions, and the event loop
// keeps deciding meanwhile. After the callback the decision's WAL frames are on stable storage,
// which is what synchronous=FULL gives in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous),
// so a power cut cannot lose a decision that was shown.
// The sync always runs on the thread pool, never on the event loop. Syncing a lone decision in place
// was tried (2026-12-01): it saved the two thread wake-ups, the sync's p90 going from 4.5 to 1.1 ms on
// the idle development VM. But an SD card's sync can stall for seconds, and in place that would freeze
// the kiosk, the serial ports, MQTT and the watchdog's pings with the door (docs/storage.md).
import { closeSync, fdatasync, openSync } from 'node:fs';

export type StorageSynchronous = 'GROUP' | 'FULL' | 'NORMAL';

/** The `PRAGMA synchronous` SQLite runs with for a configured level. */
export function sqliteSynchronous(level: StorageSynchronous): 'FULL' | 'NORMAL' {
  return level === 'FULL' ? 'FULL' : 'NORMAL';
}

export interface WalBarrier {
  /** Calls back once every commit made before this call is on stable storage (or with the error). */
  request(cb: (err?: Error) => void): void;
  /** Syncs done so far (tests and benchmarks: how many requests one sync served). */
  readonly syncs: number;
  /** Waits for the sync in flight and releases the file. */
  close(): Promise<void>;
}

export function createWalBarrier(dbPath: string): WalBarrier {
  const walPath = `${dbPath}-wal`;
  let fd: number | undefined;
  let running = false;
  let waiting: Array<(err?: Error) => void> = [];
  const idle: Array<() => void> = [];
  let syncs = 0;
  let closed = false;

  function run(): void {
    if (running || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    try {
      fd ??= openSync(walPath, 'r');
    } catch (err) {
      for (const cb of batch) cb(new Error(`Cannot open ${walPath} to sync it: ${(err as Error).message}`));
      return;
    }
    running = true;
    fdatasync(fd, (err) => {
      running = false;
      syncs++;
      for (const cb of batch) cb(err ?? undefined);
      if (waiting.length) run();
      else for (const done of idle.splice(0)) done();
    });
  }

  return {
    request(cb) {
      if (closed) return cb(new Error('the ledger is closed'));
      waiting.push(cb);
      run();
    },
    get syncs() {
      return syncs;
    },
    async close() {
      closed = true;
      if (running || waiting.length) await new Promise<void>((resolve) => idle.push(resolve));
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
