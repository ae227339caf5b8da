// Outbox drain benchmark for `npm run bench` (bench/run.ts calls run()):
// the sync's OutboxDrain emptying a real ledger's outbox (SQLite file at NORMAL, which is what the
// daemon's default storage.synchronous GROUP runs; a row is deleted only after its PUBACK) into a local broker, against raw mqtt.js QoS 1
// publishing of the same serialised messages with the same window in flight to the same broker,
// alternated in the same run. Broker: Mosquitto (a separate process, as a hub runs it) when the
// Debian package is there, otherwise the embedded aedes broker.
// Budget (DESIGN.md): ≥ 2,000 msg/s and ≥ 50 % of the raw rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { validateConfig } from '../src/config/load.js';
import type { Passage } from '../src/gate/model.js';
import { openLedger } from '../src/store/ledger.js';
import { startEmbeddedBroker } from '../src/sync/broker.js';
import { OutboxDrain } from '../src/sync/drain.js';
import { topicTree } from '../src/sync/topics.js';
import { type Broker, startMosquitto } from './broker.js';
import { type Figure, median, runWhenMain } from './report.js';
import { passage } from './passage-factory.js';

const N = Number(process.env.BENCH_OUTBOX_MESSAGES ?? 20_000);
const RUNS = Number(process.env.BENCH_OUTBOX_RUNS ?? 5);
// The daemon's defaults (mqtt.drain.inflight and mqtt.drain.batch).
const DRAIN = validateConfig({}).config?.mqtt.drain ?? { inflight: 200, batch: 2000 };
const INFLIGHT = DRAIN.inflight;
const BATCH = Number(process.env.BENCH_OUTBOX_BATCH ?? DRAIN.batch);
const SYNCHRONOUS = (process.env.BENCH_OUTBOX_SYNC as 'FULL' | 'NORMAL' | undefined) ?? 'NORMAL';
const SITE = 'bench-site';
const GATE = 'bench-gate';

async function connect(url: string, clientId: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId, clean: true, reconnectPeriod: 0, connectTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

function passageOf(i: number): Passage {
  const at = Date.now();
  return passage(i, at, {
    id: `bench-${process.pid}-${i}-${at}`,
    lane: 'main',
    direction: i % 2 ? 'out' : 'in',
    subject: { kind: 'person', id: `card-${i % 500}`, personId: `person-${i % 500}`, householdId: `hh-${i % 170}`, name: '王建国', idTail: '123X' },
    temperatures: [{ celsius: 36.5, source: 'device', at }],
    colourSource: 'operator',
    outcome: 'admitted',
    reasons: [{ code: 'ok', zh: '通过', en: 'Admitted' }],
    startedAt: at,
    alerts: [],
  });
}

/** One drain of N rows recorded "during an outage"; returns msg/s and the serialised messages for the raw run. */
async function drainOnce(url: string, run: number): Promise<{ rate: number; messages: Array<{ topic: string; body: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
  let wake: () => void = () => undefined;
  const open = (synchronous: 'FULL' | 'NORMAL') =>
    openLedger({
      path: join(dir, 'gate.db'),
      clock: { now: () => Date.now(), synced: () => true },
      gateId: GATE,
      siteId: SITE,
      synchronous,
      timeZone: 'Asia/Shanghai',
      // As in the daemon: every outbox change reaches sync over the bus and wakes the drain.
      onChange: (what) => {
        if (what === 'outbox') wake();
      },
    });
  // The backlog is written quickly (not timed); the drain runs as the daemon does (GROUP = SQLite NORMAL;
  // acknowledged rows are deleted without a sync: a lost delete only means a duplicate the hub drops).
  const writer = open('NORMAL');
  for (let i = 0; i < N; i++) writer.recordPassage(passageOf(i));
  writer.close();
  const ledger = open(SYNCHRONOUS);
  const topics = topicTree({ root: 'checkpoint', site: SITE, gate: GATE });
  const client = await connect(url, `bench-drain-${process.pid}-${run}`);
  try {
    // The raw run publishes exactly what the drain published (recorded on the way, a push per message).
    const messages: Array<{ topic: string; body: string }> = [];
    const publisher = {
      publish: (topic: string, body: string, opts: { qos: 1 }, cb: (err?: Error) => void) => {
        messages.push({ topic, body });
        return client.publish(topic, body, opts, cb);
      },
      // As src/sync/sync.ts does: one write for each burst of publishes.
      cork: () => (client.stream as unknown as { cork(): void }).cork(),
      uncork: () => (client.stream as unknown as { uncork(): void }).uncork(),
    };
    const drain = new OutboxDrain({ ledger, client: publisher, topics, site: SITE, gate: GATE, batch: BATCH, inflight: INFLIGHT, sendPersonalData: false, logger: pino({ level: 'silent' }) });
    wake = () => drain.wake();
    const t0 = performance.now();
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`drain did not finish: ${ledger.outboxDepth()} rows left after 120 s`)), 120_000);
      const check = () => {
        if (ledger.outboxDepth() === 0) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 1);
      };
      check();
    });
    drain.connected();
    await done;
    const rate = N / ((performance.now() - t0) / 1000);
    await drain.stop(100);
    return { rate, messages };
  } finally {
    client.end(true);
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw mqtt.js QoS 1: the same messages, the same window in flight, callbacks only. */
async function rawOnce(url: string, run: number, messages: Array<{ topic: string; body: string }>): Promise<number> {
  const client = await connect(url, `bench-raw-${process.pid}-${run}`);
  try {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let acked = 0;
      let inFlight = 0;
      const pump = () => {
        while (inFlight < INFLIGHT && next < messages.length) {
          const m = messages[next++] as { topic: string; body: string };
          inFlight++;
          client.publish(m.topic, m.body, { qos: 1 }, (err) => {
            if (err) return reject(err);
            inFlight--;
            if (++acked === messages.length) resolve();
            else pump();
          });
        }
      };
      pump();
    });
    return messages.length / ((performance.now() - t0) / 1000);
  } finally {
    client.end(true);
  }
}

