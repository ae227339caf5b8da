// A visitor's health declaration end to end, every part real and in one process: the hub's page takes
// the form from the phone, publishes the site's declarations to the gate over MQTT (the simulated
// gate's embedded broker), the lane's scanner reads the code off the phone, the kiosk pushes the
// prefilled registration, the volunteer admits the visitor with an escort, the visitor passes the lane
// with temperature, mask and green code, and the hub's ledger links the passage's visitor to the
// declaration.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/app.js';
import { simulationConfig } from '../../src/app/simulation.js';
import { loadOrCreateKeys } from '../../src/cards/keystore.js';
import { validateAgainst, validateConfig } from '../../src/config/load.js';
import type { Passage } from '../../src/gate/model.js';
import { type HubConfig, HubConfigSchema } from '../../src/hub/config.js';
import { type RunningHub, startHub } from '../../src/hub/hub.js';
import type { SentWord } from '../../src/hub/office/downlinks.js';
import { decodeQrModules, qrModulesFromSvgPath } from '../helpers/qr.js';
import { tempDir } from '../helpers/temp-dir.js';
import { goodForm, RISK } from '../hub/declare-support.js';

let gate: RunningApp;
let hub: RunningHub;
let hubDir = '';
let cookie = '';

/** Resolves once `check` gives a value, looked at on every ledger change of the gate; fails after `ms`. */
function onGate<T>(check: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const v = check();
      if (v === undefined) return;
      off();
      clearTimeout(t);
      resolve(v);
    };
    const off = gate.ctx.bus.on('ledger.changed', look);
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    look();
  });
}

/** Resolves once `check` holds, looked at after each burst the hub commits. */
function onHub(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (!check()) return;
      off();
      clearTimeout(t);
      resolve();
    };
    const off = hub.ingest.onCommitted(look);
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    look();
  });
}

const kiosk = (method: 'GET' | 'POST', path: string, body?: unknown) =>
  fetch(`${gate.kioskUrl}${path}`, { method, headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(5000) });

