// The hub's storage, one suite run against both engines: SQLite in a data folder and a real
// PostgreSQL server (started once per run by test/helpers/postgres-global.ts).
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openHubDb } from '../../src/hub/storage/open.js';
import { HubReader } from '../../src/hub/storage/read.js';
import { SCHEMA_VERSION } from '../../src/hub/storage/migrations.js';
import { purgeOlderThan } from '../../src/hub/storage/purge.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { ENGINES, freshStorage, openFresh, passage } from './support.js';

describe.each(ENGINES)('hub storage on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const open = async () => {
    const o = await openFresh(engine);
    closers.push(o.close);
    return { ...o, writer: new HubWriter(o.db, o.engine, { batchRows: 2000, rejectsMax: 100 }), reader: new HubReader(o.db) };
  };

  it('migrates a new database, opens it again unchanged, and refuses one written by a newer hub', async () => {
    const where = await freshStorage(engine);
    const a = await openHubDb(where);
    expect((await a.db.selectFrom('hub_meta').select('value').where('key', '=', 'schema_version').executeTakeFirstOrThrow()).value).toBe(String(SCHEMA_VERSION));
    await new HubWriter(a.db, a.engine, { batchRows: 100, rejectsMax: 100 }).write({ records: [passage(1)], states: [], rejects: [] });
    await a.close();
    const b = await openHubDb(where);
    expect(await new HubReader(b.db).count('passages')).toBe(1);
    await b.db.updateTable('hub_meta').set({ value: String(SCHEMA_VERSION + 1) }).where('key', '=', 'schema_version').execute();
    await b.close();
    await expect(openHubDb(where)).rejects.toThrow(/schema version \d+, newer than this hub knows/);
  });

  it('stores every record once: a repeated burst is dropped, never doubled', async () => {
    const { writer, reader } = await open();
    const burst = { records: Array.from({ length: 3000 }, (_, i) => passage(i + 1)), states: [], rejects: [] };
    const first = await writer.write(burst);
    expect(first).toMatchObject({ inserted: 3000, duplicates: 0 });
    const again = await writer.write({ ...burst, records: burst.records.slice(100, 400) });
    expect(again).toMatchObject({ inserted: 0, duplicates: 300 });
    expect(await reader.count('passages')).toBe(3000);
    const [h] = await reader.histories();
    expect(h).toMatchObject({ site: 'v1', gate: 'g1', ledger: 'L1', held: 3000, heldRanges: [[1, 3000]], missing: [] });
  });

  it('routes each kind to its table and keeps the extracted columns', async () => {
    const { writer, reader, db } = await open();
    const rec = (seq: number, table: 'alerts' | 'daily_reports' | 'visitor_events' | 'corrections' | 'quarantine_changes' | 'device_events' | 'downlink_results', data: Record<string, unknown>) => ({ ...passage(seq), table, data, dataJson: JSON.stringify(data) });
    await writer.write({
      records: [
        passage(1),
        rec(2, 'alerts', { id: 'a1', kind: 'fever', severity: 'critical', lane: 'lane-1' }),
        rec(3, 'daily_reports', { type: 'daily-report', day: '2026-12-05' }),
        rec(4, 'visitor_events', { type: 'visitor-registered' }),
        rec(5, 'corrections', { type: 'clock' }),
        rec(6, 'quarantine_changes', { type: 'quarantine-set' }),
        rec(7, 'device_events', { type: 'device' }),
        rec(8, 'downlink_results', { result: 'applied' }),
      ],
      states: [],
      rejects: [],
    });
    for (const t of ['passages', 'alerts', 'daily_reports', 'visitor_events', 'corrections', 'quarantine_changes', 'device_events', 'downlink_results'] as const) expect(await reader.count(t)).toBe(1);
    expect(await db.selectFrom('alerts').select(['kind', 'severity']).executeTakeFirst()).toEqual({ kind: 'fever', severity: 'critical' });
    expect(await db.selectFrom('daily_reports').select('day').executeTakeFirst()).toEqual({ day: '2026-12-05' });
    const [h] = await reader.histories();
    expect(h?.heldRanges).toEqual([[1, 8]]);
  });

  it('stores any text as the gate sent it: quotes, backslashes, braces, control characters, emoji, the word NULL (NUL itself, which PostgreSQL cannot hold, is dropped)', async () => {
    const { writer, db } = await open();
    const lanes = ['a"b', 'c\\d', 'e\nf\tg', '😀 入口', '{x,y}', 'NULL', '', ' sp ', 'h\u0000i', '\\"', 'end\\'];
    const records = lanes.map((lane, i) => {
      const data = { type: 'passage', id: `p-${i}`, lane, direction: 'in', outcome: 'admitted', note: lane };
      return { ...passage(i + 1), data, dataJson: JSON.stringify(data) };
    });
    // A null own column beside them (no subject).
    expect(await writer.write({ records, states: [], rejects: [] })).toMatchObject({ inserted: lanes.length, duplicates: 0 });
    const rows = await db.selectFrom('passages').select(['seq', 'lane', 'data', 'subject_kind']).orderBy('seq').execute();
    expect(rows.map((r) => r.lane)).toEqual(lanes.map((l) => l.replaceAll('\u0000', '')));
    expect(rows.map((r) => (JSON.parse(r.data) as { note: string }).note)).toEqual(lanes);
    expect(rows.every((r) => r.subject_kind === null)).toBe(true);
  });

  it('knows the missing ranges from the highest seq the gate reported', async () => {
    const { writer, reader } = await open();
    const seqs = [1, 2, 3, 7, 8, 12];
    await writer.write({ records: seqs.map((s) => passage(s)), states: [{ type: 'state', site: 'v1', gate: 'g1', ledger: 'L1', highest: 15, json: '{"status":"online"}', online: true }], rejects: [] });
    const [h] = await reader.histories();
    expect(h).toMatchObject({ highest: 15, held: 6, missing: [[4, 6], [9, 11], [13, 15]], missingCount: 9, state: { status: 'online' } });
    await writer.write({ records: [], states: [], rejects: [], gone: [{ site: 'v1', gate: 'g1', ledger: 'L1', ranges: [[4, 6]] }] });
    expect((await reader.histories())[0]?.missing).toEqual([[9, 11], [13, 15]]);
  });

  it('keeps a wiped gate\'s new history apart from the old one (the same seqs, a new ledger)', async () => {
    const { writer, reader } = await open();
    await writer.write({ records: [1, 2, 3].map((s) => passage(s, { ledger: 'old' })), states: [], rejects: [] });
    const r = await writer.write({ records: [1, 2].map((s) => passage(s, { ledger: 'new' })), states: [], rejects: [] });
    expect(r.inserted).toBe(2);
    expect(r.newHistories).toMatchObject([{ gate: 'g1', ledger: 'new' }]);
    const hs = await reader.histories({ gate: 'g1' });
    expect(hs.map((h) => [h.ledger, h.held])).toEqual([['old', 3], ['new', 2]]);
    expect(await reader.count('passages', { gate: 'g1' })).toBe(5);
  });

  it('pages through passages newest first without repeats or gaps', async () => {
    const { writer, reader } = await open();
    // Equal timestamps across two gates: the cursor must still order them all.
    const recs = [...Array.from({ length: 60 }, (_, i) => passage(i + 1, { at: 1000 + Math.floor(i / 3) })), ...Array.from({ length: 60 }, (_, i) => passage(i + 1, { gate: 'g2', at: 1000 + Math.floor(i / 3) }))];
    await writer.write({ records: recs, states: [], rejects: [] });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await reader.passages({ limit: 50, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => `${p.gate}:${p.seq}`));
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(120);
    const g2 = await reader.passages({ gate: 'g2', from: 1010, limit: 500 });
    expect(g2.items.every((p) => p.gate === 'g2' && (p.at as number) >= 1010)).toBe(true);
    expect(g2.items).toHaveLength(30);
    await expect(reader.passages({ cursor: 'not-ours' })).rejects.toThrow(/cursor/);
  });

  it('purges records older than the retention, keeping their seqs held (not missing)', async () => {
    const { writer, reader, db } = await open();
    await writer.write({ records: [1, 2, 3, 4].map((s) => passage(s, { at: s * 1000 })), states: [], rejects: [] });
    expect(await purgeOlderThan(db, 2500)).toMatchObject({ passages: 2, alerts: 0 });
    expect(await reader.count('passages')).toBe(2);
    expect((await reader.histories())[0]).toMatchObject({ held: 4, missing: [] });
  });

  it('keeps the rejects table bounded, the oldest leaving first', async () => {
    const { writer, reader, db } = await open();
    for (let b = 0; b < 30; b++) {
      const rejects = Array.from({ length: 10 }, (_, i) => ({ type: 'reject' as const, reason: 'payload.malformed' as const, detail: `burst ${b} #${i}`, topic: 't', bytes: 3, excerpt: 'xyz' }));
      await writer.write({ records: [], states: [], rejects });
    }
    const n = Number((await db.selectFrom('rejects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(n).toBeGreaterThanOrEqual(100);
    expect(n).toBeLessThanOrEqual(110);
    const r = await reader.rejects(5);
    expect(r.latest[0]?.detail).toBe('burst 29 #9');
  });
});

describe('two workers writing a new gate\'s first bursts at once (PostgreSQL)', () => {
  it('merges both bursts\' seqs into the history the first one is still creating', async () => {
    const o = await openFresh('postgres');
    const writer = new HubWriter(o.db, o.engine, { batchRows: 100, rejectsMax: 100 });
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let blocking: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      blocking = r;
    });
    // Another session holds seq 1 of the history the first burst will create (id 1 in a fresh
    // database) uncommitted: the first burst then waits inside its transaction, its history row
    // inserted but not yet committed, while the second burst is written.
    const holder = o.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`INSERT INTO passages (site, gate, history, seq, at, clock_synced, received_at, data) VALUES ('v1', 'g1', 1, 1, 0, 1, 0, '{}')`.execute(conn);
      blocking();
      await held;
      await sql`ROLLBACK`.execute(conn);
    });
    await blocked;
    const first = writer.write({ records: Array.from({ length: 50 }, (_, i) => passage(i + 1)), states: [], rejects: [] });
    // Waits on the holder's row lock: the first burst has created the history and is blocked on seq 1.
    await until(async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`.execute(o.db)).rows[0]?.n) >= 1);
    let secondDone = false;
    const second = writer.write({ records: Array.from({ length: 50 }, (_, i) => passage(i + 51)), states: [], rejects: [] }).finally(() => {
      secondDone = true;
    });
    // The second burst waits on the first's uncommitted history (or, wrongly, went past it): let both go.
    await until(async () => secondDone || Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`.execute(o.db)).rows[0]?.n) >= 2);
    release();
    await holder;
    await first;
    await second;
    const [h] = await new HubReader(o.db).histories();
    expect(h?.heldRanges).toEqual([[1, 100]]);
    await o.close();
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setImmediate(r));
}