/** Raw mqtt.js QoS 1, one message at a time awaiting each PUBACK (the method of DESIGN.md's note). */
async function rawSerialOnce(url: string, run: number, messages: Array<{ topic: string; body: string }>): Promise<number> {
  const client = await connect(url, `bench-serial-${process.pid}-${run}`);
  try {
    const t0 = performance.now();
    for (const m of messages) await client.publishAsync(m.topic, m.body, { qos: 1 });
    return messages.length / ((performance.now() - t0) / 1000);
  } finally {
    client.end(true);
  }
}

export async function run(): Promise<Figure[]> {
  const mosquitto = await startMosquitto();
  const broker: Broker = mosquitto ?? { name: 'aedes (embedded)', ...(await startEmbeddedBroker({ port: 0 })) };
  try {
    const drains: number[] = [];
    const raws: number[] = [];
    const serials: number[] = [];
    // One warm-up pair, not counted (JIT, broker buffers).
    const warm = await drainOnce(broker.url, -1);
    await rawOnce(broker.url, -1, warm.messages);
    for (let r = 0; r < RUNS; r++) {
      const d = await drainOnce(broker.url, r);
      drains.push(d.rate);
      raws.push(await rawOnce(broker.url, r, d.messages));
      serials.push(await rawSerialOnce(broker.url, r, d.messages));
    }
    const raw = { name: `raw mqtt.js QoS 1, ${INFLIGHT} in flight`, value: median(raws) };
    const serial = { name: 'raw mqtt.js QoS 1, one at a time', value: median(serials) };
    const note = `${N} passages recorded while offline, drained to a local ${broker.name} (window ${INFLIGHT}, read-ahead ${BATCH}); SQLite synchronous ${SYNCHRONOUS}, rows deleted after PUBACK; raw = the same messages to the same broker, alternated with the drain`;
    return [
      { name: `Outbox drain after an outage (${broker.name})`, value: median(drains), unit: 'msg/s', baseline: serial, budget: { op: '>=', value: 2000 }, runs: RUNS, note },
      {
        name: `Outbox drain vs raw mqtt.js with the same window (${broker.name})`,
        value: median(drains),
        unit: 'msg/s',
        baseline: raw,
        budget: { op: '>=', value: 0.5, on: 'ratio' },
        runs: RUNS,
        note: `budget: at least 50 % of raw mqtt.js QoS 1 publishing in the same run (the stronger, windowed baseline); per-pair ratios ${drains.map((d, i) => (d / (raws[i] as number)).toFixed(2)).join(', ')} (median ${median(drains.map((d, i) => d / (raws[i] as number))).toFixed(2)})`,
      },
    ];
  } finally {
    await broker.close();
  }
}

runWhenMain(import.meta, run);