async function sim(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const info = gate.simControl?.info;
  if (!info) throw new Error('the gate runs without its simulator control');
  const r = await fetch(`${info.url}/sim/${action}`, { method: 'POST', headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`sim ${action}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, unknown>;
}

/** The kiosk's live stream until an event named `name` arrives; its data. */
async function nextKioskEvent(name: string, start: () => Promise<void>): Promise<Record<string, unknown>> {
  const res = await fetch(`${gate.kioskUrl}/api/events`, { headers: { cookie }, signal: AbortSignal.timeout(15_000) });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  await start();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the kiosk's event stream ended before "${name}"`);
      buf += decoder.decode(value, { stream: true });
      const m = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(buf);
      if (m) return JSON.parse(m[1] as string);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

beforeAll(async () => {
  const gateDir = tempDir('declare-gate-');
  hubDir = tempDir('declare-hub-');
  // The hub's page key exists before the gate starts: the gate trusts it like a card the hub issues.
  const hubKey = loadOrCreateKeys(join(hubDir, 'declare-keys'));
  const { config: base, problems } = validateConfig({
    kiosk: { port: 0 },
    storage: { path: join(gateDir, 'gate.db') },
    cards: { keyDir: join(gateDir, 'keys'), trustedKeys: [{ kid: hubKey.kid, publicKey: hubKey.publicKeyRaw }] },
    mqtt: { embeddedBroker: { enabled: true, host: '127.0.0.1', port: 0 } },
  });
  if (!base) throw new Error(problems.join('\n'));
  const logger = pino({ level: 'silent' });
  gate = await startApp({ config: simulationConfig(base), logger, env: {} });
  gate.ledger.applyPolicy('risk-areas', 1, [RISK], 'test');
  const hubConfig = validateAgainst<HubConfig>(HubConfigSchema, {
    hub: { name: 'declare-test', sites: [gate.config.site.id], storage: { dataDir: hubDir }, resend: { enabled: false } },
    mqtt: { url: gate.brokerUrl, topicRoot: gate.config.mqtt.topicRoot, protocolVersion: 4, reconnectMs: 200 },
    api: { port: 0 },
    declare: { enabled: true, port: 0, siteName: '测试村', areas: ['杭州市西湖区'], riskAreas: [RISK] },
  });
  if (!hubConfig.config) throw new Error(hubConfig.problems.join('\n'));
  hub = await startHub({ config: hubConfig.config, logger, env: { NOTIFY_SOCKET: '', WATCHDOG_USEC: '' } });
  await hub.receiver.subscribed();
  const setup = await fetch(`${gate.kioskUrl}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '村书记', pin: '246810' }) });
  cookie = (/gate_session=[^;]+/.exec(setup.headers.get('set-cookie') ?? '') ?? [''])[0];
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await gate?.stop();
});

describe('a visitor declares on the phone and walks in', () => {
  it('phone → hub → gate → scanner → kiosk → admitted with escort → the hub links the visitor to the declaration', async () => {
    const page = hub.declare.url() as string;
    // The hub's first snapshot (empty) has reached the gate: what follows comes because of the phone.
    await onGate(() => (gate.ledger.declarations.version() > 0 ? true : undefined), 'the first declarations snapshot at the gate');
    // The phone: the form as the page sends it, then the result page with the code.
    const sent = await fetch(`${page}/api/declarations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(goodForm()) });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const { id, url } = (await sent.json()) as { id: string; url: string };
    const result = await (await fetch(`${page}${url}`)).text();
    const code = decodeQrModules(qrModulesFromSvgPath(/<path transform="scale\(4\)" fill="#000" d="([^"]+)"/.exec(result)?.[1] ?? ''));
    expect(code).toMatch(/^GD1\./);

    // The downlink: the gate holds the declaration, in full, before anyone scans.
    const held = await onGate(() => gate.ledger.declarations.get(id), 'the declaration to reach the gate');
    expect(held.members[0]).toMatchObject({ name: '孙访客', phone: '13912345678', host: '3组12号 张家' });

    // The scanner reads the phone's screen; the kiosk is pushed the prefilled registration.
    let answer: Record<string, unknown> = {};
    const view = await nextKioskEvent('declaration', async () => {
      answer = await sim('scan', { text: code });
    });
    // `gate sim scan` answers with what the kiosk opened, as soon as it is open (no decision follows a declaration).
    expect(answer).toMatchObject({ ok: true, declaration: { ok: true, members: 1 } });
    expect(view).toMatchObject({ ok: true, lane: 'main', declaration: { id, kind: 'visit', source: 'downlink' } });
    expect((view.members as Array<Record<string, unknown>>)[0]).toMatchObject({ name: '孙*客', idTail: '1233', origin: '杭州市西湖区', host: '3组12号 张家', outcome: 'escort' });
    expect(gate.ledger.passages()).toHaveLength(0);
    // A tampered code: the kiosk refuses it and the simulator says so.
    expect(await sim('scan', { text: `${code.slice(0, -2)}${code.endsWith('AA') ? 'BB' : 'AA'}` })).toMatchObject({ declaration: { ok: false } });

    // The volunteer checks the person and registers them with an escort; the slip is theirs.
    const admitted = await kiosk('POST', '/api/declarations/members/0/admit', { code: view.code, escort: '李建国' });
    expect(admitted.status).toBe(201);
    const { visitor, slip } = (await admitted.json()) as { visitor: { id: string }; slip: string };

    // At the lane as any visitor: the slip, the temperature, the mask, the green code.
    const decided = new Promise<Passage>((resolve) => {
      const off = gate.ctx.bus.on('passage.decided', ({ passage }) => {
        off();
        resolve(passage);
      });
    });
    expect((await kiosk('POST', '/api/lanes/main/direction', { direction: 'in' })).status).toBe(200);
    await sim('scan', { text: slip });
    await sim('temperature', { celsius: 36.5 });
    expect((await kiosk('POST', '/api/lanes/main/mask', { worn: true })).status).toBe(200);
    expect((await kiosk('POST', '/api/lanes/main/colour', { colour: 'green' })).status).toBe(200);
    const passage = await decided;
    expect(passage.outcome).toBe('admitted');
    expect(passage.subject?.id).toBe(visitor.id);

    // The hub's ledger: the passage, and the visitor linked to the declaration.
    const hubDb = new Database(join(hubDir, 'hub.db'), { readonly: true });
    try {
      const linked = () => hubDb.prepare<[string], { data: string }>("SELECT data FROM visitor_events WHERE data LIKE '%' || ? || '%'").get(id);
      const passed = () => hubDb.prepare<[string], { n: number }>("SELECT count(*) AS n FROM passages WHERE data LIKE '%' || ? || '%'").get(visitor.id)?.n ?? 0;
      await onHub(() => linked() !== undefined && passed() === 1, 'the visitor and the passage at the hub');
      expect(JSON.parse(linked()?.data ?? '{}')).toMatchObject({ type: 'visitor.declared', visitorId: visitor.id, declaration: id, member: 0 });
    } finally {
      hubDb.close();
    }
    // The gate answered the downlink like every update.
    expect(await hub.reader.count('downlink_results')).toBeGreaterThanOrEqual(1);
  });

  it('the page tells the outcome from the risk-area list the office last sent the gates, and the gate agrees', async () => {
    const page = hub.declare.url() as string;
    const NEW = '某省某县（高风险）';
    const form = async () => (await (await fetch(`${page}/api/form`)).json()) as { riskAreas: string[]; riskAreasFrom: string; areas: string[] };
    // Until the office sends a list, the config's.
    expect(await form()).toMatchObject({ riskAreas: [RISK], riskAreasFrom: 'config' });

    // The duty officer authors a new list in the office and sends it to the site's gates.
    const office = `${hub.apiUrl}/office/api`;
    const login = await fetch(`${office}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: hub.adminPassword }) });
    expect(login.status, await login.clone().text()).toBe(200);
    const session = (/hub_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '') ?? [''])[0];
    const { csrf } = (await login.json()) as { csrf: string };
    const word = (path: string, body: unknown) => fetch(`${office}/word/${path}`, { method: 'POST', headers: { cookie: session, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const draft = { site: gate.config.site.id, kind: 'risk-areas', areas: NEW };
    // (The office sends only to gates it has heard from: this gate's passage reached the hub in the test above.)
    // The office numbers its update after what the gate reports holding (the list the test seeded as
    // version 1): wait until the gate's state says so, or the update would not be newer.
    await expect.poll(async () => ((await hub.reader.histories()).find((h) => h.gate === gate.config.gate.id)?.state?.versions as Record<string, number> | undefined)?.['risk-areas'], { timeout: 30_000, interval: 100 }).toBe(1);
    const preview = await word('preview', draft);
    expect(preview.status, await preview.clone().text()).toBe(200);
    const sent = await word('send', { ...draft, confirm: ((await preview.json()) as { confirm: string }).confirm });
    expect(sent.status, await sent.clone().text()).toBe(200);

    // The page now tells from the office's list: the old config area is no longer a risk, the new one is.
    expect(await form()).toMatchObject({ riskAreas: [NEW], riskAreasFrom: 'office' });
    expect((await form()).areas).toContain(NEW);
    const declare = async (origin: string, phone: string) => {
      const r = await fetch(`${page}/api/declarations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(goodForm({ origin, phone })) });
      expect(r.status, await r.clone().text()).toBe(201);
      const { id, url } = (await r.json()) as { id: string; url: string };
      return { id, html: await (await fetch(`${page}${url}`)).text() };
    };
    const fromNew = await declare(NEW, '13912340001');
    expect(fromNew.html).toContain('不得进入');
    expect(fromNew.html).toContain(NEW);
    expect((await declare(RISK, '13912340002')).html).not.toContain('不得进入');

    // The office's audit screen lists the page's audit: the declaration made and its result opened, no personal data.
    const audit = await fetch(`${office}/declarations/audit?declaration=${fromNew.id}`, { headers: { cookie: session } });
    expect(audit.status).toBe(200);
    const { enabled, entries } = (await audit.json()) as { enabled: boolean; entries: Array<Record<string, unknown>> };
    expect(enabled).toBe(true);
    expect(entries.map((e) => [e.action, e.declaration])).toEqual([
      ['view', `${fromNew.id.slice(0, 8)}…`],
      ['create', `${fromNew.id.slice(0, 8)}…`],
    ]);
    // Neither personal data nor the whole id (the key to the result page).
    expect(JSON.stringify(entries)).not.toMatch(new RegExp(`孙访客|13912340001|${fromNew.id}`));

    // The gate holds the same list, from the same downlink: the phone told what the gate will do.
    // First the gate's answer as the office shows it (a rejection says why), then the list itself.
    const { id } = (await sent.clone().json()) as { id: string };
    const answer = async () => {
      const { updates } = (await (await fetch(`${office}/word/history?kind=risk-areas`, { headers: { cookie: session } })).json()) as { updates: SentWord[] };
      return updates.find((u) => u.id === id)?.answers.map((a) => `${a.gate}:${a.result}${a.reasons.map((r) => ` ${r.code}`).join('')}`).join(',');
    };
    await expect.poll(answer, { timeout: 60_000, interval: 200 }).not.toMatch(/pending|^$/);
    expect(await answer()).toBe(`${gate.config.gate.id}:applied`);
    await onGate(() => (gate.ledger.policy().riskAreas.includes(NEW) ? true : undefined), 'the office\'s risk areas at the gate');
  });
});
