// WAL checkpoints in the gate's quiet moments instead of inside a passage's commit. SQLite's
// automatic checkpoint runs in the commit that crosses 1000 WAL frames: that commit then copies the
// pages into the database file and syncs both files, and the passage waiting for it (the door, on the
// event loop) waits too — it was the tail of scan-to-relay (BENCHMARKS.md). The daemon turns the
// automatic checkpoint off and runs a PASSIVE one itself when
//   - the WAL holds `threshold` frames or more (the same 1000 as SQLite's default, so the SD card
//     sees the same writes), and the gate is quiet: no passage decided for `quietMs`; or
//   - the WAL holds `cap` frames, busy or not (a gate under a queue still checkpoints; the WAL stays
//     within journal_size_limit, docs/storage.md).
// The frames are counted from the wal-index (./wal-index.ts) without touching the connection. When
// that file cannot be read the checkpointer hands the job back to SQLite and says so.
import type { Logger } from 'pino';
import type { Ledger } from './api.js';
import { openWalIndex, pendingFrames, type WalIndexReader, type WalIndexState } from './wal-index.js';

export interface CheckpointerOptions {
  ledger: Pick<Ledger, 'setAutoCheckpoint' | 'checkpoint'>;
  /** The database file; its wal-index is `<path>-shm`. */
  path: string;
  logger?: Logger;
  /** Frames worth a checkpoint in a quiet moment (SQLite's default autocheckpoint). */
  threshold?: number;
  /** Frames at which the checkpoint runs even while passages keep coming. */
  cap?: number;
  /** No passage for this long is a quiet moment. */
  quietMs?: number;
  /** Also looked at this often, for writes that are not passages (roster, outbox, kiosk). */
  pollMs?: number;
  /** Injected for tests. */
  openIndex?: (path: string) => WalIndexReader;
}

export interface Checkpointer {
  start(): void;
  /** A passage was just decided: the quiet moment starts `quietMs` after the last one. */
  passage(): void;
  stop(): void;
  /** Checkpoints run so far (tests, benchmarks). */
  readonly checkpoints: number;
  /** True while SQLite's own automatic checkpoint is in charge (the wal-index could not be read). */
  readonly handedBack: boolean;
}

/** Passages between two looks at the cap while no quiet moment comes (about 20 WAL frames each). */
const CAP_CHECK_EVERY = 16;

/** SQLite's default wal_autocheckpoint. */
const SQLITE_DEFAULT_FRAMES = 1000;

export function createCheckpointer(o: CheckpointerOptions): Checkpointer {
  const threshold = o.threshold ?? SQLITE_DEFAULT_FRAMES;
  const cap = Math.max(threshold, o.cap ?? 2000);
  const quietMs = o.quietMs ?? 20;
  const pollMs = o.pollMs ?? 1000;
  let index: WalIndexReader | undefined;
  let quietTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let checkpoints = 0;
  let handedBack = false;
  let running = false;
  let polledFrame = -1;
  let passages = 0;
  let leftAt: WalIndexState | undefined;
  let failures = 0;

  function handBack(reason: string): void {
    if (handedBack) return;
    handedBack = true;
    stopTimers();
    index?.close();
    index = undefined;
    try {
      o.ledger.setAutoCheckpoint(SQLITE_DEFAULT_FRAMES);
    } catch {}
    o.logger?.warn({ reason }, 'WAL checkpoints left to SQLite (inside commits): the wal-index cannot be read');
  }

  /**
   * 'quiet': no passage for quietMs. 'poll': the periodic look, quiet when the WAL did not move
   * since the previous poll. 'busy': passages keep coming; only the cap counts.
   */
  function look(why: 'quiet' | 'poll' | 'busy'): void {
    if (!index || handedBack) return;
    const s = index.read();
    if (!s) return; // a commit was writing the header: look again next time
    const pending = pendingFrames(s);
    const quiet = why === 'quiet' || (why === 'poll' && s.mxFrame === polledFrame);
    if (why === 'poll') polledFrame = s.mxFrame;
    if (pending < threshold || (pending < cap && !quiet)) return;
    // A reader (a long export) can hold frames back: try again only once the WAL changed since.
    if (leftAt && s.mxFrame === leftAt.mxFrame && s.nBackfill === leftAt.nBackfill) return;
    try {
      o.ledger.checkpoint();
      checkpoints++;
      failures = 0;
      leftAt = index.read();
    } catch (err) {
      // A full disk refuses the copy; the WAL keeps everything and a later try may succeed.
      if (failures++ % 60 === 0) o.logger?.warn({ err, pending }, 'WAL checkpoint failed; will retry');
    }
  }

  function stopTimers(): void {
    clearTimeout(quietTimer);
    clearInterval(pollTimer);
    quietTimer = undefined;
    pollTimer = undefined;
  }

  return {
    start() {
      if (running) return;
      running = true;
      try {
        index = (o.openIndex ?? openWalIndex)(o.path);
        if (!index.read()) throw new Error('the wal-index header is not valid');
      } catch (err) {
        handBack((err as Error).message);
        return;
      }
      o.ledger.setAutoCheckpoint(0);
      pollTimer = setInterval(() => look('poll'), pollMs);
      pollTimer.unref?.();
    },
    passage() {
      if (!running || handedBack) return;
      // Under a queue there is no quiet moment: every few passages, see whether the WAL reached the cap.
      if (++passages % CAP_CHECK_EVERY === 0) look('busy');
      if (quietTimer) quietTimer.refresh();
      else {
        quietTimer = setTimeout(() => {
          quietTimer = undefined;
          look('quiet');
        }, quietMs);
        quietTimer.unref?.();
      }
    },
    stop() {
      if (!running) return;
      running = false;
      stopTimers();
      index?.close();
      index = undefined;
      if (!handedBack) {
        try {
          o.ledger.setAutoCheckpoint(SQLITE_DEFAULT_FRAMES);
        } catch {}
      }
    },
    get checkpoints() {
      return checkpoints;
    },
    get handedBack() {
      return handedBack;
    },
  };
}
