// Retention: personal data older than retentionDays leaves; daily_counts/daily_reasons stay.
// Deletes go in small transactions so the gate's commits are never held up for long.
import { statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { StoreCtx } from './db.js';
import { SCHEMA_VERSION } from './migrations.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

export interface PurgeResult {
  cutoff: number;
  passages: number;
  visitors: number;
  alerts: number;
  duty: number;
  audit: number;
  /** Closed fever cases and collected deliveries past the retention (open ones stay). */
  feverCases: number;
  deliveries: number;
  freedPages: number;
}

export interface StorageHealth {
  dbBytes: number;
  walBytes: number;
  freeBytes: number;
  diskLow: boolean;
  outboxDepth: number;
  outboxFull: boolean;
  schemaVersion: number;
  /** False while the last write failed (disk full, I/O error); the gate holds its decisions in memory then. */
  writable: boolean;
  /** Why the last write failed, e.g. 'SQLITE_FULL: database or disk is full'; unset once a write succeeds again. */
  lastWriteError?: string;
  /** Wall ms of the first failed write of the current episode. */
  failingSince?: number;
}

/** Retention and the storage limits. */
export interface RetentionLedger {
  /** Purge personal data older than retentionDays (aggregates kept) and reclaim pages. */
  purge(now?: number): PurgeResult;
  health(): StorageHealth;
  /** Checks free disk space and the outbox cap; raises 'disk-full' / 'outbox-full' alerts (once per episode). */
  checkLimits(): StorageHealth;
}

const BATCH = 5000;
const DAY = 86_400_000;
/** Audit entries hold no personal data; a year of them is kept for inspections. */
const AUDIT_DAYS = 365;

export function purge(ctx: StoreCtx, retentionDays: number, now = ctx.now()): PurgeResult {
  const { db } = ctx;
  const cutoff = now - retentionDays * DAY;
  const chunked = (sql: string, ...args: unknown[]) => {
    const st = db.prepare(sql);
    let total = 0;
    for (;;) {
      const n = st.run(...args, BATCH).changes;
      total += n;
      if (n < BATCH) return total;
    }
  };
  const result = {
    cutoff,
    passages: chunked('DELETE FROM passages WHERE seq IN (SELECT seq FROM passages WHERE decided_at < ? ORDER BY decided_at LIMIT ?)', cutoff),
    // Visitors still inside stay, whatever their age: they have not been signed out (销号).
    visitors: chunked('DELETE FROM visitors WHERE id IN (SELECT id FROM visitors WHERE signed_out_at IS NOT NULL AND signed_out_at < ? LIMIT ?)', cutoff),
    // Closed fever cases go with their passages; an open one stays until it is closed.
    feverCases: chunked('DELETE FROM fever_cases WHERE passage_id IN (SELECT passage_id FROM fever_cases WHERE at < ? AND outcome IS NOT NULL LIMIT ?)', cutoff),
    deliveries: chunked('DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE at < ? AND collected_at IS NOT NULL LIMIT ?)', cutoff),
    alerts: chunked('DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE at < ? LIMIT ?)', cutoff),
    duty: chunked('DELETE FROM duty WHERE id IN (SELECT id FROM duty WHERE signed_out_at IS NOT NULL AND signed_out_at < ? LIMIT ?)', cutoff),
    audit: chunked('DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? LIMIT ?)', now - Math.max(AUDIT_DAYS, retentionDays) * DAY),
    freedPages: 0,
  };
  // What was sent stays for the hub's resend requests as long as the passages it speaks of.
  chunked('DELETE FROM outbox_sent WHERE seq IN (SELECT seq FROM outbox_sent WHERE created_at < ? LIMIT ?)', cutoff);
  // Declarations (docs/declare.md): gone with the ledger's retention once expired, their uses with them.
  chunked('DELETE FROM declarations WHERE id IN (SELECT id FROM declarations WHERE expires_at < ? LIMIT ?)', cutoff);
  chunked('DELETE FROM declaration_uses WHERE rowid IN (SELECT rowid FROM declaration_uses WHERE used_at < ? LIMIT ?)', cutoff);
  chunked('DELETE FROM presence WHERE subject_id IN (SELECT subject_id FROM presence WHERE at < ? LIMIT ?)', cutoff);
  const free = db.pragma('freelist_count', { simple: true }) as number;
  db.pragma('incremental_vacuum');
  result.freedPages = Math.max(0, free - (db.pragma('freelist_count', { simple: true }) as number));
  db.pragma('optimize');
  return result;
}

export interface WriteFailure {
  error: string;
  since: number;
}

export function health(ctx: StoreCtx, outboxDepth: number, outboxCap: number, minFreeBytes: number, failure?: WriteFailure): StorageHealth {
  const { db } = ctx;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const dbBytes = (db.pragma('page_count', { simple: true }) as number) * pageSize;
  let walBytes = 0;
  let freeBytes = Number.MAX_SAFE_INTEGER;
  if (ctx.path !== ':memory:') {
    try {
      walBytes = statSync(`${ctx.path}-wal`).size;
    } catch {
      walBytes = 0;
    }
    try {
      const s = statfsSync(dirname(resolve(ctx.path)));
      freeBytes = s.bavail * s.bsize;
    } catch {
      freeBytes = 0;
    }
  }
  return {
    dbBytes,
    walBytes,
    freeBytes,
    diskLow: freeBytes < minFreeBytes,
    outboxDepth,
    outboxFull: outboxDepth >= outboxCap,
    schemaVersion: SCHEMA_VERSION,
    writable: failure === undefined,
    ...(failure ? { lastWriteError: failure.error, failingSince: failure.since } : {}),
  };
}
