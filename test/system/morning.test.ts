// The whole appliance on a scripted morning at the gate, checked only from the outside.
//
// Real parts: the daemon (`gate run`, as systemd would start it), device simulators on
// pseudo-terminals (a serial scanner, a line thermometer, a Modbus RTU thermometer) opened by its
// real serial drivers, a real Mosquitto with TLS, passwords and the gate's ACL, and the kiosk in
// real Chromium where the volunteer taps. The roster comes in through `gate roster import`, the
// cards through `gate card issue`, and the ledger goes out through `gate export`.
//
// The morning: residents in and out; a fever with a re-measure; a visitor registered on the kiosk,
// escorted, then signed out at the gate; a home-quarantined resident trying to leave; the broker
// down for part of it; the scanner unplugged and plugged back; the hub raising the zone level to
// sealed. Then: every decision, every alert at the hub, the counts, the export — and no loss.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSignIn, launchKioskBrowser } from '../../bench/kiosk.js';
import { type PtyDevice, startPtyDevice } from '../../hardware-mocks/pty.js';
import { type RunningDaemon, GATE_BIN, startDaemon } from '../helpers/daemon.js';
import { PASSWORD, startMosquitto } from '../helpers/mosquitto.js';
import { decodeQrModules, qrModulesFromSvgPath } from '../helpers/qr.js';
import { tempDir } from '../helpers/temp-dir.js';

const SITE = 'test-village';
const GATE = 'east-gate';
const BASE = `checkpoint/v1/${SITE}/${GATE}`;
const PIN = '86420135';

interface HubMessage {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

let dir: string;
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let scanner: PtyDevice;
let lineThermo: PtyDevice;
let modbusThermo: PtyDevice;
let daemon: RunningDaemon;
let hub: MqttClient;
const heard: HubMessage[] = [];
let browser: Awaited<ReturnType<typeof launchKioskBrowser>>;
let page: Page;
const tokens = new Map<string, string>();

function gate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [GATE_BIN, ...args, '--config', join(dir, 'config.yaml')], { cwd: dir, timeout: 30_000, env: { ...process.env, GATE_MQTT_PASSWORD: PASSWORD } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Today in the site's zone, for the roster's dates and the export's range. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const inDays = (n: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + n * 86_400_000));

function writeRoster(file: string): void {
  const rows = [
    '户号,姓名,身份证号,联系电话,住址/门牌,网格,类别,是否租户,隔离状态,隔离截止,健康码,核酸日期,是否接种疫苗,卡号,车牌',
    `A-001,王建国,330102195603120018,13805710001,东村1组12号,第一网格,独居老人,否,无,,绿,${today()},是,card-0001,`,
    `A-002,李秀兰,330102196008180029,13805710002,东村1组14号,第一网格,,否,无,,绿,${today()},是,card-0002,`,
    `B-001,赵磊,330102199002280057,13905710003,西村2组3号,第二网格,,否,居家隔离,${inDays(7)},绿,${today()},是,card-0003,`,
    `B-002,陈小明,33010219960915003X,13905710004,西村2组5号,第二网格,,是,无,,绿,${today()},是,card-0004,`,
  ];
  writeFileSync(file, `${rows.join('\n')}\n`);
}

/** The last decided passage on the kiosk, once it differs from `previous`. */
async function nextDecision(previous: string): Promise<{ id: string; outcome: string; reasons: string[] }> {
  const card = page.getByTestId('passage');
  await expect
    .poll(async () => {
      const id = await card.getAttribute('data-passage');
      const outcome = await card.getAttribute('data-outcome');
      return id !== previous && outcome !== 'pending' && outcome !== 'none' ? 'decided' : `${id}/${outcome}`;
    }, { timeout: 10_000, interval: 100 })
    .toBe('decided');
  const id = (await card.getAttribute('data-passage')) as string;
  const outcome = (await card.getAttribute('data-outcome')) as string;
  const reasons = await card.locator('[data-code]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code') as string));
  // The verdict fills the screen for the person at the gate; the volunteer taps it away to go on.
  const verdict = page.locator(`[data-testid="verdict"][data-passage="${id}"]`);
  // (It may have gone by itself after kiosk.verdictSeconds on a slow machine.)
  if (await verdict.count()) await verdict.click({ timeout: 2000 }).catch(() => {});
  return { id, outcome, reasons };
}

