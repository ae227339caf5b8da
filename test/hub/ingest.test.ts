// The hub receiving from a real Mosquitto (TLS, passwords, the project's ACL): every record once,
// and bad input of every kind rejected with its reason, counted, logged once per episode, never
// blocking the messages behind it.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { tempDir } from '../helpers/temp-dir.js';
import { gateClient, outboxMessage, SITE, startTestHub, type TestHub, uplink } from './harness.js';
import { ENGINES, freshStorage } from './support.js';

let broker: TestBroker;
const clients: MqttClient[] = [];
beforeAll(async () => {
  broker = await startMosquitto({ site: SITE, gates: ['g1', 'g2', 'g3', 'g4'] });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker?.close();
});

const gate = async (id: string) => {
  const c = await gateClient(broker, id);
  clients.push(c);
  return c;
};

describe.each(ENGINES)('ingest into %s', (engine) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ broker, ...(await freshStorage(engine)), name: `ingest-${engine}`, over: { hub: { resend: { enabled: false } } } });
  });
  afterAll(async () => hub?.stop());

  it('stores every passage once, repeats dropped, and knows the gate\'s highest seq from its retained state', async () => {
    const g = await gate('g1');
    for (let seq = 1; seq <= 500; seq++) g.publish(uplink('g1'), outboxMessage('g1', seq), { qos: 1 });
    // The gate's drain sends again what it had in flight when a connection broke: repeats.
    for (let seq = 100; seq <= 200; seq++) g.publish(uplink('g1'), outboxMessage('g1', seq), { qos: 1 });
    await g.publishAsync(uplink('g1', 'state'), JSON.stringify({ v: 1, site: SITE, gate: 'g1', seq: 520, status: 'online', reason: 'connected', at: Date.now(), clockSynced: true, outboxDepth: 20, versions: {}, devices: [], software: 'test' }), { qos: 1, retain: true });
    await hub.until(async () => (await hub.reader.histories({ gate: 'g1' }))[0]?.highest === 520 && (await hub.reader.count('passages', { gate: 'g1' })) === 500, '500 passages and the state of g1');
    const [h] = await hub.reader.histories({ gate: 'g1' });
    expect(h).toMatchObject({ held: 500, heldRanges: [[1, 500]], missing: [[501, 520]], state: { status: 'online' } });
    await hub.ingest.settled();
    expect(hub.ingest.stats.duplicates).toBe(101);
  });
});

