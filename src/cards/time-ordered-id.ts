// Passage and alert ids: UUID version 7 (RFC 9562), so ids made later sort later. The ledger's
// unique index on the id then grows at its right edge like the seq does; with random (version 4)
// ids every passage wrote into a random page of that index, and each such page is one more WAL
// frame to write, sync and checkpoint (about a third of a passage's ledger time, bench 2026-12-01).
import { randomFillSync } from 'node:crypto';

const POOL = 4096;

/**
 * A generator of version-7 UUIDs: 48 bits of Unix milliseconds, then a 12-bit counter (RFC 9562
 * §6.2 method 1) that keeps ids made in the same millisecond in order, then 62 random bits.
 * The time never goes back: when the wall clock is stepped back (an NTP correction, a volunteer
 * setting the clock), ids carry on from the last one, so they stay unique and ordered.
 */
export function createTimeOrderedIds(now: () => number = Date.now): () => string {
  const pool = Buffer.alloc(POOL);
  let used = POOL;
  let lastMs = -1;
  let counter = 0;
  const bytes = Buffer.alloc(16);

  function random(n: number): Buffer {
    if (used + n > POOL) {
      randomFillSync(pool);
      used = 0;
    }
    const out = pool.subarray(used, used + n);
    used += n;
    return out;
  }

  return () => {
    let ms = Math.floor(now());
    if (ms > lastMs) {
      lastMs = ms;
      // Start each millisecond at a random counter in the lower half, leaving room to count up.
      counter = random(2).readUInt16BE(0) & 0x7ff;
    } else {
      ms = lastMs;
      counter++;
      if (counter > 0xfff) {
        lastMs = ms = lastMs + 1;
        counter = 0;
      }
    }
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    random(8).copy(bytes, 8);
    bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
    const h = bytes.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}
