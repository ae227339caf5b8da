// The gate's connection and the downlink worker's connection (./roster-swap.ts) share SQLite's one
// writer lock. A passage's commit that finds the lock taken waits in SQLite's busy handler, on the
// event loop, polling 1, 3, 8, 18, 33 … ms after its first try. A worker writing a roster chunk after
// chunk holds the lock nearly all the time, so those polls kept missing it: commits waited 60–300 ms
// (the 182 ms roster stall in BENCHMARKS.md of 2026-12-06). Instead the gate raises a flag in shared
// memory while it wants or holds the lock; the worker, which checks it between rows, commits what it
// has and waits until the flag is down. The gate then waits for one row and a commit at most.
//
// Two 32-bit slots: [0] how many writes of the gate want or hold the lock (a counter, not a bit:
// writes can nest), [1] how many times the worker found it up and waited.

/** The gate's side: raise the flag around every write on the gate's connection. */
export interface WriterSignal {
  /** Shared with the worker (structured clone keeps it shared). */
  readonly buffer: SharedArrayBuffer;
  /** Runs fn with the flag raised. */
  run<T>(fn: () => T): T;
  /** Raises the flag until the returned function is called. */
  hold(): () => void;
  /** How many times the worker has stepped aside so far. */
  stepsAside(): number;
}

export function createWriterSignal(): WriterSignal {
  const buffer = new SharedArrayBuffer(8);
  const flag = new Int32Array(buffer);
  const hold = () => {
    Atomics.add(flag, 0, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (Atomics.sub(flag, 0, 1) === 1) Atomics.notify(flag, 0);
    };
  };
  return {
    buffer,
    run<T>(fn: () => T): T {
      const release = hold();
      try {
        return fn();
      } finally {
        release();
      }
    },
    hold,
    stepsAside: () => Atomics.load(flag, 1),
  };
}

/** The worker's side. Without a buffer (a test, the CLI) the gate never asks. */
export function gateSignal(buffer: SharedArrayBuffer | undefined) {
  const flag = buffer ? new Int32Array(buffer) : undefined;
  return {
    /** True while the gate wants or holds the writer lock. */
    wants: (): boolean => (flag ? Atomics.load(flag, 0) > 0 : false),
    /**
     * Blocks this (worker) thread for `restMs`, then until the gate is done writing, or `maxMs`
     * passed (a flag left up by a long write must not stop the roster for good). Call only between
     * transactions. The rest leaves the lock free for writes that do not raise the flag (SQLite's
     * busy handler polls for it), and a worker thread that is not holding the lock cannot be
     * preempted while holding it (on a loaded machine the gate then waits for a CPU to run it).
     */
    waitTurn(restMs = 0, maxMs = 1000): void {
      if (!flag) return;
      if (restMs > 0) Atomics.wait(flag, 0, 0, restMs);
      const deadline = performance.now() + maxMs;
      if (Atomics.load(flag, 0) > 0) Atomics.add(flag, 1, 1);
      for (let v = Atomics.load(flag, 0); v > 0; v = Atomics.load(flag, 0)) {
        const left = deadline - performance.now();
        if (left <= 0) return;
        Atomics.wait(flag, 0, v, Math.min(left, 20));
      }
    },
  };
}
export type GateSignal = ReturnType<typeof gateSignal>;
