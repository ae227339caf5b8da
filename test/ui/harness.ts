// The kiosk under test. Browser tests run the real daemon in simulation (startApp: SQLite ledger in a
// temp dir, device simulators on pseudo-terminals, gate, embedded broker, sync, kiosk, simulator
// control) and drive its devices through the simulator control, as `gate sim` does. The inject tests
// compose the same parts without listening (buildKiosk).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type RunningApp, startApp } from '../../src/app/app.js';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { GateRuntime } from '../../src/runtime/gate-runtime.js';
import { simulationConfig } from '../../src/app/simulation.js';
import { createGateFromConfig } from '../../src/cards/gate-setup.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { mockDrivers } from '../../hardware-mocks/drivers.js';
import { DriverRegistry, realDrivers } from '../../src/devices/drivers.js';
import { createDevices } from '../../src/devices/manager.js';
import { residentIdCheckDigit } from '../../src/gate/credentials/resident-id.js';
import { issueToken } from '../../src/gate/credentials/token.js';
import type { Ledger } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { buildKiosk } from '../../src/ui/kiosk.js';

export const RISK_AREA = '某市某区（中风险）';
export const validId = (first17: string) => first17 + residentIdCheckDigit(first17);

export function testConfig(over: Record<string, unknown> = {}): Config {
  const { config, problems } = validateConfig({ kiosk: { port: 0 }, mqtt: { enabled: false }, ...over });
  if (!config) throw new Error(problems.join('\n'));
  const c = simulationConfig(config);
  c.mqtt.embeddedBroker.enabled = false;
  return c;
}

function seed(ledger: Ledger, now: number): void {
  ledger.applyRoster({
    households: [
      { id: 'hh-001', address: '1号楼101', grid: '第一网格', registeredResidents: 2, actualResidents: 2 },
      { id: 'hh-002', address: '1号楼203', grid: '第一网格', registeredResidents: 1, actualResidents: 1 },
    ],
    persons: [
      { id: 'p-001', householdId: 'hh-001', name: '张桂兰', idNumber: validId('33010619580312002'), phone: '13800001111', categories: ['elderly-alone'] },
      { id: 'p-002', householdId: 'hh-001', name: '李建国', idNumber: validId('33010619850704011'), phone: '13800002222' },
      { id: 'p-003', householdId: 'hh-002', name: '王秀英', idNumber: validId('33010619400121028') },
    ],
    cards: [
      { id: 'hh-001', type: 'household', householdId: 'hh-001', issuedAt: now },
      { id: 'hh-002', type: 'household', householdId: 'hh-002', issuedAt: now },
    ],
  });
  ledger.applyPolicy('risk-areas', 1, [RISK_AREA, '某省某县（高风险）']);
}

function compose(over: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-'));
  const config = testConfig({ storage: { path: join(dir, 'gate.db') }, cards: { keyDir: join(dir, 'keys') }, ...over });
  const bus = new EventBus<AppEvents>();
  const clock = { offset: 0 };
  const ctx: AppContext = { config, bus, logger: pino({ level: 'silent' }), clock: { now: () => Date.now() + clock.offset, synced: () => true, mono: () => performance.now() + clock.offset }, dataDir: dir };
  const ledger = openLedger({ path: config.storage.path, clock: ctx.clock, gateId: config.gate.id, siteId: config.site.id, timeZone: config.site.timezone, onChange: (what) => bus.emit('ledger.changed', { what }), onAlert: (alert) => bus.emit('alert.raised', { alert }) });
  const now = Date.now();
  seed(ledger, now);
  const { core, keys } = createGateFromConfig({ ctx, keyDir: config.cards.keyDir });
  const devices = createDevices({ ctx, lanes: config.lanes, drivers: new DriverRegistry(realDrivers, mockDrivers), toGate: (input) => runtime.input(input) });
  const runtime: GateRuntime = new GateRuntime({ ctx, core, ledger, door: (lane, actions) => devices.act(lane, actions), lanes: config.lanes.map((l) => ({ id: l.id, name: l.name ?? l.id, direction: l.direction })), devices: () => devices.health(), sync: () => ({ enabled: false, connected: false, outboxDepth: ledger.outboxDepth() }) });
  const tokens: Record<string, string> = {};
  for (const id of ['hh-001', 'hh-002']) tokens[id] = issueToken({ t: 'household', id, hh: id, site: config.site.id, kid: keys.own.kid, iat: Math.floor(now / 1000) }, keys.own.privateKey);
  return { dir, config, ctx, ledger, keys, devices, runtime, tokens, clock };
}

