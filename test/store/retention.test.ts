// The database does not grow without bound: day after day of passages, each day purged past the
// retention with the incremental vacuum, the file settles at the size of the retention window,
// while the same days without the purge keep growing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const DAY = 86_400_000;
const PER_DAY = 600;
const DAYS = 12;
const RETENTION = 3;
const dir = mkdtempSync(join(tmpdir(), 'ledger-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function size(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** Runs DAYS days of passages (acknowledged by the hub), purging each day when asked; returns the size after each day. */
function simulate(name: string, purgeDaily: boolean): { sizes: number[]; wal: number[]; freed: number[] } {
  const path = join(dir, `${name}.db`);
  let now = Date.UTC(2026, 0, 1, 2);
  // synchronous NORMAL: this test is about size, not power cuts, and FULL would spend its time in fsync.
  const ledger = openLedger({ path, clock: { now: () => now, synced: () => true }, gateId: 'g', siteId: 's', timeZone: 'UTC', retentionDays: RETENTION, synchronous: 'NORMAL' });
  const sizes: number[] = [];
  const wal: number[] = [];
  const freed: number[] = [];
  let i = 0;
  try {
    for (let d = 0; d < DAYS; d++) {
      for (let k = 0; k < PER_DAY; k++) ledger.recordPassage(passage(++i, now + k * 1000));
      for (let b = ledger.outboxBatch(5000); b.length; b = ledger.outboxBatch(5000)) ledger.outboxAck(b.map((r) => r.seq));
      now += DAY;
      if (purgeDaily) freed.push(ledger.purge(now).freedPages);
      sizes.push(size(path));
      wal.push(size(`${path}-wal`));
    }
    expect(ledger.integrityCheck()).toBe('ok');
    if (purgeDaily) {
      expect(ledger.passages({ limit: 1000, from: 0, to: now - (RETENTION + 1) * DAY })).toEqual([]);
      // The aggregates of the first day survive the purge of its rows.
      expect(ledger.dailyReport('2026-01-01').entries + ledger.dailyReport('2026-01-01').exits + ledger.dailyReport('2026-01-01').refusals).toBe(PER_DAY);
    }
  } finally {
    ledger.close();
  }
  return { sizes, wal, freed };
}

describe('retention keeps the file bounded', () => {
  it(`settles over ${DAYS} days of ${PER_DAY} passages with a ${RETENTION}-day retention`, { timeout: 60_000 }, () => {
    const kept = simulate('purged', true);
    const grown = simulate('unpurged', false);
    const settled = kept.sizes.slice(RETENTION + 2);
    const plateau = Math.max(...kept.sizes.slice(0, RETENTION + 2));
    console.info(`database bytes per day, purged: ${kept.sizes.join(' ')}; unpurged: ${grown.sizes.join(' ')}; WAL: ${kept.wal.join(' ')}`);
    // After the window fills, the file stops growing.
    for (const s of settled) expect(s).toBeLessThanOrEqual(plateau * 1.05);
    // The WAL is reset by checkpoints and truncated to journal_size_limit: bounded too.
    for (const w of [...kept.wal, ...grown.wal]) expect(w).toBeLessThanOrEqual(8 * 1024 * 1024 + 64 * 1024);
    // The vacuum gives pages back to the file system, not just to SQLite's free list.
    expect(kept.freed.filter((n) => n > 0).length).toBeGreaterThan(DAYS / 2);
    // Without the purge the same days keep growing: the bound comes from the purge.
    expect(grown.sizes.at(-1) as number).toBeGreaterThan(2 * (kept.sizes.at(-1) as number));
  });
});
