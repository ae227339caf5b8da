// The village hub's benchmarks for `npm run bench` (bench/run.ts calls run()): `gate hub run` as a
// child process (as deployed) reading a local Mosquitto, writing PostgreSQL (a cluster started here,
// test/helpers/postgres.ts) or SQLite.
//   - ingest into PostgreSQL vs a raw batched `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`
//     of the same rows by pg in the same run, BENCH_HUB_RUNS pairs (3), medians compared: live, with
//     the publisher standing in for the gates on the same 2 cores (budget ≥ 5,000/s), and a backlog
//     the broker kept for the hub through an outage, from the hub's start (budget ≥ 0.5×); into
//     SQLite (≥ 2,000/s)
//   - two workers on a shared subscription against one (the ratio is reported)
//   - gate commit → row committed at the hub, p99 at 100 passages/s (≤ 100 ms; in one process)
//   - start to ready on SQLite (≤ 2 s) and RSS after BENCH_HUB_RSS_N passages (1 M; ≤ 150 MB)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { stringify } from 'yaml';
import { validateAgainst } from '../src/config/load.js';
import { type HubConfig, HubConfigSchema } from '../src/hub/config.js';
import { startHub } from '../src/hub/hub.js';
import { openLedger } from '../src/store/ledger.js';
import { OutboxDrain } from '../src/sync/drain.js';
import { topicTree } from '../src/sync/topics.js';
import { freshDatabase, startPostgres } from './postgres.js';
import { type Broker, startMosquitto } from './broker.js';
import { type Figure, median, percentile, runWhenMain } from './report.js';

const ROOT = resolve(import.meta.dirname, '..', import.meta.dirname.includes('/dist/') ? '..' : '');
const GATE_BIN = join(ROOT, 'bin/gate.js');
const N = Number(process.env.BENCH_HUB_MESSAGES ?? 50_000);
/** Passages the broker keeps for the hub through an outage (its persistent session), resent at its start. */
const BACKLOG_N = Number(process.env.BENCH_HUB_BACKLOG ?? 4 * N);
const RSS_N = Number(process.env.BENCH_HUB_RSS_N ?? 1_000_000);
/** Runs of the PostgreSQL ingest and its raw baseline (medians compared). */
const RUNS = Number(process.env.BENCH_HUB_RUNS ?? 3);
const SITE = 'bench-site';

/** Node flags and environment of systemd/checkpoint-hub.service: the hub is measured as deployed. */
const UNIT = (() => {
  const text = readFileSync(join(ROOT, 'systemd/checkpoint-hub.service'), 'utf8');
  const exec = /^ExecStart=\S+\s+(.*?)\s+\S+bin\/gate\.js/m.exec(text)?.[1] ?? '';
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^Environment=(.*)$/gm)) for (const kv of (m[1] ?? '').split(/\s+/)) if (/^MALLOC_/.test(kv)) env[kv.split('=')[0] as string] = kv.split('=')[1] ?? '';
  return { flags: exec.split(/\s+/).filter((f) => f.startsWith('--')), env };
})();

function message(gate: string, seq: number): string {
  return `{"v":1,"site":"${SITE}","gate":"${gate}","seq":${seq},"ledger":"bench","kind":"passage","at":${1_765_000_000_000 + seq},"clockSynced":true,"data":{"type":"passage","id":"p-${gate}-${seq}","lane":"main","direction":"${seq % 2 ? 'in' : 'out'}","subject":{"kind":"household","id":"hh-${seq % 500}"},"outcome":"admitted","reasons":["passage.admitted"],"colour":"green","mask":true,"celsius":36.4}}`;
}

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  return c;
}

/** Publishes seqs from..to of each gate at QoS 1, 500 in flight. */
export async function publish(url: string, gates: string[], from: number, to: number): Promise<void> {
  const c = await connect(url, `bench-pub-${process.pid}`);
  let inflight = 0;
  let wake: (() => void) | undefined;
  for (let seq = from; seq <= to; seq++) {
    for (const g of gates) {
      while (inflight >= 500) await new Promise<void>((r) => (wake = r));
      inflight++;
      c.publish(`checkpoint/v1/${SITE}/${g}/passages`, message(g, seq), { qos: 1 }, () => {
        inflight--;
        wake?.();
      });
    }
  }
  while (inflight > 0) await new Promise<void>((r) => (wake = r));
  await c.endAsync();
}

interface HubChild {
  proc: ChildProcess;
  readyMs: number;
  stop(): Promise<void>;
}