/** The kiosk's fastify instance without listening, over a real ledger and gate (inject tests). */
export async function injectHarness(over: Record<string, unknown> = {}) {
  const h = compose(over);
  h.runtime.start();
  const app = await buildKiosk({ ctx: h.ctx, runtime: h.runtime, ledger: h.ledger, devices: h.devices, keys: h.keys });
  return {
    ...h,
    app,
    /** Moves the wall clock of the ledger and the kiosk forward. */
    advance(ms: number) {
      h.clock.offset += ms;
    },
    async stop() {
      await app.close();
      h.runtime.stop();
      h.ledger.close();
      rmSync(h.dir, { recursive: true, force: true });
    },
  };
}

export interface Harness {
  kioskUrl: string;
  readonly app: RunningApp;
  readonly ledger: Ledger;
  /** GP1 tokens of the demo household cards hh-001 and hh-002. */
  tokens: Record<string, string>;
  /** Through the lane's simulated scanner (bytes on a pseudo-terminal), like `gate sim scan`. */
  scan(text: string): Promise<void>;
  /** Through the lane's simulated thermometer. */
  temperature(celsius: number): Promise<void>;
  /** Any simulator-control action (`unplug`, `replug`, `press` …), as `gate sim` sends it. */
  sim(action: string, body: Record<string, unknown>): Promise<void>;
  /** Stops the daemon and starts it again on the same data and kiosk port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `over`: config sections on top of the test's (e.g. `{ rules: { overrideGraceSeconds: 0 } }`). */
export async function startHarness(over: Record<string, unknown> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-app-'));
  const { config: base, problems } = validateConfig({ kiosk: { port: 0 }, storage: { path: join(dir, 'gate.db') }, cards: { keyDir: join(dir, 'keys') }, mqtt: { embeddedBroker: { enabled: true, host: '127.0.0.1', port: 0 } }, ...over });
  if (!base) throw new Error(problems.join('\n'));
  let config = simulationConfig(base);
  const logger = pino({ level: 'silent' });
  let app = await startApp({ config, logger, env: {} });
  const seedPolicy = () => {
    const version = Math.max(0, ...app.ledger.policyStates().filter((p) => p.kind === 'risk-areas').map((p) => p.version)) + 1;
    if (!app.ledger.policy().riskAreas.includes(RISK_AREA)) app.ledger.applyPolicy('risk-areas', version, [RISK_AREA, '某省某县（高风险）'], 'test');
  };
  seedPolicy();
  const kioskUrl = app.kioskUrl;
  const tokens: Record<string, string> = {};
  for (const id of ['hh-001', 'hh-002']) tokens[id] = issueToken({ t: 'household', id, hh: id, site: config.site.id, kid: app.keys.own.kid, iat: Math.floor(Date.now() / 1000) }, app.keys.own.privateKey);
  const sim = async (action: string, body: Record<string, unknown>) => {
    const info = app.simControl?.info;
    if (!info) throw new Error('the daemon runs without its simulator control');
    const r = await fetch(`${info.url}/sim/${action}`, { method: 'POST', headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`sim ${action}: ${r.status} ${await r.text()}`);
  };
  return {
    kioskUrl,
    get app() {
      return app;
    },
    get ledger() {
      return app.ledger;
    },
    tokens,
    sim,
    scan: (text) => sim('scan', { text }),
    temperature: (celsius) => sim('temperature', { celsius }),
    async restart() {
      await app.stop();
      config = { ...config, kiosk: { ...config.kiosk, port: Number(new URL(kioskUrl).port) } };
      app = await startApp({ config, logger, env: {} });
    },
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
