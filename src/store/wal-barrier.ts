// Group commit for the ledger (storage.synchronous: GROUP). SQLite runs with synchronous=NORMAL: a
// commit appends its frames to the WAL without waiting for the disk. Before the gate acts on a
// decision (door, screen, hub), it asks this barrier; the barrier fdatasyncs the WAL file on the
// libuv thread pool and calls back. Requests that arrive while a sync is running wait for the next
// one, which covers all of them: under load one sync serves many decisions, and the event loop
// keeps deciding meanwhile. After the callback the decision's WAL frames are on stable storage,
// which is what synchronous=FULL gives in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous),
// so a power cut cannot lose a decision that was acted on.
// A lone request (`inline`: one decision, the gate between people) with no sync running is synced at
// once on the event loop instead: handing the sync to a pool thread and the result back costs two
// thread wake-ups, which on an idle machine took longer than the sync itself (BENCHMARKS.md,
// scan to relay). Under a queue the turns hold many decisions and keep using the pool.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

export type StorageSynchronous = 'GROUP' | 'FULL' | 'NORMAL';

/** The `PRAGMA synchronous` SQLite runs with for a configured level. */
export function sqliteSynchronous(level: StorageSynchronous): 'FULL' | 'NORMAL' {
  return level === 'FULL' ? 'FULL' : 'NORMAL';
}

export interface WalBarrier {
  /**
   * Calls back once every commit made before this call is on stable storage (or with the error).
   * With `inline` and no sync running, syncs now and calls back before returning.
   */
  request(cb: (err?: Error) => void, opts?: { inline?: boolean }): void;
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

  function open(): number | Error {
    try {
      fd ??= openSync(walPath, 'r');
      return fd;
    } catch (err) {
      return new Error(`Cannot open ${walPath} to sync it: ${(err as Error).message}`);
    }
  }

  function syncNow(cb: (err?: Error) => void): void {
    const file = open();
    if (file instanceof Error) {
      cb(file);
      return;
    }
    let failed: Error | undefined;
    try {
      fdatasyncSync(file);
    } catch (err) {
      failed = err as Error;
    }
    syncs++;
    cb(failed);
  }

  function run(): void {
    if (running || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const opened = open();
    if (opened instanceof Error) {
      for (const cb of batch) cb(opened);
      return;
    }
    running = true;
    fdatasync(opened, (err) => {
      running = false;
      syncs++;
      for (const cb of batch) cb(err ?? undefined);
      if (waiting.length) run();
      else for (const done of idle.splice(0)) done();
    });
  }

  return {
    request(cb, opts) {
      if (closed) return cb(new Error('the ledger is closed'));
      if (opts?.inline && !running && waiting.length === 0) return syncNow(cb);
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