export async function hubChild(dir: string, name: string, brokerUrl: string, o: { url?: string; shared?: boolean } = {}): Promise<HubChild> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      hub: { name, sites: [SITE], storage: { dataDir: join(dir, name), ...(o.url ? { url: o.url } : {}) }, resend: { enabled: false } },
      mqtt: { url: brokerUrl, ...(o.shared ? { sharedGroup: 'hub', sessionExpirySeconds: 0 } : {}) },
      api: { port: 0 },
      logging: { level: 'info', pretty: false },
    }),
  );
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...UNIT.flags, ...(process.env.BENCH_HUB_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean), GATE_BIN, 'hub', 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...UNIT.env, NO_COLOR: '1' } });
  let out = '';
  let readyMs = Number.NaN;
  await new Promise<void>((res, rej) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (Number.isNaN(readyMs) && out.includes('Village hub ready')) readyMs = performance.now() - t0;
      // Subscribed, not only ready: a message published before that would not be queued for it.
      if (out.includes('Village hub ready') && out.includes("subscribed to the gates' topics")) res();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => rej(new Error(`hub exited ${code}: ${out.slice(-1000)}`)));
  });
  return {
    proc,
    readyMs,
    async stop() {
      if (proc.exitCode !== null) return;
      await new Promise<void>((r) => {
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
      });
    },
  };
}

/** Rows of passages, polled (the hub is another process) every 100 ms. */
export async function waitRows(count: () => Promise<number>, n: number, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while ((await count()) < n) {
    if (performance.now() > until) throw new Error(`the hub held ${await count()} of ${n} rows after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Messages/s from the first publish to the last row committed. The subscription exists first. */
export async function ingestRate(broker: Broker, dir: string, o: { url?: string; workers: number; name: string }, count: () => Promise<number>): Promise<number> {
  const hubs: HubChild[] = [];
  for (let w = 0; w < o.workers; w++) hubs.push(await hubChild(dir, `${o.name}${w}`, broker.url, { ...(o.url ? { url: o.url } : {}), shared: o.workers > 1 }));
  const gates = ['g1', 'g2', 'g3', 'g4'];
  try {
    const t0 = performance.now();
    await publish(broker.url, gates, 1, N / gates.length);
    await waitRows(count, N, Number(process.env.BENCH_HUB_WAIT_MS ?? 300_000));
    return N / ((performance.now() - t0) / 1000);
  } finally {
    for (const h of hubs) await h.stop();
  }
}

/**
 * A backlog after an outage: the hub subscribes once (its persistent session), stops; the gates'
 * passages are published and kept for it by the broker; messages/s from the hub's spawn (its start
 * included) to the last row committed. The publisher is done before the clock starts: in the field
 * the gates are other machines, and here they would take the CPU the hub is measured on.
 */
export async function backlogRate(broker: Broker, dir: string, o: { url: string; name: string; n: number }, count: () => Promise<number>): Promise<number> {
  await (await hubChild(dir, o.name, broker.url, { url: o.url })).stop();
  await publish(broker.url, ['g1', 'g2', 'g3', 'g4'], 1, o.n / 4);
  const t0 = performance.now();
  const h = await hubChild(dir, o.name, broker.url, { url: o.url });
  try {
    await waitRows(count, o.n, Number(process.env.BENCH_HUB_WAIT_MS ?? 300_000));
    return o.n / ((performance.now() - t0) / 1000);
  } finally {
    await h.stop();
  }
}

/** Rows of passages in PostgreSQL, on one connection kept open (a connection per poll costs the server a process). */
export function pgCounter(url: string): { count(): Promise<number>; close(): Promise<void> } {
  const c = new pg.Client({ connectionString: url });
  const connected = c.connect();
  return {
    async count() {
      await connected;
      try {
        return Number((await c.query('SELECT count(*)::int AS n FROM passages')).rows[0]?.n ?? 0);
      } catch {
        return 0;
      }
    },
    close: () => c.end(),
  };
}

/** The baseline: the same rows by pg, batched INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING. */
export async function rawUnnest(url: string, n = N): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('CREATE TABLE raw_passages (site text NOT NULL, gate text NOT NULL, history bigint NOT NULL, seq bigint NOT NULL, at bigint NOT NULL, clock_synced integer NOT NULL, received_at bigint NOT NULL, data text NOT NULL, passage_id text, lane text, direction text, outcome text, subject_kind text, PRIMARY KEY (site, gate, history, seq))');
    await c.query('CREATE INDEX raw_passages_at ON raw_passages (at)');
    await c.query('CREATE INDEX raw_passages_gate_at ON raw_passages (site, gate, at)');
    const gates = ['g1', 'g2', 'g3', 'g4'];
    const rows: string[][] = [];
    for (let seq = 1; seq <= n / gates.length; seq++) for (const g of gates) rows.push([g, String(seq), message(g, seq)]);
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 2000) {
      const part = rows.slice(i, i + 2000);
      // Parsing what arrives is part of the baseline's work as of the hub's.
      const parsed = part.map(([g, s, m]) => [g, s, JSON.parse(m as string) as { at: number; data: Record<string, unknown> }] as const);
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO raw_passages SELECT $1::text, g, 1, s, a, 1, $2::bigint, d, pid, 'main', dir, 'admitted', 'household'
         FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[]) AS u(g, s, a, d, pid, dir) ON CONFLICT DO NOTHING`,
        [SITE, Date.now(), parsed.map((p) => p[0]), parsed.map((p) => p[1]), parsed.map((p) => p[2].at), parsed.map((p) => JSON.stringify(p[2].data)), parsed.map((p) => String(p[2].data.id)), parsed.map((p) => String(p[2].data.direction))],
      );
      await c.query('COMMIT');
    }
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    await c.end();
  }
}

