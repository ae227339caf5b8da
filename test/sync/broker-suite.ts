// One integration suite, run against a real Mosquitto (TLS, passwords, ACL) and against the
// embedded aedes broker with the same users and rules. Every wait is bounded; brokers, syncs and
// clients are closed in afterAll/finally.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../src/devices/events.js';
import type { Alert } from '../../src/gate/model.js';
import type { Ledger } from '../../src/store/api.js';
import { Lifecycle } from '../../src/kernel/lifecycle.js';
import { discoveryMessages } from '../../src/sync/home-assistant.js';
import { createSync, type Sync } from '../../src/sync/sync.js';
import { topicTree } from '../../src/sync/topics.js';
import { VERSION } from '../../src/kernel/version.js';
import { PASSWORD, type TestBroker } from '../helpers/mosquitto.js';
import { connectClient, DedupHub, makeCtx, nextMessage, openTestLedger, passage, SITE, tcpProxy } from './support.js';
import { validateCaptured } from './asyncapi-check.js';

export const SUITE_GATES = ['gate-a', 'gate-b', 'gate-c', 'gate-d', 'gate-e', 'gate-f', 'gate-g', 'gate-h', 'gate-i', 'gate-j', 'gate-k'];
const base = (gate: string) => `checkpoint/v1/${SITE}/${gate}`;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/sync/${name}`, import.meta.url));
const OUTAGE_PASSAGES = Number(process.env.SYNC_OUTAGE_PASSAGES ?? 10_000);

function fever(id: string): Alert {
  return { id, kind: 'fever', severity: 'critical', lane: 'main', text: { zh: '体温异常', en: 'Fever' }, at: Date.now(), detail: { celsius: 38.4 } };
}

export function brokerSuite(name: string, start: () => Promise<TestBroker>): void {
  describe(`sync against ${name}`, () => {
    let broker: TestBroker;
    let recorder: MqttClient;
    const captured: Array<{ topic: string; payload: Buffer; retain: boolean }> = [];
    const cleanups: Array<() => Promise<unknown> | unknown> = [];

    beforeAll(async () => {
      broker = await start();
      // Records what a hub sees, for the AsyncAPI schema check at the end.
      recorder = await connectClient(broker.url, { ...broker.options('admin'), clientId: `recorder-${process.pid}` });
      recorder.on('message', (topic, payload, packet) => {
        if (captured.length < 50_000) captured.push({ topic, payload, retain: packet.retain });
      });
      await recorder.subscribeAsync(['checkpoint/#', 'homeassistant/#'], { qos: 1 });
    });

    afterAll(async () => {
      for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
      recorder?.end(true);
      await broker?.close();
    });

    const hub = async (id: string, topics: string[], clean = true) => {
      const c = await connectClient(broker.url, { ...broker.options('admin'), clientId: `hub-${id}-${process.pid}`, clean });
      cleanups.push(() => c.end(true));
      if (topics.length > 0) await c.subscribeAsync(topics, { qos: 1 });
      return c;
    };

    const gateSync = (o: { gate: string; ledger: Ledger; mqtt?: Record<string, unknown>; url?: string; devices?: () => DeviceHealth[]; logger?: pino.Logger; lanes?: unknown[] }) => {
      const ctx = makeCtx({
        gate: o.gate,
        ...(o.lanes ? { lanes: o.lanes } : {}),
        mqtt: { url: o.url ?? broker.url, username: o.gate, password: PASSWORD, ...(broker.caFile ? { tls: { ca: broker.caFile } } : {}), ...o.mqtt },
      });
      if (o.logger) ctx.logger = o.logger;
      const sync = createSync({ ctx, ledger: o.ledger, ...(o.devices ? { devices: o.devices } : {}) });
      cleanups.push(() => sync.stop());
      return { ctx, sync };
    };

    const record = (ledger: Ledger, ctx: ReturnType<typeof makeCtx>, p = passage()) => {
      const { seq } = ledger.recordPassage(p);
      ctx.bus.emit('passage.decided', { passage: p, seq });
      for (const alert of p.alerts) ctx.bus.emit('alert.raised', { alert });
      return seq;
    };

    it('refuses a wrong password and a gate that is not in the password file', async () => {
      await expect(connectClient(broker.url, { ...broker.options('gate-a'), password: 'wrong', clientId: 'bad-1', reconnectPeriod: 0 })).rejects.toThrow(/authori|password|Bad/i);
      await expect(connectClient(broker.url, { ...broker.options('gate-zz'), clientId: 'bad-2', reconnectPeriod: 0 })).rejects.toThrow(/authori|password|Bad/i);
      if (broker.caFile) {
        // TLS: a client that does not trust the village CA does not connect at all.
        const { ca: _ca, ...noCa } = broker.options('gate-a');
        await expect(connectClient(broker.url, { ...noCa, clientId: 'bad-3', reconnectPeriod: 0 })).rejects.toThrow(/certificate/i);
      }
    });

    it('sends the daily report (zero report included) to the reports topic', async () => {
      const gate = 'gate-j';
      const ledger = openTestLedger({ gate });
      cleanups.push(() => ledger.close());
      const h = await hub('report', [`${base(gate)}/reports`, `${base(gate)}/state`]);
      const { ctx, sync } = gateSync({ gate, ledger });
      const up = nextMessage(h, (t, b) => t.endsWith('/state') && b.status === 'online');
      await sync.start();
      await up;
      const got = nextMessage(h, (t) => t.endsWith('/reports'), 10_000);
      // What the store feature does at storage.dailyReportAt: enqueue, and its onChange tells the bus.
      const report = ledger.dailyReport();
      ledger.enqueue('report', { type: 'daily-report', ...report });
      ctx.bus.emit('ledger.changed', { what: 'outbox' });
      const r = await got;
      expect(r.body).toMatchObject({ v: 1, site: SITE, gate, kind: 'report', data: { type: 'daily-report', day: report.day, zeroReport: true, entries: 0 } });
      await sync.stop();
    });

    it('keeps draining when reading counts or versions from the ledger fails', async () => {
      const gate = 'gate-j';
      const real = openTestLedger({ gate });
      cleanups.push(() => real.close());
      const broken = new Proxy(real, {
        get(target, key, receiver) {
          if (key === 'todayCounts' || key === 'policyStates') return () => {
            throw new Error('SQLITE_IOERR: disk I/O error');
          };
          return Reflect.get(target, key, receiver);
        },
      });
      const h = await hub('broken', [`${base(gate)}/passages`]);
      const seen = new DedupHub(true);
      h.on('message', (t, p) => seen.take(t, p));
      for (let i = 0; i < 5; i++) real.recordPassage(passage());
      const { sync } = gateSync({ gate, ledger: broken });
      await sync.start();
      await seen.until(5, 10_000);
      expect(seen.problems).toEqual([]);
      expect(sync.state().connected).toBe(true);
      await sync.stop();
      await h.publishAsync(`${base(gate)}/state`, '', { qos: 1, retain: true });
    });

    it('confines a gate to its own topics (ACL): it cannot publish as another gate nor read its commands', async () => {
      const watcher = await hub('acl', [`${base('gate-b')}/#`]);
      const seen: string[] = [];
      watcher.on('message', (t, p) => seen.push(`${t} ${p.toString()}`));
      const gateA = await connectClient(broker.url, { ...broker.options('gate-a'), clientId: `acl-a-${process.pid}`, reconnectPeriod: 0 });
      cleanups.push(() => gateA.end(true));
      const gateACmds: string[] = [];
      gateA.on('message', (t) => gateACmds.push(t));
      // Mosquitto acknowledges and drops a denied publish; aedes drops the connection. Either way nothing is delivered.
      await Promise.race([gateA.publishAsync(`${base('gate-b')}/passages`, '{"forged":true}', { qos: 1 }).catch(() => undefined), new Promise<void>((r) => gateA.once('close', () => r())), new Promise((r) => setTimeout(r, 3000))]);
      const marker = nextMessage(watcher, (t, b) => t === `${base('gate-b')}/passages` && b.marker === true);
      await watcher.publishAsync(`${base('gate-b')}/passages`, '{"marker":true}', { qos: 1 });
      await marker;
      expect(seen.some((s) => s.includes('forged'))).toBe(false);

      const gateA2 = await connectClient(broker.url, { ...broker.options('gate-a'), clientId: `acl-a2-${process.pid}`, reconnectPeriod: 0 });
      cleanups.push(() => gateA2.end(true));
      gateA2.on('message', (t) => gateACmds.push(t));
      // aedes refuses this subscription (QoS 128, an error in mqtt.js); Mosquitto 2.0 grants it but never
      // delivers what the ACL does not let the user read. Delivery is what is checked below.
      const refused = await gateA2.subscribeAsync(`${base('gate-b')}/cmd/#`, { qos: 1 }).then(
        (granted) => granted.every((g) => g.qos === 128),
        () => true,
      );
      if (broker.name === 'aedes') expect(refused).toBe(true);
      await gateA2.subscribeAsync(`${base('gate-a')}/cmd/#`, { qos: 1 });
      const own = nextMessage(gateA2, (t) => t === `${base('gate-a')}/cmd/zone`);
      await watcher.publishAsync(`${base('gate-b')}/cmd/zone`, '{"secret":1}', { qos: 1 });
      await watcher.publishAsync(`${base('gate-a')}/cmd/zone`, '{"mine":1}', { qos: 1 });
      await own;
      expect(gateACmds).not.toContain(`${base('gate-b')}/cmd/zone`);
    });

    it('publishes retained "online" state with device health on every connect, debounced counts, the "offline" will on a lost link and "offline" on clean stop', async () => {
      const gate = 'gate-c';
      const proxy = await tcpProxy(broker.port);
      cleanups.push(() => proxy.close());
      const watcher = await hub('state', [`${base(gate)}/state`, `${base(gate)}/counts`]);
      const states: Array<Record<string, unknown>> = [];
      const counts: Array<Record<string, unknown>> = [];
      watcher.on('message', (t, p) => (t.endsWith('/state') ? states : counts).push(JSON.parse(p.toString())));
      const ledger = openTestLedger({ gate });
      cleanups.push(() => ledger.close());
      let health: DeviceHealth[] = [{ id: 'thermo-1', kind: 'thermometer', lane: 'main', driver: 'mock', state: 'connected', since: 1 }];
      const scheme = broker.url.split(':')[0];
      const { ctx, sync } = gateSync({ gate, ledger, url: `${scheme}://127.0.0.1:${proxy.port}`, devices: () => health, mqtt: { keepaliveSeconds: 5 } });
      const online = nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'online' && b.reason === 'connected');
      await sync.start();
      const first = (await online).body;
      expect(first).toMatchObject({ v: 1, site: SITE, gate, devices: [{ id: 'thermo-1', state: 'connected' }] });

      // Device health changes reach the retained state.
      const unplugged = nextMessage(watcher, (t, b) => t.endsWith('/state') && (b.devices as DeviceHealth[])[0]?.state === 'disconnected');
      health = [{ ...health[0]!, state: 'disconnected', since: 2, detail: 'unplugged' }];
      ctx.bus.emit('device.health', health[0]!);
      expect((await unplugged).body.status).toBe('online');

      // 40 passages in a burst give a handful of counts messages, the last one complete.
      counts.length = 0;
      const all = nextMessage(watcher, (t, b) => t.endsWith('/counts') && b.entries === 40, 5000);
      for (let i = 0; i < 40; i++) record(ledger, ctx);
      await all;
      await new Promise((r) => setTimeout(r, 200));
      expect(counts.length).toBeGreaterThanOrEqual(1);
      expect(counts.length).toBeLessThanOrEqual(4);
      expect(counts.at(-1)).toMatchObject({ entries: 40, exits: 0, peopleInside: expect.any(Number) });

      // A pulled cable: the broker publishes the will, the gate reconnects and says "online" again.
      const lost = nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'offline' && b.reason === 'lost', 20_000);
      const back = lost.then(() => nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'online' && b.reason === 'connected', 10_000));
      proxy.dropAll();
      await lost;
      expect((await back).body.devices).toEqual([expect.objectContaining({ id: 'thermo-1', state: 'disconnected', detail: 'unplugged' })]);

      // A clean stop leaves "offline"/"shutdown" retained for anyone who looks later.
      const bye = nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'offline' && b.reason === 'shutdown');
      await sync.stop();
      await bye;
      const late = await hub('state-late', []);
      const retained = nextMessage(late, (t) => t === `${base(gate)}/state`);
      await late.subscribeAsync(`${base(gate)}/state`, { qos: 1 });
      const r = await retained;
      expect(r.retain).toBe(true);
      expect(r.body).toMatchObject({ status: 'offline', reason: 'shutdown' });
    }, 45_000);

    it('applies hub updates sent through the broker, answers each on the result topic, refuses bad ones and changes nothing then', async () => {
      const gate = 'gate-d';
      const ledger = openTestLedger({ gate });
      cleanups.push(() => ledger.close());
      const h = await hub('downlink', [`${base(gate)}/result`]);
      const { sync } = gateSync({ gate, ledger, mqtt: { downlink: { maxBytes: 64 * 1024 } } });
      const online = await hub('downlink-online', [`${base(gate)}/state`]);
      const up = nextMessage(online, (_t, b) => b.status === 'online');
      await sync.start();
      await up;
      const send = async (topic: string, payload: Buffer | string, retain = false) => {
        const answer = nextMessage(h, (_t, b) => (b.data as { ref: { topic: string } }).ref.topic === topic, 5000);
        await h.publishAsync(topic, payload, { qos: 1, retain });
        return (await answer).body.data as { result: string; reasons: Array<{ code: string }>; currentVersion?: number; ref: Record<string, unknown> };
      };
      const site = `checkpoint/v1/${SITE}/cmd`;
      const mine = `${base(gate)}/cmd`;
      expect((await send(`${site}/roster`, fixture('roster-v1.json'))).result).toBe('applied');
      expect((await send(`${mine}/roster/delta`, fixture('roster-delta-v2.json'))).result).toBe('applied');
      for (const [kind, file] of [['zone', 'zone-v3.json'], ['risk-areas', 'risk-areas-v1.json'], ['revocations', 'revocations-v1.json'], ['policy', 'policy-v1.json']] as const) {
        const r = await send(`${mine}/${kind}`, fixture(file));
        expect(r.result, kind).toBe('applied');
      }
      const healthAnswer = await send(`${mine}/health`, fixture('health-v1.json'));
      if (ledger.applyHealth) expect(healthAnswer.result).toBe('applied');
      else expect(healthAnswer.reasons.map((x) => x.code)).toEqual(['kind.unsupported']);
      expect(ledger.rosterVersion()).toBe(2);
      expect(ledger.policy()).toMatchObject({ zoneLevel: 'controlled', riskAreas: ['武汉市江汉区', '上海市浦东新区'] });
      expect(ledger.policy().revokedCards).toContain('card-2');

      const before = JSON.stringify({ roster: ledger.rosterStats(), policy: ledger.policy(), states: ledger.policyStates() });
      const huge = JSON.stringify({ site: SITE, version: 99, areas: Array.from({ length: 10_000 }, (_, i) => `area-${i}`) });
      const bad: Array<[string, string | Buffer, string]> = [
        [`${mine}/zone`, fixture('bad-malformed.txt'), 'payload.malformed'],
        [`${mine}/zone`, fixture('bad-wrong-schema.json'), 'payload.schema'],
        [`${mine}/zone`, JSON.stringify({ site: SITE, version: 2, level: 'sealed' }), 'version.old'],
        [`${mine}/risk-areas`, huge, 'payload.too-large'],
        [`${mine}/zone`, fixture('bad-wrong-site.json'), 'site.wrong'],
        [`${site}/roster`, fixture('roster-v1.json'), 'version.old'],
      ];
      for (const [topic, payload, code] of bad) {
        const r = await send(topic, payload);
        expect(r.result, code).toBe('rejected');
        expect(r.reasons.map((x) => x.code), code).toContain(code);
      }
      expect(JSON.stringify({ roster: ledger.rosterStats(), policy: ledger.policy(), states: ledger.policyStates() })).toBe(before);

      // A retained snapshot comes back on every reconnect: applied once, then silently kept.
      expect((await send(`${mine}/zone`, JSON.stringify({ site: SITE, version: 4, level: 'precaution' }), true)).result).toBe('applied');
      const results: unknown[] = [];
      h.on('message', (_t, p) => results.push(JSON.parse(p.toString())));
      await sync.stop();
      const again = gateSync({ gate, ledger });
      const up2 = nextMessage(online, (_t, b) => b.status === 'online');
      await again.sync.start();
      await up2;
      await new Promise((r) => setTimeout(r, 500));
      expect(results).toEqual([]);
      expect(ledger.policy().zoneLevel).toBe('precaution');
      // The hub clears its retained command the MQTT way (an empty retained publish): taken silently.
      // The next command's answer is the first one after it (answers keep the order of the commands).
      await h.publishAsync(`${mine}/zone`, '', { qos: 1, retain: true });
      expect(await send(`${mine}/zone`, JSON.stringify({ site: SITE, version: 5, level: 'controlled' }))).toMatchObject({ result: 'applied' });
      expect(results.map((r) => (r as { data: { result: string } }).data.result)).toEqual(['applied']);
      await again.sync.stop();
    }, 45_000);

    it('announces Home Assistant discovery and re-announces on Home Assistant\'s birth message', async () => {
      const gate = 'gate-e';
      const ledger = openTestLedger({ gate });
      cleanups.push(() => ledger.close());
      const h = await hub('ha', ['homeassistant/#']);
      const configs: Array<{ topic: string; body: Record<string, unknown> }> = [];
      h.on('message', (topic, p) => {
        if (topic.endsWith('/config') && topic.includes(`/checkpoint_${SITE}_${gate}/`) && p.length > 0) configs.push({ topic, body: JSON.parse(p.toString()) });
      });
      const { ctx, sync } = gateSync({ gate, ledger, mqtt: { homeAssistant: { enabled: true } } });
      const expected = discoveryMessages({ prefix: 'homeassistant', topics: topicTree({ root: 'checkpoint', site: SITE, gate }), site: SITE, siteName: ctx.config.site.name, gate, gateName: ctx.config.gate.name, lanes: [], software: VERSION });
      const until = async (n: number) => {
        const t0 = Date.now();
        while (configs.length < n) {
          if (Date.now() - t0 > 5000) throw new Error(`got ${configs.length} of ${n} discovery messages`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await sync.start();
      await until(expected.length);
      expect(new Set(configs.map((c) => c.topic))).toEqual(new Set(expected.map((m) => m.topic)));
      const entries = configs.find((c) => c.topic.includes('/entries/'))?.body;
      expect(entries).toMatchObject({ state_topic: `${base(gate)}/counts`, availability: { topic: `${base(gate)}/state` }, device: { identifiers: [expect.any(String)] } });
      await h.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await until(2 * expected.length);
      expect(configs.length).toBe(2 * expected.length);
      // Clear the retained discovery so a later run starts clean.
      for (const m of expected) await h.publishAsync(m.topic, '', { qos: 1, retain: true });
      await sync.stop();
    });

    it('sends a fever or red-code alert ahead of the backlog, during and after an outage', async () => {
      const gate = 'gate-f';
      const ledger = openTestLedger({ gate });
      cleanups.push(() => ledger.close());
      const hubC = await hub('alerts', [`${base(gate)}/passages`, `${base(gate)}/alerts`], false);
      const seen = new DedupHub(false);
      hubC.on('message', (t, p) => seen.take(t, p));
      const { ctx, sync } = gateSync({ gate, ledger, mqtt: { drain: { batch: 200, inflight: 50 } } });
      await broker.stop();
      try {
        for (let i = 0; i < 2000; i++) record(ledger, ctx);
        const red = passage({ outcome: 'refused', colour: 'red', alerts: [{ id: `red-${process.pid}`, kind: 'code-red', severity: 'critical', lane: 'main', text: { zh: '红码', en: 'Red code' }, at: Date.now() }] });
        record(ledger, ctx, red);
        for (let i = 0; i < 2000; i++) record(ledger, ctx);
        await sync.start();
      } finally {
        await broker.start();
      }
      await seen.until(1, 20_000);
      expect(seen.order[0]?.kind).toBe('alert');
      // While the backlog drains, a new fever alert overtakes what is left of it.
      await seen.until(600, 20_000);
      const mark = seen.unique;
      const feverP = passage({ outcome: 'refused', alerts: [fever(`fever-${process.pid}`)] });
      const feverSeq = record(ledger, ctx, feverP);
      // 4002 passages (with the red-code one) + the red alert, then the fever passage and its alert.
      await seen.until(4004, 30_000);
      const at = seen.order.findIndex((o) => o.kind === 'alert' && o.seq > feverSeq);
      const lastBacklog = seen.order.findIndex((o) => o.kind === 'passage' && o.seq === 4002);
      expect(at).toBeGreaterThan(mark - 1);
      expect(lastBacklog - at).toBeGreaterThan(2000);
      console.info(`[${name}] fever alert recorded with ${mark} messages at the hub arrived as message ${at + 1}, ahead of ${lastBacklog - at} backlog passages`);
      await sync.stop();
    }, 60_000);

    it('at the outbox cap raises an alarm on the bus and in the logs, keeps every record, and sends them all once the hub is back', async () => {
      const gate = 'gate-g';
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, new Writable({
          write: (chunk, _e, cb) => {
            lines.push(chunk.toString());
            cb();
          },
        }));
      const ctx0 = makeCtx({ gate });
      const ledger = openTestLedger({ gate, outboxCap: 100, bus: ctx0.bus });
      cleanups.push(() => ledger.close());
      const hubC = await hub('cap', [`${base(gate)}/passages`, `${base(gate)}/alerts`], false);
      const seen = new DedupHub(false);
      hubC.on('message', (t, p) => seen.take(t, p));
      const { ctx, sync } = gateSync({ gate, ledger, logger });
      // The ledger's alerts go to the same bus as the sync's.
      ctx0.bus.on('alert.raised', (a) => ctx.bus.emit('alert.raised', a));
      ctx0.bus.on('ledger.changed', (a) => ctx.bus.emit('ledger.changed', a));
      const raised: Alert[] = [];
      const states: Array<{ detail?: string }> = [];
      ctx.bus.on('alert.raised', ({ alert }) => raised.push(alert));
      ctx.bus.on('sync.state', (s) => states.push(s));
      await broker.stop();
      try {
        await sync.start();
        for (let i = 0; i < 150; i++) record(ledger, ctx);
        const t0 = Date.now();
        while (!sync.state().outboxFull && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
        expect(sync.state().outboxFull).toBe(true);
        expect(raised.map((a) => a.kind)).toContain('outbox-full');
        expect(states.some((s) => s.detail === 'outbox-full')).toBe(true);
        expect(lines.some((l) => l.includes('"level":50') && l.includes('outbox is at its cap'))).toBe(true);
        // Above the cap nothing is refused or dropped.
        for (let i = 0; i < 10; i++) record(ledger, ctx);
        expect(ledger.passages({ limit: 1000 })).toHaveLength(160);
        expect(ledger.outboxDepth()).toBe(161);
      } finally {
        await broker.start();
      }
      await seen.until(161, 20_000).catch((err) => {
        throw new Error(`${(err as Error).message}; hub connected ${hubC.connected}, recorder saw ${captured.filter((c) => c.topic.includes('/gate-g/')).length}; sync ${JSON.stringify(sync.state())}; log: ${lines.slice(-8).join('')}`);
      });
      expect(seen.order.filter((o) => o.kind === 'passage')).toHaveLength(160);
      expect(seen.order[0]?.kind).toBe('alert');
      const t1 = Date.now();
      while (sync.state().outboxFull && Date.now() - t1 < 30_000) await new Promise((r) => setTimeout(r, 20));
      expect(sync.state().outboxFull).toBe(false);
      expect(lines.some((l) => l.includes('outbox is below its cap again'))).toBe(true);
      await sync.stop();
    }, 45_000);

    it('a daemon stopped mid-drain on a stalled link: "offline/shutdown" first, sync stopped before the ledger closes, no error logged, nothing acknowledged sent again', async () => {
      const gate = 'gate-k';
      const rows = 300;
      let ledger = openTestLedger({ gate });
      const path = ledger.path;
      cleanups.push(() => ledger.close());
      const watcher = await hub('slow-stop', [`${base(gate)}/state`, `${base(gate)}/passages`]);
      const seen = new DedupHub(false);
      const states: Array<Record<string, unknown>> = [];
      watcher.on('message', (t, p) => (t.endsWith('/state') ? states.push(JSON.parse(p.toString())) : seen.take(t, p)));
      const proxy = await tcpProxy(broker.port);
      cleanups.push(() => proxy.close());
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, new Writable({
          write(chunk, _e, done) {
            lines.push(String(chunk));
            done();
          },
        }));
      const errors = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50).map((l) => l.msg);
      const g = gateSync({ gate, ledger, url: `${broker.url.split(':')[0]}://127.0.0.1:${proxy.port}`, logger, mqtt: { drain: { batch: 50, inflight: 20 } } });
      // The daemon's order: the store (it closes the ledger) started first, sync after; stopped in
      // reverse within a budget shorter than the sync's own, as when the kiosk took the rest.
      const daemon = new Lifecycle({ logger, stopBudgetMs: 1400 }).add({ name: 'store', start: () => {}, stop: () => ledger.close() }).add(g.sync);
      const online = nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'online');
      await daemon.start();
      await online;
      // The link stalls towards the gate: the broker has the first 20 rows, their PUBACKs wait.
      proxy.holdToGate();
      for (let i = 0; i < rows; i++) record(ledger, g.ctx);
      await seen.until(20, 20_000);
      // Stopped mid-drain: the hub hears "offline/shutdown" first (not the will's "lost"); then the
      // link delivers the PUBACKs owed while the sync stops.
      const bye = nextMessage(watcher, (t, b) => t.endsWith('/state') && b.status === 'offline', 10_000);
      const stopped = daemon.stop();
      expect((await bye).body).toMatchObject({ status: 'offline', reason: 'shutdown' });
      proxy.releaseToGate();
      await stopped;
      // Restart on the same file: the 20 acknowledged rows were recorded as sent before the ledger
      // closed; the rest arrives, nothing the gate saw acknowledged comes a second time.
      ledger = openTestLedger({ gate, path });
      expect(ledger.outboxDepth()).toBe(rows - 20);
      const h = gateSync({ gate, ledger, logger });
      await h.sync.start();
      await seen.until(rows, 30_000);
      await h.sync.stop();
      expect(seen.unique).toBe(rows);
      expect(seen.duplicates).toBe(0);
      expect(errors()).toEqual([]);
      expect(states.filter((s) => s.status === 'offline').map((s) => s.reason)).toEqual(['shutdown', 'shutdown']);
    }, 60_000);

    for (const restart of [false, true]) {
      it(`outage: ${OUTAGE_PASSAGES} passages recorded while the broker is down all reach the hub in order, deduplicated to exactly ${OUTAGE_PASSAGES}${restart ? ', with the daemon restarted mid-drain' : ''}`, async () => {
        const gate = restart ? 'gate-i' : 'gate-h';
        let ledger = openTestLedger({ gate });
        const path = ledger.path;
        cleanups.push(() => ledger.close());
        const hubC = await hub(`outage-${gate}`, [`${base(gate)}/passages`], false);
        const seen = new DedupHub(true);
        hubC.on('message', (t, p) => seen.take(t, p));
        // The gate reaches the broker through a TCP proxy: the link can be held down until the hub is
        // back (aedes may interleave a restored session's queue with live messages), and cut with
        // PUBACKs still owed in the restart run.
        const proxy = await tcpProxy(broker.port);
        cleanups.push(() => proxy.close());
        const url = `${broker.url.split(':')[0]}://127.0.0.1:${proxy.port}`;
        let g = gateSync({ gate, ledger, url });
        await g.sync.start();
        proxy.held = true;
        // The hub's reconnect after the outage, before the gate's (the next 'connect' is that one).
        const hubBack = new Promise<void>((resolve, reject) => {
          // Bounded only to fail with a message: a loaded CI machine took longer than 15 s (TLS, a broker restart).
          const t = setTimeout(() => reject(new Error('the hub did not reconnect within 60 s')), 60_000);
          hubC.once('connect', () => {
            clearTimeout(t);
            resolve();
          });
        });
        hubBack.catch(() => undefined);
        await broker.stop();
        const t0 = Date.now();
        try {
          for (let i = 0; i < OUTAGE_PASSAGES; i++) record(ledger, g.ctx);
        } finally {
          await broker.start();
        }
        await hubBack;
        proxy.held = false;
        const recordMs = Date.now() - t0;
        if (restart) {
          await seen.until(Math.floor(OUTAGE_PASSAGES / 3), 30_000);
          // Cut the link mid-drain (PUBACKs lost), then stop the sync, close the ledger, reopen the same file.
          proxy.dropAll();
          await g.sync.stop();
          ledger.close();
          ledger = openTestLedger({ gate, path });
          expect(ledger.outboxDepth()).toBeGreaterThan(0);
          expect(ledger.outboxDepth()).toBeLessThan(OUTAGE_PASSAGES);
          g = gateSync({ gate, ledger, url });
          await g.sync.start();
        }
        const t1 = Date.now();
        await seen.until(OUTAGE_PASSAGES, 90_000);
        const drainMs = Date.now() - t1;
        const t2 = Date.now();
        while (ledger.outboxDepth() > 0 && Date.now() - t2 < 30_000) await new Promise((r) => setTimeout(r, 20));
        expect(ledger.outboxDepth()).toBe(0);
        expect(seen.problems).toEqual([]);
        expect(seen.unique).toBe(OUTAGE_PASSAGES);
        expect([...(seen.seen.get(gate) ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: OUTAGE_PASSAGES }, (_, i) => i + 1));
        expect(seen.order.map((o) => o.seq)).toEqual(Array.from({ length: OUTAGE_PASSAGES }, (_, i) => i + 1));
        console.info(`[${name}] outage${restart ? ' + restart' : ''}: recorded ${OUTAGE_PASSAGES} in ${recordMs} ms, hub had all ${drainMs} ms after ${restart ? 'the restart' : 'the broker came back'}, duplicates dropped ${seen.duplicates}`);
        await g.sync.stop();
      }, 240_000);
    }

    it('every message the hub received matches its schema in docs/asyncapi.yaml', async () => {
      // Leave out what the tests forged on purpose: the ACL test's messages and the hub's bad commands.
      const fromGates = captured.filter((c) => !c.topic.includes('/cmd/') && !/\/gate-[ab]\//.test(c.topic) && c.topic !== 'homeassistant/status');
      const r = await validateCaptured(fromGates.map((c) => ({ topic: c.topic, payload: c.payload })));
      console.info(`[${name}] validated ${Object.values(r.checked).reduce((a, b) => a + b, 0)} captured messages: ${JSON.stringify(r.checked)}`);
      expect(r.unmatched).toEqual([]);
      expect(r.errors).toEqual([]);
      // All the kinds this suite produced were checked, not just a few.
      for (const ch of ['state', 'counts', 'passages', 'alerts', 'reports', 'result', 'haDiscovery']) expect(r.checked[ch] ?? 0, ch).toBeGreaterThan(0);
    });
  });
}

export type { Sync };