describe('bad input', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      broker,
      dataDir: tempDir('hub-bad-'),
      name: 'bad-input',
      over: { hub: { gates: [`${SITE}/g1`, `${SITE}/g3`, `${SITE}/g4`], resend: { enabled: false }, limits: { perGatePerSecond: 200, maxPayloadBytes: 65536 } } },
    });
  });
  afterAll(async () => hub?.stop());

  it('rejects each kind with its reason, counts it, logs an episode once, and goes on storing what comes behind', async () => {
    const g1 = await gate('g1');
    const g2 = await gate('g2');
    const g3 = await gate('g3');
    const g4 = await gate('g4');
    await g1.publishAsync(uplink('g1'), outboxMessage('g1', 1, { kind: 'teleport' }), { qos: 1 });
    await g1.publishAsync(uplink('g1'), '{"v":1,', { qos: 1 });
    await g1.publishAsync(uplink('g1'), outboxMessage('g1', 2, { site: 'other-village' }), { qos: 1 });
    await g2.publishAsync(uplink('g2'), outboxMessage('g2', 1), { qos: 1 });
    await g1.publishAsync(uplink('g1'), Buffer.alloc(1024 * 1024, 0x41), { qos: 1 });
    // A flood: far past 200 messages/s from g4 at once. The others' messages still go in.
    for (let seq = 1; seq <= 2000; seq++) g4.publish(uplink('g4'), outboxMessage('g4', seq), { qos: 1 });
    await g3.publishAsync(uplink('g3'), outboxMessage('g3', 1), { qos: 1 });
    await g1.publishAsync(uplink('g1'), outboxMessage('g1', 3), { qos: 1 });
    await hub.until(async () => (await hub.reader.count('passages', { gate: 'g3' })) === 1 && (await hub.reader.count('passages', { gate: 'g1' })) === 1 && (hub.ingest.stats.rejected.flood ?? 0) + (await hub.reader.count('passages', { gate: 'g4' })) === 2000, 'the good messages behind the bad ones, and every flood message either stored or rejected');
    await hub.ingest.settled();
    const s = hub.ingest.stats.rejected;
    expect(s['payload.schema']).toBe(1);
    expect(s['payload.malformed']).toBe(1);
    expect(s['site.wrong']).toBe(1);
    expect(s['gate.unknown']).toBe(1);
    expect(s['payload.too-large']).toBe(1);
    expect(s.flood).toBeGreaterThan(1000);
    const r = await hub.reader.rejects(500);
    for (const reason of ['payload.schema', 'payload.malformed', 'site.wrong', 'gate.unknown', 'payload.too-large', 'flood']) expect(r.byReason[reason], reason).toBeGreaterThan(0);
    expect(r.byReason.flood).toBe(s.flood);
    // Bounded rows: a flood episode is a few rows with counts, not one row per message.
    expect(r.latest.filter((x) => x.reason === 'flood').length).toBeLessThan(50);
    const big = r.latest.find((x) => x.reason === 'payload.too-large');
    expect(big).toMatchObject({ bytes: 1024 * 1024, excerpt: '', gate: 'g1' });
    const warnings = hub.logLines().filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('rejected: more than 200 messages/s'));
    expect(warnings).toHaveLength(1);
    const stored = await hub.reader.count('passages', { gate: 'g4' });
    expect(stored + (s.flood ?? 0)).toBe(2000);
    expect(stored).toBeGreaterThanOrEqual(200);
  });
});

describe('the hub\'s broker account (the Mosquitto ACL in docs/hub.md)', () => {
  it('may write commands, and may not write a gate\'s uplink nor read a gate\'s commands', async () => {
    // One connection per check: mqtt.js closes a connection after a refused publish.
    const hubUser = async () => {
      const c = await gateClient(broker, 'hub', { protocolVersion: 5, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };
    const g1 = await gate('g1');
    const got: string[] = [];
    g1.on('message', (topic) => got.push(topic));
    await g1.subscribeAsync(`checkpoint/v1/${SITE}/g1/cmd/#`, { qos: 1 });
    await expect((await hubUser()).publishAsync(uplink('g1'), outboxMessage('g1', 99), { qos: 1 })).rejects.toThrow(/not authori[sz]ed/i);
    // Mosquitto grants a subscription and filters at delivery: the admin publishes a command, then
    // an uplink; the hub's account gets the uplink and, before it in order, never the command.
    const reader = await hubUser();
    const seen: string[] = [];
    reader.on('message', (topic) => seen.push(topic));
    await reader.subscribeAsync([`checkpoint/v1/${SITE}/g1/cmd/#`, `checkpoint/v1/${SITE}/+/passages`], { qos: 1 });
    const admin = await gateClient(broker, 'admin');
    clients.push(admin);
    await admin.publishAsync(`checkpoint/v1/${SITE}/g1/cmd/zone`, '{}', { qos: 1 });
    await admin.publishAsync(uplink('g2'), outboxMessage('g2', 7), { qos: 1 });
    await new Promise<void>((resolve) => {
      if (seen.length) resolve();
      else reader.once('message', () => resolve());
    });
    expect(seen).toEqual([uplink('g2')]);
    await (await hubUser()).publishAsync(`checkpoint/v1/${SITE}/g1/cmd/resend`, JSON.stringify({ site: SITE, gate: 'g1', ranges: [[1, 2]] }), { qos: 1 });
    const resend = `checkpoint/v1/${SITE}/g1/cmd/resend`;
    await new Promise<void>((resolve) => {
      if (got.includes(resend)) resolve();
      else g1.on('message', (topic) => topic === resend && resolve());
    });
    expect(got).toContain(resend);
  });
});