/** Gate commit → hub commit, in one process: a real ledger and drain publishing, the hub's commit event. */
async function commitToRow(broker: Broker, dir: string): Promise<number[]> {
  const { config } = validateAgainst<HubConfig>(HubConfigSchema, { hub: { name: 'lat', sites: [SITE], storage: { dataDir: join(dir, 'lat') }, resend: { enabled: false } }, mqtt: { url: broker.url }, api: { enabled: false } });
  if (!config) throw new Error('bench hub config');
  const logger = pino({ level: 'silent' });
  const hub = await startHub({ config, logger, env: {} });
  await hub.receiver.subscribed();
  const latencies: number[] = [];
  hub.ingest.onCommitted(({ records }) => {
    const now = Date.now();
    for (const r of records) latencies.push(now - r.at);
  });
  const ledger = openLedger({ path: join(dir, 'gate.db'), clock: { now: () => Date.now(), synced: () => true }, gateId: 'lat-gate', siteId: SITE, timeZone: 'Asia/Shanghai' });
  const client = await connect(broker.url, 'bench-lat-gate');
  const drain = new OutboxDrain({ ledger, client, topics: topicTree({ root: 'checkpoint', site: SITE, gate: 'lat-gate' }), site: SITE, gate: 'lat-gate', batch: 2000, inflight: 200, sendPersonalData: false, ledgerId: ledger.ledgerId(), logger });
  drain.connected();
  const samples = Number(process.env.BENCH_HUB_LATENCY_SAMPLES ?? 1000);
  try {
    for (let i = 0; i < samples; i++) {
      const seq = ledger.enqueue('passage', { type: 'passage', id: `lat-${i}`, lane: 'main', direction: 'in', outcome: 'admitted' }).seq;
      void seq;
      drain.wake();
      await new Promise((r) => setTimeout(r, 10));
    }
    const until = performance.now() + 30_000;
    while (latencies.length < samples && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    return latencies;
  } finally {
    await drain.stop(1000);
    await client.endAsync();
    ledger.close();
    await hub.stop();
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export async function run(): Promise<Figure[]> {
  const broker = await startMosquitto(['max_queued_messages 0']);
  if (!broker) throw new Error('the hub benchmarks need Mosquitto (Debian package mosquitto)');
  const server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'bench-hub-'));
  const figures: Figure[] = [];
  try {
    // The raw baseline and the hub, one after the other, RUNS times (fresh databases each): the
    // medians are compared, and every pair is in the note (the machine is shared: a pair is alike).
    const raws: number[] = [];
    const ones: number[] = [];
    const rawsBacklog: number[] = [];
    const backlogs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      raws.push(await rawUnnest(await freshDatabase(server.url, 'raw')));
      const pgUrl = await freshDatabase(server.url, 'bench');
      const c1 = pgCounter(pgUrl);
      ones.push(await ingestRate(broker, dir, { url: pgUrl, workers: 1, name: `one${r}` }, () => c1.count()).finally(() => c1.close()));
      rawsBacklog.push(await rawUnnest(await freshDatabase(server.url, 'rawb'), BACKLOG_N));
      const backlogUrl = await freshDatabase(server.url, 'backlog');
      const cb = pgCounter(backlogUrl);
      backlogs.push(await backlogRate(broker, dir, { url: backlogUrl, name: `backlog${r}`, n: BACKLOG_N }, () => cb.count()).finally(() => cb.close()));
    }
    const raw = median(raws);
    const one = median(ones);
    const pairs = (hub: number[], base: number[]) => hub.map((o, i) => `${Math.round(o)}/${Math.round(base[i] as number)}`).join(', ');
    const pgUrl2 = await freshDatabase(server.url, 'bench2');
    const c2 = pgCounter(pgUrl2);
    const two = await ingestRate(broker, dir, { url: pgUrl2, workers: 2, name: 'two' }, () => c2.count()).finally(() => c2.close());
    const sqlite = await ingestRate(broker, dir, { workers: 1, name: 'sq' }, () => sqliteRows(join(dir, 'sq0')));
    const note = `${N} passages from 4 gates published at QoS 1 (500 in flight) to a local Mosquitto, \`gate hub run\` as a child process; time from the first publish to the last row committed`;
    const pgNote = `${note}; the publisher, standing in for the gates, takes its share of the same 2 cores; median of ${RUNS} runs, each hub/raw in msg/s: ${pairs(ones, raws)}`;
    const rawName = 'raw pg INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING, 2,000 a batch';
    figures.push({ name: 'Hub ingest into PostgreSQL, a backlog after an outage', value: median(backlogs), unit: 'msg/s', baseline: { name: `${rawName}, the same ${BACKLOG_N.toLocaleString('en')} rows`, value: median(rawsBacklog) }, budget: { op: '>=', value: 0.5, on: 'ratio' }, runs: RUNS, note: `${BACKLOG_N.toLocaleString('en')} passages from 4 gates kept by a local Mosquitto in the hub's persistent session while it was stopped, then \`gate hub run\` started: from its spawn (start included) to the last row committed; median of ${RUNS} runs, each hub/raw in msg/s: ${pairs(backlogs, rawsBacklog)}` });
    figures.push({ name: 'Hub ingest into PostgreSQL, live', value: one, unit: 'msg/s', baseline: { name: rawName, value: raw }, runs: RUNS, note: pgNote });
    figures.push({ name: 'Hub ingest into PostgreSQL (sustained)', value: one, unit: 'msg/s', budget: { op: '>=', value: 5000 }, runs: RUNS, note: pgNote });
    figures.push({ name: 'Hub ingest into SQLite', value: sqlite, unit: 'msg/s', budget: { op: '>=', value: 2000 }, runs: 1, note: `${note}; WAL, synchronous=FULL` });
    figures.push({ name: 'Hub ingest, two workers on a shared subscription', value: two, unit: 'msg/s', baseline: { name: 'one worker', value: one }, runs: 1, note: 'two `gate hub run` on one PostgreSQL, $share/hub/…; on 2 cores shared with Mosquitto, PostgreSQL and the publisher the ratio is bounded by CPU, not by the design' });
    const lat = await commitToRow(broker, dir);
    figures.push({ name: 'Gate commit → hub row committed, p99 at 100 passages/s', value: percentile(lat, 99), unit: 'ms', budget: { op: '<=', value: 100 }, runs: 1, note: `${lat.length} passages, one every 10 ms: the gate's ledger and outbox drain and the hub in one process, loopback Mosquitto, SQLite at the hub; median ${median(lat).toFixed(1)} ms` });
    // Start to ready and memory: one hub on SQLite, then RSS_N passages through it.
    const rdir = mkdtempSync(join(dir, 'rss-'));
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await hubChild(rdir, `start${i}`, broker.url);
      starts.push(h.readyMs);
      await h.stop();
    }
    figures.push({ name: 'Hub start to ready (SQLite)', value: median(starts) / 1000, unit: 's', budget: { op: '<=', value: 2 }, runs: starts.length, note: 'spawn of `gate hub run` to its ready banner (storage open and migrated, API listening)' });
    const h = await hubChild(rdir, 'rss', broker.url);
    try {
      const db = () => sqliteRows(join(rdir, 'rss'));
      const rssStart = performance.now();
      const per = 100_000;
      for (let from = 1; from <= RSS_N / 4; from += per / 4) {
        await publish(broker.url, ['g1', 'g2', 'g3', 'g4'], from, Math.min(RSS_N / 4, from + per / 4 - 1));
        await waitRows(db, Math.min(RSS_N, (from - 1 + per / 4) * 4), 600_000);
      }
      const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${h.proc.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
      figures.push({ name: `Hub RSS after ${RSS_N.toLocaleString('en')} passages (SQLite)`, value: rssMb(h.proc.pid as number), unit: 'MB', budget: { op: '<=', value: 150 }, runs: 1, note: `VmRSS of \`gate hub run\` after ingesting them, published in bursts of 100,000 as fast as the broker takes them; peak (VmHWM) ${peak.toFixed(0)} MB; ${((performance.now() - rssStart) / 1000).toFixed(0)} s` });
    } finally {
      await h.stop();
    }
    return figures;
  } finally {
    await broker.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sqliteRows(dataDir: string): Promise<number> {
  try {
    const db = new Database(join(dataDir, 'hub.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

runWhenMain(import.meta, run);
