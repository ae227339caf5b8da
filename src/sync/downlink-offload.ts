// Runs checkDownlink in a worker thread, for updates large enough to stall the event loop (and with
// it the door, the serial ports and the watchdog). One worker, started on first use, unref'd.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../kernel/module-worker.js';
import type { DownlinkCheck } from './downlink-check.js';
import type { DownlinkKind } from './topics.js';

/** Updates from this size on are checked in the worker. */
export const OFFLOAD_BYTES = 64 * 1024;

/** The worker's code: beside this module, its own entry in the packed build, or the source under tests. */
function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'downlink-worker', 'src/sync/downlink-worker');
}

export class DownlinkOffload {
  private worker: Worker | undefined;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (r: DownlinkCheck) => void; reject: (e: Error) => void }>();

  /**
   * `swap`: a full roster is swapped into this ledger file by the worker (no body comes back);
   * `gate` is the ledger's writer signal, for the worker to step aside when the gate writes.
   */
  check(kind: DownlinkKind, payload: Buffer, site: string, swap?: { path: string; now: number; actor: string; gate?: SharedArrayBuffer }): Promise<DownlinkCheck> {
    const w = this.start();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A copy the worker owns (the Buffer may be a slice of mqtt.js's pool).
      const copy = new Uint8Array(payload);
      w.postMessage({ id, kind, payload: copy, site, ...(swap ? { swap } : {}) }, [copy.buffer]);
      w.ref();
    });
  }

  close(): Promise<number> | undefined {
    const w = this.worker;
    this.worker = undefined;
    this.fail(new Error('the downlink worker was stopped'));
    return w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.on('message', (m: { id: number; result: DownlinkCheck }) => {
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      p?.resolve(m.result);
    });
    w.on('error', (err) => {
      this.worker = undefined;
      this.fail(err);
    });
    w.on('exit', () => {
      if (this.worker === w) this.worker = undefined;
      this.fail(new Error('the downlink worker exited'));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    for (const p of this.waiting.values()) p.reject(err);
    this.waiting.clear();
  }
}
