// The gate's connection and the downlink worker's connection (./roster-swap.ts) share SQLite's one
// writer lock. A passage's commit that finds the lock taken waits in SQLite's busy handler, on the
// event loop, polling 1, 3, 8, 18, 33 … ms after its first try. A worker writing a roster chunk after
// chunk holds the lock nearly all the time, so those polls kept missing it: commits waited 60–300 ms
// (the 182 ms roster stall in BENCHMARKS.md of 2026-12-06). Instead the gate raises a flag in shared
// memory while it wants or holds the lock; the worker, which checks it between rows, commits what it
// has and waits until the flag is down. The gate then waits for one row and a commit at most.
//
// On a loaded machine the worker can lose its CPU in the middle of a transaction, and a gate write
// waiting for the lock then waits for the scheduler (60–130 ms seen at load 10 on 2 cores). So the
// worker also says when it is inside a transaction, and the gate's group commit (the passages of one
// turn) that finds it there tries again a millisecond later instead of waiting on the event loop. The
// two flags are raised before the other's is looked at (Dekker's handshake), so the worker never
// starts a transaction while the gate writes, and a gate write never meets one the worker started
// after the gate's flag went up.
//
// Three 32-bit slots: [0] how many writes of the gate want or hold the lock (a counter, not a bit:
// writes can nest), [1] how many times the worker found it up and waited, [2] 1 while the worker is
// inside a transaction.

/** The gate's side: raise the flag around every write on the gate's connection. */
export interface WriterSignal {
  /** Shared with the worker (structured clone keeps it shared). */
  readonly buffer: SharedArrayBuffer;
  /** Runs fn with the flag raised. */
  run<T>(fn: () => T): T;
  /** Raises the flag until the returned function is called. */
  hold(): () => void;
  /**
   * Raises the flag (until the next run()) and says whether the worker is outside a transaction: if
   * not, a write now would wait for it; one a moment later will not.
   */
  free(): boolean;
  /** How many times the worker has stepped aside so far. */
  stepsAside(): number;
}

export function createWriterSignal(): WriterSignal {
  const buffer = new SharedArrayBuffer(12);
  const flag = new Int32Array(buffer);
  let claim: (() => void) | undefined;
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
        claim?.();
        claim = undefined;
      }
    },
    hold,
    free() {
      claim ??= hold();
      return Atomics.load(flag, 2) === 0;
    },
    stepsAside: () => Atomics.load(flag, 1),
  };
}

/** The worker's side. Without a buffer (a test, the CLI) the gate never asks. */
export function gateSignal(buffer: SharedArrayBuffer | undefined) {
  const flag = buffer ? new Int32Array(buffer) : undefined;
  /**
   * Blocks this (worker) thread for `restMs`, then until the gate is done writing, or `maxMs`
   * passed (a flag left up by a long write must not stop the roster for good). Call only between
   * transactions. The rest leaves the lock free for writes that do not raise the flag (SQLite's
   * busy handler polls for it), and a worker thread that is not holding the lock cannot be
   * preempted while holding it (on a loaded machine the gate then waits for a CPU to run it).
   */
  const waitTurn = (restMs = 0, maxMs = 1000): void => {
    if (!flag) return;
    if (restMs > 0) Atomics.wait(flag, 0, 0, restMs);
    const deadline = performance.now() + maxMs;
    if (Atomics.load(flag, 0) > 0) Atomics.add(flag, 1, 1);
    for (let v = Atomics.load(flag, 0); v > 0; v = Atomics.load(flag, 0)) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(flag, 0, v, Math.min(left, 20));
    }
  };
  return {
    /** True while the gate wants or holds the writer lock. */
    wants: (): boolean => (flag ? Atomics.load(flag, 0) > 0 : false),
    waitTurn,
    /**
     * Runs one transaction of the worker's (`fn`) in its turn: after `restMs` and once the gate is
     * not writing (or a second passed), with slot [2] up while it runs.
     */
    inTurn<T>(fn: () => T, restMs = 0): T {
      if (!flag) return fn();
      const deadline = performance.now() + 1000;
      waitTurn(restMs);
      for (;;) {
        Atomics.store(flag, 2, 1);
        if (Atomics.load(flag, 0) === 0 || performance.now() > deadline) break;
        // The gate raised its flag meanwhile: it goes first.
        Atomics.store(flag, 2, 0);
        waitTurn(0, Math.max(1, deadline - performance.now()));
      }
      try {
        return fn();
      } finally {
        Atomics.store(flag, 2, 0);
      }
    },
  };
}
export type GateSignal = ReturnType<typeof gateSignal>;
