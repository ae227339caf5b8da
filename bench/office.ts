// The office's queries at a township's year: 10 M passages (BENCH_OFFICE_ROWS to change it) across 60
// gates of 20 compounds, with their daily reports, alerts and visitor events, on PostgreSQL and on
// SQLite. The rows are made by the database itself (generate_series; a recursive CTE in SQLite), not
// by a JavaScript loop. Each query is the office's own code (the overview's gate cards, the daily
// report, the ledgers' first and a deeper page, filtered by gate, day, outcome and ID tail), timed
// after one warm-up; budget p95 ≤ 100 ms (issue 21).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { AlertDesk } from '../src/hub/office/alerts.js';
import { dailyReport } from '../src/hub/office/daily-report.js';
import { gateCards } from '../src/hub/office/overview.js';
import { openHubDb } from '../src/hub/storage/open.js';
import { HubReader } from '../src/hub/storage/read.js';
import type { HubTables } from '../src/hub/storage/tables.js';
import { freshDatabase, startPostgres } from './postgres.js';
import { type Figure, median, percentile } from './report.js';

const ROWS = Number(process.env.BENCH_OFFICE_ROWS ?? 10_000_000);
const GATES = 60;
const YEAR = 365 * 86_400_000;
const RUNS = 40;
const END = Date.UTC(2026, 11, 6, 4);
const START = END - YEAR;
const STEP = Math.floor(YEAR / ROWS);
const dayOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/** The rows, made by the database: `i` from 0; gate i % 60, at START + i·STEP, seq i / 60 + 1. */
function generators(engine: 'sqlite' | 'postgres') {
  const pg = engine === 'postgres';
  const series = (n: number) => (pg ? `generate_series(0::bigint, ${n - 1}) AS c(i)` : `c`);
  const cte = (n: number) => (pg ? '' : `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${n - 1}) `);
  const div = (a: string, b: number) => (pg ? `(${a} / ${b})` : `(${a} / ${b})`);
  const tail = pg ? `lpad((i % 10000)::text, 4, '0')` : `printf('%04d', i % 10000)`;
  const cat = (...parts: string[]) => parts.join(' || ');
  const g = `(i % ${GATES})`;
  const site = cat(`'s'`, pg ? `${div(g, 3)}::text` : `${div(g, 3)}`);
  const gate = cat(`'g'`, pg ? `(${g} % 3)::text` : `(${g} % 3)`);
  const num = (x: string) => (pg ? `(${x})::text` : `(${x})`);
  const passages = `${cte(ROWS)}INSERT INTO passages (site, gate, history, seq, at, clock_synced, received_at, data, passage_id, lane, direction, outcome, subject_kind)
    SELECT ${site}, ${gate}, ${g} + 1, ${div('i', GATES)} + 1, ${START} + i * ${STEP}, 1, ${START} + i * ${STEP} + 300,
      ${cat(`'{"type":"passage","id":"p-'`, num('i'), `'","lane":"main","direction":"'`, `CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END`, `'","outcome":"'`, `CASE WHEN i % 20 = 0 THEN 'refused' ELSE 'admitted' END`, `'","subject":{"kind":"person","id":"pc-'`, num('i % 50000'), `'","idTail":"'`, tail, `'"},"temperatures":[{"celsius":36.5}],"reasons":[]}'`)},
      ${cat(`'p-'`, num('i'))}, 'main', CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, CASE WHEN i % 20 = 0 THEN 'refused' ELSE 'admitted' END, 'person'
    FROM ${series(ROWS)}`;
  const nAlerts = Math.max(1, Math.floor(ROWS / 1000));
  const alerts = `${cte(nAlerts)}INSERT INTO alerts (site, gate, history, seq, at, clock_synced, received_at, data, alert_id, kind, severity, lane)
    SELECT ${site}, ${gate}, ${g} + 1, 1000000000 + i, ${START} + i * ${STEP * 1000}, 1, ${START} + i * ${STEP * 1000},
      '{"type":"alert","kind":"fever","severity":"critical","text":{"zh":"体温异常","en":"Fever"}}', ${cat(`'a-'`, num('i'))}, 'fever', CASE WHEN i % 10 = 0 THEN 'critical' ELSE 'warning' END, 'main'
    FROM ${series(nAlerts)}`;
  const days = 365;
  const reports = `${cte(days * GATES)}INSERT INTO daily_reports (site, gate, history, seq, at, clock_synced, received_at, data, day)
    SELECT ${site}, ${gate}, ${g} + 1, 2000000000 + i, ${START} + ${div('i', GATES)} * 86400000, 1, ${START} + ${div('i', GATES)} * 86400000,
      '{"type":"daily-report","entries":400,"exits":380,"visitors":12,"refusals":9,"refusalsByReason":{},"feverAlerts":0,"peopleInside":900,"zeroReport":true,"epidemicFreeDays":30,"zoneLevel":"normal"}',
      ${pg ? `to_char(to_timestamp((${START} + ${div('i', GATES)} * 86400000 + 28800000) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `strftime('%Y-%m-%d', (${START} + ${div('i', GATES)} * 86400000 + 28800000) / 1000, 'unixepoch')`}
    FROM ${series(days * GATES)}`;
  const nVisitors = Math.max(1, Math.floor(ROWS / 50));
  const visitors = `${cte(nVisitors)}INSERT INTO visitor_events (site, gate, history, seq, at, clock_synced, received_at, data, type)
    SELECT ${site}, ${gate}, ${g} + 1, 3000000000 + i, ${START} + i * ${STEP * 50}, 1, ${START} + i * ${STEP * 50},
      ${cat(`'{"type":"visitor-registered","id":"v-'`, num('i'), `'","nameMasked":"赵*强","idTail":"'`, tail, `'","travel":[],"hostHouseholdId":"A-01","registeredAt":'`, num(`${START} + i * ${STEP * 50}`), `'}'`)}, 'visitor-registered'
    FROM ${series(nVisitors)}`;
  return { passages, alerts, reports, visitors };
}

async function fill(db: Kysely<HubTables>, engine: 'sqlite' | 'postgres'): Promise<number> {
  const t0 = performance.now();
  const state = JSON.stringify({ status: 'online', zoneLevel: 'normal', versions: {}, outboxDepth: 0, clockSynced: true, devices: [] });
  const counts = JSON.stringify({ day: dayOf(END), entries: 400, exits: 380, peopleInside: 900, visitorsInside: 3, refusals: 9, refusalsByReason: { 'code-red': 2 }, feverAlerts: 0 });
  await db
    .insertInto('histories')
    .values(Array.from({ length: GATES }, (_, g) => ({ site: `s${Math.floor(g / 3)}`, gate: `g${g % 3}`, ledger: 'L1', first_seen: START, last_seen: END, held: JSON.stringify([[1, Math.ceil(ROWS / GATES)]]), gone: '[]', highest_reported: Math.ceil(ROWS / GATES), state, counts })))
    .execute();
  const gen = generators(engine);
  for (const q of [gen.passages, gen.alerts, gen.reports, gen.visitors]) await sql.raw(q).execute(db);
  await sql.raw(engine === 'postgres' ? 'ANALYZE' : 'ANALYZE').execute(db);
  return (performance.now() - t0) / 1000;
}

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function engineFigures(name: 'PostgreSQL' | 'SQLite', opened: { db: Kysely<HubTables>; engine: 'sqlite' | 'postgres' }): Promise<Figure[]> {
  const filled = await fill(opened.db, opened.engine);
  const reader = new HubReader(opened.db);
  const desk = new AlertDesk(opened.db);
  const day = dayOf(END - 3 * 86_400_000);
  const from = new Date(`${day}T00:00:00+08:00`).getTime();
  let deep: string | null = null;
  const queries: Array<[string, () => Promise<unknown>]> = [
    ['overview (gate cards)', () => gateCards(reader, desk, dayOf(END))],
    ['daily report (township)', () => dailyReport(opened.db, day)],
    ['passages ledger, first page', () => reader.passages({ limit: 50 })],
    [
      'passages ledger, 20th page',
      async () => {
        if (!deep) {
          let c: string | null = null;
          for (let i = 0; i < 19; i++) c = (await reader.passages({ limit: 50, ...(c ? { cursor: c } : {}) })).next;
          deep = c;
        }
        return reader.passages({ limit: 50, cursor: deep as string });
      },
    ],
    ['passages ledger, one gate, one day, refused', () => reader.passages({ site: 's7', gate: 'g1', from, to: from + 86_400_000, outcome: 'refused', limit: 50 })],
    ['passages ledger, one day, by ID tail', () => reader.passages({ from, to: from + 86_400_000, fields: { idTail: '0420' }, limit: 50 })],
    ['visitors ledger, last 7 days', () => reader.events('visitor_events', { from: END - 7 * 86_400_000, types: ['visitor-registered'], limit: 50 })],
  ];
  const figures: Figure[] = [];
  for (const [what, fn] of queries) {
    const ms = await timed(fn);
    figures.push({ name: `Office at ${(ROWS / 1e6).toLocaleString('en')} M passages, ${name}: ${what}, p95`, value: percentile(ms, 95), unit: 'ms', budget: { op: '<=', value: 100 }, runs: ms.length, note: `median ${median(ms).toFixed(1)} ms; ${GATES} gates, rows made in ${filled.toFixed(0)} s by the database` });
  }
  return figures;
}

export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-office-'));
  try {
    const sqlite = await openHubDb({ dataDir: join(dir, 'sq') });
    try {
      figures.push(...(await engineFigures('SQLite', sqlite as never)));
    } finally {
      await sqlite.close();
    }
    rmSync(join(dir, 'sq'), { recursive: true, force: true });
    const server = await startPostgres();
    try {
      const pgDb = await openHubDb({ url: await freshDatabase(server.url, 'office'), dataDir: join(dir, 'pg') });
      try {
        figures.push(...(await engineFigures('PostgreSQL', pgDb as never)));
      } finally {
        await pgDb.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
