// The overview's 24-hour chart: passages per gate per hour over the last 24 hours (the current hour
// last). One query per gate on passages (site, gate, at): a range of the index that holds every column
// it reads, so a year of passages (10 M rows) costs the day's rows of that gate and nothing more.
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { HubTables } from '../storage/tables.js';
import type { OfficeHelpers } from './routes.js';

const HOUR = 3_600_000;

export interface HourlyChart {
  /** Start of each hour (ms), oldest first: 24 of them, the last one the hour now running. */
  hours: number[];
  gates: Array<{ site: string; gate: string; passages: number[] }>;
}

export async function hourlyPassages(db: Kysely<HubTables>, now: number): Promise<HourlyChart> {
  const from = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const to = from + 24 * HOUR;
  const hours = Array.from({ length: 24 }, (_, i) => from + i * HOUR);
  const gates = await db.selectFrom('histories').select(['site', 'gate']).distinct().orderBy('site').orderBy('gate').execute();
  // The hour as a literal, not a parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
  const hourOf = sql<number>`(at - ${sql.lit(from)}) / ${sql.lit(HOUR)}`;
  const series = await Promise.all(
    gates.map(async ({ site, gate }) => {
      const rows = await db
        .selectFrom('passages')
        .select([hourOf.as('h'), sql<number>`count(*)`.as('n')])
        .where('site', '=', site)
        .where('gate', '=', gate)
        .where('at', '>=', from)
        .where('at', '<', to)
        .groupBy(hourOf)
        .execute();
      const passages = new Array<number>(24).fill(0);
      for (const r of rows) {
        const h = Math.floor(Number(r.h));
        if (h >= 0 && h < 24) passages[h] = (passages[h] as number) + Number(r.n);
      }
      return { site, gate, passages };
    }),
  );
  return { hours, gates: series };
}

export function chartRoutes(db: Kysely<HubTables>, now: () => number) {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.get('/office/api/overview/hourly', async (req) => {
      await h.need(req, 'view');
      return hourlyPassages(db, now());
    });
  };
}
