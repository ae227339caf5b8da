// Retention at the hub: records older than hub.storage.retentionDays leave (by the gate's time `at`),
// rejects too. The seqs stay held in each history: a purged record is not a missing one.
import type { Kysely } from 'kysely';
import { RECORD_TABLES } from './tables.js';
import type { HubTables } from './tables.js';

export async function purgeOlderThan(db: Kysely<HubTables>, cutoffMs: number): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const table of RECORD_TABLES) {
    const r = await db.deleteFrom(table).where('at', '<', cutoffMs).executeTakeFirst();
    removed[table] = Number(r.numDeletedRows);
  }
  const r = await db.deleteFrom('rejects').where('received_at', '<', cutoffMs).executeTakeFirst();
  removed.rejects = Number(r.numDeletedRows);
  return removed;
}
