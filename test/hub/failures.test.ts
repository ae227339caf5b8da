// Failures with real processes: the hub (`gate hub run`, a child process) SIGKILLed at random while a
// gate's passages stream in; the broker restarted mid-stream; two hub workers on one PostgreSQL
// behind a shared subscription, one killed; a village broker bridged to a township broker with the
// bridge cut. Each ends with every seq present exactly once. `SOAK=1` runs the full counts
// (10,000 passages, 10 kills); `npm test` runs fewer so the file stays reasonable on 2 loaded cores.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Ledger } from '../../src/store/api.js';
import { createSync } from '../../src/sync/sync.js';
import { PASSWORD, startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeCtx, openTestLedger, passage, tcpProxy } from '../sync/support.js';
import { SITE } from './harness.js';
import { type HubProcess, startHubProcess, writeHubConfig } from './process.js';

const SOAK = process.env.SOAK === '1';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

/** A gate (its real ledger and sync) publishing to `url`; record() commits passages as the gate does. */
async function startGate(broker: TestBroker, gate: string, url = broker.url): Promise<{ ledger: Ledger; record(n: number): Promise<void> }> {
  const ledger = openTestLedger({ gate });
  cleanups.push(() => ledger.close());
  const ctx = makeCtx({ gate, mqtt: { url, username: gate, password: PASSWORD, tls: { ca: broker.caFile } } });
  const sync = createSync({ ctx, ledger });
  cleanups.push(() => sync.stop());
  await sync.start();
  return {
    ledger,
    // In bursts of 50, yielding between them: passages keep coming while the hub is killed.
    async record(n) {
      for (let i = 0; i < n; i += 50) {
        for (let j = i; j < Math.min(n, i + 50); j++) {
          const p = passage();
          const { seq } = ledger.recordPassage(p);
          ctx.bus.emit('passage.decided', { passage: p, seq });
        }
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

interface GateView {
  gates: Array<{ gate: string; missingCount: number; held: number; highest: number }>;
}

async function hub(configFile: string): Promise<HubProcess> {
  const h = await startHubProcess(configFile);
  cleanups.push(() => h.kill());
  return h;
}

/** Resolves when the hub holds every seq of `gate` up to the gate's highest and at least `n` of them. */
async function complete(h: HubProcess, gate: string, n: number, ms = 90_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const g = (await h.get<GateView>('/api/v1/gates')).gates.find((x) => x.gate === gate);
        return g !== undefined && g.missingCount === 0 && g.highest >= n;
      },
      { timeout: ms, interval: 250 },
    )
    .toBe(true);
}

function sqliteCounts(dir: string, gate: string): { rows: number; uniq: number } {
  const db = new Database(`${dir}/hub.db`, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS rows, count(DISTINCT seq) AS uniq FROM passages WHERE gate = ?').get(gate) as never;
  } finally {
    db.close();
  }
}

describe('failures, with real processes', () => {
  it(`hub SIGKILLed at random ${SOAK ? 10 : 3} times during ${SOAK ? '10,000' : '3,000'} passages: every seq present exactly once`, async () => {
    const N = SOAK ? 10_000 : 3_000;
    const KILLS = SOAK ? 10 : 3;
    const broker = await startMosquitto({ site: SITE, gates: ['g1'] });
    cleanups.push(() => broker.close());
    const dir = tempDir('hub-kill-');
    const configFile = writeHubConfig(dir, broker, { name: 'kill' });
    let h = await hub(configFile);
    const gate = await startGate(broker, 'g1');
    const recording = gate.record(N);
    for (let k = 0; k < KILLS; k++) {
      // Killed at a random point of each stretch of the stream (by seqs committed so far).
      const at = Math.floor(((k + Math.random()) * N) / (KILLS + 1));
      const held = async () => (await h.get<GateView>('/api/v1/gates')).gates.find((x) => x.gate === 'g1')?.held ?? 0;
      await expect.poll(held, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(at);
      await h.kill('SIGKILL');
      h = await hub(configFile);
    }
    await recording;
    await complete(h, 'g1', N);
    const c = sqliteCounts(`${dir}/kill`, 'g1');
    expect(c).toEqual({ rows: N, uniq: N });
  }, SOAK ? 900_000 : 180_000);

  it('broker restarted mid-stream: every seq present exactly once', async () => {
    const N = 2_000;
    const broker = await startMosquitto({ site: SITE, gates: ['g1'] });
    cleanups.push(() => broker.close());
    const dir = tempDir('hub-brk-');
    const h = await hub(writeHubConfig(dir, broker, { name: 'brk' }));
    const gate = await startGate(broker, 'g1');
    const recording = gate.record(N);
    await expect.poll(async () => (await h.get<{ ingest: { received: number } }>('/api/v1/status')).ingest.received, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(300);
    await broker.stop();
    await broker.start();
    await recording;
    await complete(h, 'g1', N);
    expect(sqliteCounts(`${dir}/brk`, 'g1')).toEqual({ rows: N, uniq: N });
  }, 180_000);

  it('two hub workers on one PostgreSQL behind a shared subscription, one SIGKILLed mid-run: no loss, no duplicate', async () => {
    const N = 3_000;
    const broker = await startMosquitto({ site: SITE, gates: ['g1'] });
    cleanups.push(() => broker.close());
    const url = await freshDatabase(inject('postgresUrl'));
    const dir = tempDir('hub-shared-');
    const a = await hub(writeHubConfig(dir, broker, { name: 'worker-a', url, sharedGroup: 'hub' }));
    const b = await hub(writeHubConfig(dir, broker, { name: 'worker-b', url, sharedGroup: 'hub' }));
    const gate = await startGate(broker, 'g1');
    const recording = gate.record(N);
    await expect.poll(async () => (await b.get<{ ingest: { received: number } }>('/api/v1/status')).ingest.received, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(300);
    await b.kill('SIGKILL');
    await recording;
    await complete(a, 'g1', N, 30_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}\n${JSON.stringify(await a.get('/api/v1/gates')).slice(0, 1500)}\n${a.output().slice(-3000)}`);
    });
    expect((await a.get<{ ingest: { received: number } }>('/api/v1/status')).ingest.received).toBeLessThan(N + 500);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query("SELECT count(*)::int AS rows, count(DISTINCT seq)::int AS uniq FROM passages WHERE gate = 'g1'");
      expect(r.rows[0]).toEqual({ rows: N, uniq: N });
    } finally {
      await client.end();
    }
  }, 180_000);

  it('a village broker bridged to the township broker, the bridge cut a while: nothing lost', async () => {
    const N = 2_000;
    const township = await startMosquitto({ site: SITE, gates: ['g1'] });
    cleanups.push(() => township.close());
    const link = await tcpProxy(township.port);
    cleanups.push(() => link.close());
    // The bridge as docs/hub.md describes it: QoS 1 out (the default is 0), a persistent session,
    // MQTT 3.1.1, TLS to the township, the village broker's own persistence.
    const village = await startMosquitto({
      site: SITE,
      gates: ['g1'],
      extraConfig: [
        'connection township',
        `address 127.0.0.1:${link.port}`,
        `topic checkpoint/v1/${SITE}/+/+ out 1`,
        'cleansession false',
        'bridge_protocol_version mqttv311',
        'remote_clientid village-bridge',
        'remote_username admin',
        `remote_password ${PASSWORD}`,
        `bridge_cafile ${township.caFile}`,
        'restart_timeout 1',
        // No connection-state messages to the township's $SYS tree: its ACL gives the bridge account none.
        'notifications false',
      ],
    });
    cleanups.push(() => village.close());
    const dir = tempDir('hub-bridge-');
    const h = await hub(writeHubConfig(dir, township, { name: 'bridge' }));
    const gate = await startGate(village, 'g1');
    await gate.record(N / 2);
    await expect.poll(async () => (await h.get<GateView>('/api/v1/gates')).gates.find((x) => x.gate === 'g1')?.held ?? 0, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(100).catch((err) => {
      throw new Error(`${(err as Error).message}\nvillage broker:\n${village.log().slice(-2000)}\ntownship broker:\n${township.log().slice(-2000)}`);
    });
    // The bridge is cut (no DISCONNECT, new connections refused) while the gate records the other half.
    link.held = true;
    link.dropAll();
    await gate.record(N / 2);
    await expect.poll(() => gate.ledger.outboxDepth(), { timeout: 60_000, interval: 100 }).toBe(0);
    // The soak keeps the bridge down for the 30 s (a scenario's length, not a wait for an event).
    if (SOAK) await new Promise((r) => setTimeout(r, 30_000));
    link.held = false;
    await complete(h, 'g1', N);
    expect(sqliteCounts(`${dir}/bridge`, 'g1')).toEqual({ rows: N, uniq: N });
  }, 180_000);
});