const shown = async () => (await page.getByTestId('passage').getAttribute('data-passage')) ?? '';
/** The kiosk card's passage and outcome, e.g. 'p-12/refused'. */
const cardState = async () => {
  const card = page.getByTestId('passage');
  return `${await card.getAttribute('data-passage')}/${await card.getAttribute('data-outcome')}`;
};

/**
 * A scan on the serial scanner, then wait until the kiosk shows it taken: the card changed (a new
 * passage, or the reading-first passage it joined moved on). Not "any passage pending": that can be
 * a passage the scan has nothing to do with.
 */
async function scan(text: string): Promise<void> {
  const before = await cardState();
  await scanner.sendScan(text);
  await expect.poll(cardState, { timeout: 10_000, interval: 50 }).not.toBe(before);
}

/**
 * The volunteer taps 下一位进/出 and the gate has taken it before anyone scans: the tap is a request
 * from the browser, and a scan sent right after the click reached the gate first on a loaded machine
 * (taken in the old direction; the direction then refused as "busy").
 */
async function direction(dir: 'in' | 'out'): Promise<void> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/lanes\/[^/]+\/direction$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: dir === 'in' ? /下一位进/ : /下一位出/ }).click();
  expect(await (await answer).json()).toEqual({ accepted: true });
}

function hubMessages(kind: string): Array<Record<string, unknown>> {
  return heard.filter((m) => m.topic === `${BASE}/${kind}`).map((m) => m.body);
}

/** What an outbox message carries (passages, alerts: {v, site, gate, seq, kind, at, data}). */
const data = (m: Record<string, unknown>) => (m.data ?? {}) as Record<string, unknown>;

/** Ask the hub to wait until `n` messages of a kind have arrived. */
function hubHas(kind: string, n: number, timeout = 20_000) {
  return expect.poll(() => hubMessages(kind).length, { timeout, interval: 200 }).toBeGreaterThanOrEqual(n);
}

