// Shared by the hub's tests: the two storage engines, and records as the classifier makes them.
import { inject } from 'vitest';
import type { RecordMsg } from '../../src/hub/classify.js';
import { type OpenedDb, openHubDb } from '../../src/hub/storage/open.js';
import { freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Where a new, empty hub database of this engine is (a data folder, or a PostgreSQL database). */
export async function freshStorage(engine: EngineName): Promise<{ url?: string; dataDir: string }> {
  const dataDir = tempDir('hub-');
  if (engine === 'sqlite') return { dataDir };
  return { url: await freshDatabase(inject('postgresUrl')), dataDir };
}

export async function openFresh(engine: EngineName): Promise<OpenedDb & { url?: string; dataDir: string }> {
  const where = await freshStorage(engine);
  const opened = await openHubDb(where);
  return Object.assign(opened, where);
}

export function passage(seq: number, o: { site?: string; gate?: string; ledger?: string; at?: number; outcome?: string } = {}): RecordMsg {
  const data = { type: 'passage', id: `p-${o.ledger ?? ''}-${seq}`, lane: 'lane-1', direction: 'in', outcome: o.outcome ?? 'admitted', subject: { kind: 'household', id: 'hh-001' } };
  return { type: 'record', table: 'passages', site: o.site ?? 'v1', gate: o.gate ?? 'g1', ledger: o.ledger ?? 'L1', seq, at: o.at ?? 1_700_000_000_000 + seq, clockSynced: true, data, dataJson: JSON.stringify(data) };
}
