// How many WAL frames are not yet copied into the database file, read from SQLite's wal-index (the
// "-shm" file) without taking a lock or touching the database connection. The layout is SQLite's
// documented file format (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): two copies
// of a 48-byte header (iVersion = 3007000, isInit at byte 12, mxFrame at byte 16), then the
// checkpoint information (nBackfill at byte 96), all in the host's byte order. SQLite writes the two
// header copies one after the other, so a read that sees them differ caught a commit half-way and
// is simply not used.
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

const WAL_INDEX_VERSION = 3007000;
const HEADER_BYTES = 48;
const READ_BYTES = 100;

export interface WalIndexState {
  /** Frames in the WAL since it was last restarted (the last valid frame). */
  mxFrame: number;
  /** Of those, frames already copied into the database file by checkpoints. */
  nBackfill: number;
}

export interface WalIndexReader {
  /** The current state, or undefined when the file is not a valid wal-index right now. */
  read(): WalIndexState | undefined;
  close(): void;
}

/** Frames waiting for a checkpoint. */
export const pendingFrames = (s: WalIndexState): number => Math.max(0, s.mxFrame - s.nBackfill);

export function parseWalIndex(buf: Buffer, littleEndian = endianness() === 'LE'): WalIndexState | undefined {
  if (buf.length < READ_BYTES) return undefined;
  const u32 = (at: number) => (littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  if (u32(0) !== WAL_INDEX_VERSION || buf[12] !== 1) return undefined;
  // The two copies of the header must agree (SQLite's own lock-free readers check the same).
  if (!buf.subarray(0, HEADER_BYTES).equals(buf.subarray(HEADER_BYTES, 2 * HEADER_BYTES))) return undefined;
  const mxFrame = u32(16);
  const nBackfill = u32(96);
  if (nBackfill > mxFrame) return undefined;
  return { mxFrame, nBackfill };
}

/** Reads `<dbPath>-shm`. Throws when the file cannot be opened (no WAL mode, or in memory). */
export function openWalIndex(dbPath: string): WalIndexReader {
  const fd = openSync(`${dbPath}-shm`, 'r');
  const buf = Buffer.alloc(READ_BYTES);
  let open = true;
  return {
    read() {
      if (!open) return undefined;
      const n = readSync(fd, buf, 0, READ_BYTES, 0);
      return n === READ_BYTES ? parseWalIndex(buf) : undefined;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