beforeAll(async () => {
  dir = tempDir('gate-morning-');
  broker = await startMosquitto({ site: SITE, gates: [GATE] });
  [scanner, lineThermo, modbusThermo] = await Promise.all([
    startPtyDevice({ kind: 'scanner', dir, name: 'scanner-1' }),
    startPtyDevice({ kind: 'line-thermometer', dir, name: 'thermo-line', preset: 'body' }),
    startPtyDevice({ kind: 'modbus-thermometer', dir, name: 'thermo-modbus', slaveId: 3, register: 1, scale: 0.1, holdMs: 700 }),
  ]);
  // The hub: a persistent session, so what it misses while the broker is down comes after.
  hub = mqtt.connect(broker.url, { ...broker.options('admin'), clientId: 'hub-morning', clean: false, reconnectPeriod: 300 });
  hub.on('message', (topic, payload, packet) => {
    try {
      heard.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain });
    } catch {
      heard.push({ topic, body: { unparsable: payload.toString() }, retain: packet.retain });
    }
  });
  await new Promise<void>((resolve, reject) => {
    hub.once('connect', () => hub.subscribe(`checkpoint/v1/${SITE}/#`, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    hub.once('error', reject);
  });

  const config = {
    simulation: false,
    site: { id: SITE, name: '测试村' },
    gate: { id: GATE, name: '东门' },
    lanes: [
      {
        id: 'main',
        name: '东门通道',
        direction: 'both',
        // The morning is compressed into seconds: the same slip goes in and out within one, so no re-read filter.
        scanners: [{ id: 'scanner-1', driver: 'serial', path: scanner.path, suffix: 'CR', dedupeWindowMs: 0 }],
        thermometers: [
          { id: 'thermo-line', driver: 'serial-line', path: lineThermo.path, preset: 'body' },
          { id: 'thermo-modbus', driver: 'modbus', path: modbusThermo.path, slaveId: 3, register: 1, scale: 0.1, pollMs: 150, timeoutMs: 300 },
        ],
        gpio: { driver: 'mock', relay: { line: 17 }, lampGreen: { line: 27 }, lampRed: { line: 22 }, buzzer: { line: 23 } },
      },
    ],
    kiosk: { port: 0, adminPin: undefined },
    mqtt: { url: broker.url, username: GATE, tls: { ca: broker.certs.ca }, embeddedBroker: { enabled: false }, countsDebounceMs: 200 },
  };
  writeFileSync(join(dir, 'config.yaml'), '');
  // Roster in and cards out with the operator's tools, before the daemon starts.
  const { stringify } = await import('yaml');
  const { testConfig } = await import('../helpers/daemon.js');
  writeFileSync(join(dir, 'config.yaml'), stringify(testConfig(dir, config)));
  writeRoster(join(dir, 'roster.csv'));
  const imported = await gate(['roster', 'import', join(dir, 'roster.csv')]);
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);
  for (const [card, household] of [
    ['card-0001', 'A-001'],
    ['card-0002', 'A-002'],
    ['card-0003', 'B-001'],
    ['card-0004', 'B-002'],
  ] as const) {
    const issued = await gate(['card', 'issue', '--type', 'person', '--id', card, '--household', household]);
    expect(issued.code, issued.stderr).toBe(0);
    tokens.set(card, (/GP1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(issued.stdout) ?? [''])[0]);
  }
  daemon = await startDaemon({ dir, config, env: { GATE_MQTT_PASSWORD: PASSWORD }, readyTimeoutMs: 20_000 });
  browser = await launchKioskBrowser({ width: 1280, height: 800 });
  page = browser.page;
  await firstRunSignIn(page, daemon.kioskUrl, PIN);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop('SIGTERM').catch(() => daemon?.child.kill('SIGKILL'));
  hub?.end(true);
  for (const d of [scanner, lineThermo, modbusThermo]) await d?.stop().catch(() => {});
  await broker?.close();
});

