// A real daemon in simulation for the kiosk tests: the SQLite ledger in a temp dir, mock devices,
// the real gate core and runtime, and the kiosk listening on a free loopback port. Composed here
// until the composition root (src/app/app.ts, startApp) is committed; then switch to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EventBus } from '../../src/app/bus.js';
import type { AppContext } from '../../src/app/feature.js';
import { GateRuntime } from '../../src/app/gate-runtime.js';
import { simulationConfig } from '../../src/app/simulation.js';
import { createGateFromConfig } from '../../src/cards/gate-setup.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createDevices } from '../../src/devices/manager.js';
import { residentIdCheckDigit } from '../../src/gate/credentials/resident-id.js';
import { issueToken } from '../../src/gate/credentials/token.js';
import type { Ledger } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { buildKiosk, createKioskFeature } from '../../src/ui/kiosk.js';

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

export interface Harness {
  kioskUrl: string;
  config: Config;
  ctx: AppContext;
  ledger: Ledger;
  runtime: GateRuntime;
  devices: ReturnType<typeof createDevices>;
  /** GP1 tokens of the seeded household cards, by card id. */
  tokens: Record<string, string>;
  /** Stops the kiosk and starts a new one on the same port (a daemon restart, as the page sees it). */
  restartKiosk(): Promise<void>;
  stop(): Promise<void>;
}

function compose(over: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-'));
  const config = testConfig({ storage: { path: join(dir, 'gate.db') }, cards: { keyDir: join(dir, 'keys') }, ...over });
  const bus = new EventBus();
  const ctx: AppContext = { config, bus, logger: pino({ level: 'silent' }), clock: { now: () => Date.now(), synced: () => true, mono: () => performance.now() }, dataDir: dir };
  const ledger = openLedger({ path: config.storage.path, clock: ctx.clock, gateId: config.gate.id, siteId: config.site.id, timeZone: config.site.timezone, onChange: (what) => bus.emit('ledger.changed', { what }), onAlert: (alert) => bus.emit('alert.raised', { alert }) });
  const now = Date.now();
  seed(ledger, now);
  const { core, keys } = createGateFromConfig({ ctx, keyDir: config.cards.keyDir });
  const devices = createDevices({ ctx, lanes: config.lanes });
  const runtime = new GateRuntime({ ctx, core, ledger, lanes: config.lanes.map((l) => ({ id: l.id, name: l.name ?? l.id, direction: l.direction })), devices: () => devices.health(), sync: () => ({ enabled: false, connected: false, outboxDepth: ledger.outboxDepth() }) });
  const tokens: Record<string, string> = {};
  for (const id of ['hh-001', 'hh-002']) tokens[id] = issueToken({ t: 'household', id, hh: id, site: config.site.id, kid: keys.own.kid, iat: Math.floor(now / 1000) }, keys.own.privateKey);
  return { dir, config, ctx, ledger, keys, devices, runtime, tokens };
}

/** The kiosk's fastify instance without listening, over a real ledger and gate (inject tests). */
export async function injectHarness(over: Record<string, unknown> = {}) {
  const h = compose(over);
  h.runtime.start();
  const app = await buildKiosk({ ctx: h.ctx, runtime: h.runtime, ledger: h.ledger, devices: h.devices, keys: h.keys });
  return {
    ...h,
    app,
    async stop() {
      await app.close();
      h.runtime.stop();
      h.ledger.close();
      rmSync(h.dir, { recursive: true, force: true });
    },
  };
}

export async function startHarness(over: Record<string, unknown> = {}): Promise<Harness> {
  const h = compose(over);
  await h.devices.start();
  h.runtime.start();
  const deps = { ctx: h.ctx, runtime: h.runtime, ledger: h.ledger, devices: h.devices, keys: h.keys };
  let kiosk = createKioskFeature(deps);
  await kiosk.start();
  const kioskUrl = kiosk.url();
  return {
    kioskUrl,
    async restartKiosk() {
      await kiosk.stop();
      const port = Number(new URL(kioskUrl).port);
      kiosk = createKioskFeature({ ...deps, ctx: { ...h.ctx, config: { ...h.config, kiosk: { ...h.config.kiosk, port } } } });
      await kiosk.start();
    },
    config: h.config,
    ctx: h.ctx,
    ledger: h.ledger,
    runtime: h.runtime,
    devices: h.devices,
    tokens: h.tokens,
    async stop() {
      await kiosk.stop();
      h.runtime.stop();
      await h.devices.stop();
      h.ledger.close();
      rmSync(h.dir, { recursive: true, force: true });
    },
  };
}
