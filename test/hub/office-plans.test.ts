// The overview's and the daily report's queries stay on indexes (a township's year is 10 M passages):
// every statement they send is planned again here, with its parameters, and none may read a large
// table (passages, alerts, daily reports, corrections) whole. SQLite: no "SCAN <table>" except over a
// partial index of open alerts; PostgreSQL, with sequential scans priced out: no "Seq Scan" on them and
// no index read whole (an index node with no "Index Cond"), again except the open alerts' partial indexes.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/hub/office/alerts.js';
import { hourlyPassages } from '../../src/hub/office/chart.js';
import { dailyReport } from '../../src/hub/office/daily-report.js';
import { gateCards } from '../../src/hub/office/overview.js';
import { migrate } from '../../src/hub/storage/migrations.js';
import { HubReader } from '../../src/hub/storage/read.js';
import type { HubTables } from '../../src/hub/storage/tables.js';
import { ENGINES, freshStorage } from './support.js';

const LARGE = ['passages', 'alerts', 'daily_reports', 'corrections'];

describe.each(ENGINES)('office query plans on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('reads the overview, the open alerts, the 24-hour chart and the daily report by index', async () => {
    const where = await freshStorage(engine);
    const seen: CompiledQuery[] = [];
    const log = (e: LogEvent) => {
      if (e.level === 'query' && /^\s*select/i.test(e.query.sql)) seen.push(e.query);
    };
    const sqlite = where.url ? undefined : new Database(join(where.dataDir, 'hub.db'));
    const pool = where.url ? new pg.Pool({ connectionString: where.url, max: 1 }) : undefined;
    const db = new Kysely<HubTables>({ dialect: pool ? new PostgresDialect({ pool }) : new SqliteDialect({ database: sqlite as Database.Database }), log });
    closers.push(() => db.destroy());
    await migrate(db, engine);
    await db.insertInto('histories').values({ site: 'v1', gate: 'g1', ledger: 'L1', first_seen: 1, last_seen: 2, held: '[]', gone: '[]', highest_reported: 0, state: null, counts: null }).execute();
    seen.length = 0;

    const desk = new AlertDesk(db);
    await gateCards(new HubReader(db), desk, '2026-12-06');
    await desk.feed();
    await desk.unackedCritical();
    await desk.dueForEscalation(Date.now());
    await hourlyPassages(db, Date.now());
    await dailyReport(db, '2026-12-06');
    const tables = new Set(seen.flatMap((q) => LARGE.filter((t) => new RegExp(`"${t}"`).test(q.sql))));
    expect([...tables].sort()).toEqual(['alerts', 'daily_reports', 'passages']);

    const full: string[] = [];
    for (const q of seen) {
      if (!LARGE.some((t) => q.sql.includes(`"${t}"`))) continue;
      let plan: string;
      if (sqlite) {
        plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
        for (const line of plan.split('\n')) {
          const m = /^SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?/.exec(line);
          if (!m) continue;
          const table = LARGE.find((t) => line.includes(t) || q.sql.includes(`"${t}" as "${m[1]}"`)) ?? m[1];
          if (LARGE.includes(table as string) && !m[2]?.startsWith('alerts_open')) full.push(`${table}: ${line}\n  ${q.sql}`);
        }
      } else {
        const c = await (pool as pg.Pool).connect();
        try {
          await c.query('SET enable_seqscan = off');
          plan = (await c.query(`EXPLAIN ${q.sql}`, q.parameters as unknown[])).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        } finally {
          c.release();
        }
        for (const t of LARGE) if (new RegExp(`Seq Scan on ${t}\\b`).test(plan)) full.push(`${t}: ${plan}\n  ${q.sql}`);
        // An index read whole (no Index Cond under it) is a scan too, unless it is a partial index of open alerts.
        const lines = plan.split('\n');
        lines.forEach((line, i) => {
          const m = /(?:Index Scan|Index Only Scan)(?: Backward)? using (\w+) on (\w+)|Bitmap Index Scan on (\w+)/.exec(line);
          if (!m) return;
          const index = (m[1] ?? m[3]) as string;
          const table = m[2] ?? LARGE.find((t) => index.startsWith(t));
          if (!table || !LARGE.includes(table) || index.startsWith('alerts_open')) return;
          const next = lines.slice(i + 1).findIndex((l) => l.includes('->'));
          const detail = lines.slice(i + 1, next < 0 ? undefined : i + 1 + next);
          if (!detail.some((l) => l.includes('Index Cond:'))) full.push(`${table}: ${line}\n  ${q.sql}`);
        });
      }
    }
    expect(full).toEqual([]);
  });
});