describe('a morning at the gate', () => {
  const decisions: Array<{ who: string; direction: 'in' | 'out'; id: string; outcome: string; reasons: string[] }> = [];

  it('is online at the hub with every device connected', async () => {
    await expect
      .poll(() => {
        const state = hubMessages('state').at(-1) as { status?: string; devices?: Array<{ id: string; state: string }> } | undefined;
        return state?.status === 'online' && state.devices?.length === 4 && state.devices.every((d) => d.state === 'connected');
      }, { timeout: 15_000 })
      .toBe(true);
  });

  it('lets residents in and out: reading, mask on the kiosk, green code from the roster, card on the scanner', async () => {
    // 王建国 in, measured by the line thermometer.
    let before = await shown();
    await direction('in');
    await lineThermo.sendTemperature(36.4);
    await page.getByTestId('mask').click();
    await scan(tokens.get('card-0001') as string);
    let d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'card-0001 in', direction: 'in', ...d });
    // 李秀兰 in, measured by the Modbus thermometer.
    before = d.id;
    await direction('in');
    await scan(tokens.get('card-0002') as string);
    await modbusThermo.sendTemperature(36.6);
    await page.getByTestId('mask').click();
    d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'card-0002 in', direction: 'in', ...d });
    // 王建国 out again (exits are not measured by default).
    before = d.id;
    await direction('out');
    await scan(tokens.get('card-0001') as string);
    d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'card-0001 out', direction: 'out', ...d });
  });

  it('asks for a re-measure at a fever reading and refuses after the second, with a fever alert at the hub', async () => {
    const before = await shown();
    await direction('in');
    await scan(tokens.get('card-0004') as string);
    await page.getByTestId('mask').click();
    await lineThermo.sendTemperature(38.1);
    await expect.poll(() => page.getByTestId('prompt').textContent(), { timeout: 10_000 }).toMatch(/复测|再测|re-?measure/i);
    await page.getByTestId('remeasure').click();
    await lineThermo.sendTemperature(38.3);
    const d = await nextDecision(before);
    expect(d.outcome).toBe('refused');
    expect(d.reasons.join(' ')).toMatch(/fever|temperature/);
    decisions.push({ who: 'card-0004 fever', direction: 'in', ...d });
    await expect.poll(() => hubMessages('alerts').some((a) => data(a).kind === 'fever'), { timeout: 15_000 }).toBe(true);
  });

  it('refuses a home-quarantined resident who tries to leave, and the hub hears of the breach', async () => {
    const before = await shown();
    await direction('out');
    await scan(tokens.get('card-0003') as string);
    const d = await nextDecision(before);
    expect(d.outcome).toBe('refused');
    expect(d.reasons.join(' ')).toMatch(/quarantine/);
    decisions.push({ who: 'card-0003 breach', direction: 'out', ...d });
    await expect.poll(() => hubMessages('alerts').some((a) => data(a).kind === 'quarantine-breach'), { timeout: 15_000 }).toBe(true);
  });

  it('registers a visitor on the kiosk, admits them escorted, and signs them out at the gate', async () => {
    await page.locator('[data-screen="visitors"]').click();
    const form = page.getByTestId('visitor-form');
    await form.locator('[name="name"]').fill('孙访客');
    await form.locator('[name="idNumber"]').fill('110101199003071233');
    await form.locator('[name="escort"]').fill('王建国');
    await form.locator('[name="hostHouseholdId"]').fill('A-001');
    await page.getByTestId('visitor-submit').click();
    // The slip opens in the page, with a way back.
    const slip = page.frameLocator('[data-testid="sheet-frame"]');
    const visitorId = (await slip.locator('.slip .id').textContent())?.trim();
    // The visitor shows the printed slip at the gate: the scanner reads its QR code.
    const slipQr = decodeQrModules(qrModulesFromSvgPath((await slip.locator('.qr svg path').getAttribute('d')) ?? ''));
    await page.getByTestId('sheet-back').click();
    expect(visitorId).toBeTruthy();
    expect(slipQr).toContain(visitorId as string);
    await page.locator('[data-screen="live"]').click();
    let before = await shown();
    await direction('in');
    await scan(slipQr);
    await lineThermo.sendTemperature(36.5);
    await page.getByTestId('mask').click();
    await page.getByTestId('colour-green').click();
    let d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'visitor in', direction: 'in', ...d });
    before = d.id;
    await direction('out');
    await scan(slipQr);
    d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'visitor out', direction: 'out', ...d });
    // Signed out (销号): nobody is left inside on the visitors screen.
    await page.locator('[data-screen="visitors"]').click();
    await expect.poll(() => page.getByTestId('inside').textContent(), { timeout: 10_000 }).toContain('没有访客');
    await page.locator('[data-screen="live"]').click();
  });

  it('keeps deciding while the broker is down, and the hub gets everything afterwards', async () => {
    // Live: before the outage the hub already has every decision so far (a reconnect, which sends
    // the outbox again from its head, must not be what delivers them).
    const missingAtHub = () => {
      const ids = new Set(hubMessages('passages').map((p) => String(data(p).id)));
      return decisions.filter((d) => !ids.has(d.id)).map((d) => d.who);
    };
    await expect.poll(missingAtHub, { timeout: 10_000, interval: 200 }).toEqual([]);
    await broker.stop();
    let before = await shown();
    for (const card of ['card-0002', 'card-0001']) {
      await direction(card === 'card-0002' ? 'out' : 'in');
      await scan(tokens.get(card) as string);
      if (card === 'card-0001') {
        await lineThermo.sendTemperature(36.3);
        await page.getByTestId('mask').click();
      }
      const d = await nextDecision(before);
      expect(d.outcome).toBe('admitted');
      decisions.push({ who: `${card} during outage`, direction: card === 'card-0002' ? 'out' : 'in', ...d });
      before = d.id;
    }
    await broker.start();
    await hubHas('passages', decisions.length, 30_000);
  });

  it('notices the scanner unplugged, tells the hub, and uses it again once it is back', async () => {
    await scanner.unplug();
    await expect
      .poll(() => (hubMessages('state').at(-1) as { devices?: Array<{ id: string; state: string }> } | undefined)?.devices?.find((d) => d.id === 'scanner-1')?.state, { timeout: 10_000 })
      .toBe('disconnected');
    await expect.poll(() => hubMessages('alerts').some((a) => data(a).kind === 'device-offline'), { timeout: 10_000 }).toBe(true);
    await scanner.replug();
    await expect
      .poll(() => (hubMessages('state').at(-1) as { devices?: Array<{ id: string; state: string }> } | undefined)?.devices?.find((d) => d.id === 'scanner-1')?.state, { timeout: 10_000 })
      .toBe('connected');
    const before = await shown();
    await direction('out');
    await scan(tokens.get('card-0002') as string);
    const d = await nextDecision(before);
    expect(d.outcome).toBe('admitted');
    decisions.push({ who: 'card-0002 out after replug', direction: 'out', ...d });
  });

  it('applies the zone level the hub raises to sealed, and then nobody leaves', async () => {
    hub.publish(`checkpoint/v1/${SITE}/cmd/zone`, JSON.stringify({ site: SITE, version: 100, id: 'zone-morning', level: 'sealed' }), { qos: 1 });
    await expect.poll(() => hubMessages('result').some((r) => JSON.stringify(r).includes('applied')), { timeout: 10_000 }).toBe(true);
    const before = await shown();
    await direction('out');
    await scan(tokens.get('card-0001') as string);
    const d = await nextDecision(before);
    expect(d.outcome).toBe('refused');
    expect(d.reasons.join(' ')).toMatch(/zone|sealed/);
    decisions.push({ who: 'card-0001 sealed', direction: 'out', ...d });
  });

  it('shows the same at the hub, in the counts and in the exported ledger, with nothing lost', async () => {
    await hubHas('passages', decisions.length, 20_000);
    const passages = hubMessages('passages');
    // Every decision reached the hub, once after deduplication by (gate, seq), with the same outcome.
    const bySeq = new Map(passages.map((p) => [p.seq as number, p]));
    expect(bySeq.size).toBe(decisions.length);
    const ids = new Map([...bySeq.values()].map((p) => [String(data(p).id), data(p)]));
    for (const d of decisions) {
      const p = ids.get(d.id);
      expect(p, `${d.who} (${d.id}) at the hub`).toBeDefined();
      expect(p?.outcome).toBe(d.outcome);
    }
    // Sequence numbers of everything the gate sent are gap-free.
    // (Outbox messages are the ones with a kind and data: passages, alerts, reports, results.)
    const seqs = heard.filter((m) => typeof m.body.seq === 'number' && m.body.gate === GATE && 'kind' in m.body && 'data' in m.body).map((m) => m.body.seq as number);
    const unique = [...new Set(seqs)].sort((a, b) => a - b);
    const missing = Array.from({ length: unique.at(-1)! - unique[0]! + 1 }, (_, i) => unique[0]! + i).filter((n) => !unique.includes(n));
    expect(missing, `outbox seqs at the hub: ${unique.join(',')}`).toEqual([]);
    // Personal data minimised: no names or ID numbers at the hub.
    expect(JSON.stringify(passages)).not.toMatch(/王建国|330102195603120018/);
    // Retained counts agree with the decisions.
    const entries = decisions.filter((d) => d.direction === 'in' && d.outcome === 'admitted').length;
    await expect.poll(() => (hubMessages('counts').at(-1) as { entries?: number } | undefined)?.entries, { timeout: 10_000 }).toBe(entries);
    // The kiosk shows them too.
    await expect.poll(() => page.getByTestId('counts').textContent(), { timeout: 10_000 }).toContain(`进 ${entries}`);
    // The exported ledger has every passage, masked.
    const out = join(dir, 'passages.csv');
    const exported = await gate(['export', '--what', 'passages', '--from', inDays(-1), '--to', inDays(1), '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = csv.trim().split('\n').slice(1);
    expect(rows).toHaveLength(decisions.length);
    expect(csv).not.toContain('330102195603120018');
  });
});
