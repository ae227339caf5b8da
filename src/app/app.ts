// The composition root: storage → devices → gate → (embedded broker) → sync → kiosk, started in that
// order and stopped in reverse. Everything that touches the outside world is built here and nowhere
// else; the gate core stays pure.
import { get as httpGet } from 'node:http';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { colourVerifierFromConfig } from '../cards/colour-verifier.js';
import { type GateKeySet, createGateFromConfig } from '../cards/gate-setup.js';
import type { Config } from '../config/schema.js';
import { createDeviceAlerts, createDevices, type DeviceManager, DriverRegistry, realDrivers, usesMockDriver } from '../devices/index.js';
import { gateSeedFrom } from '../gate/seed.js';
import type { Ledger } from '../store/api.js';
import { createStoreFeature } from '../store/feature.js';
import { createWalBarrier } from '../store/wal-barrier.js';
import type { EmbeddedBroker } from '../sync/broker.js';
import { createSync, type Sync } from '../sync/sync.js';
import { createKioskFeature } from '../ui/kiosk.js';
import { EventBus } from '../kernel/bus.js';
import { type DaemonClock, daemonClock } from '../kernel/clock.js';
import type { Feature } from '../kernel/feature.js';
import { Lifecycle } from '../kernel/lifecycle.js';
import { createLogger } from '../kernel/logger.js';
import { portFree } from '../kernel/port.js';
import { createNotifier, type Notifier, watchdogIntervalMs } from '../kernel/sd-notify.js';
import { lockDataDir } from '../kernel/single-instance.js';
import { Watchdog } from '../kernel/watchdog.js';
import { GateRuntime } from '../runtime/gate-runtime.js';
import { ClockSync, recordClockCorrection } from './clock-sync.js';
import type { AppContext, AppEvents } from './context.js';
import { seedDemo } from './demo.js';
import { effectiveRules } from './effective-rules.js';
import { startSimControl, type SimControlServer } from './sim-control.js';

export interface StartAppOptions {
  config: Config;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  notifier?: Notifier;
  clock?: DaemonClock;
}

export interface RunningApp {
  config: Config;
  ctx: AppContext;
  kioskUrl: string;
  /** The broker the gate publishes to (the embedded one in simulation). */
  brokerUrl: string;
  ledger: Ledger;
  runtime: GateRuntime;
  devices: DeviceManager;
  sync: Sync;
  keys: GateKeySet;
  /** Simulation only: the loopback control `gate sim` talks to. */
  simControl?: SimControlServer;
  /** Milliseconds from startApp() to the kiosk answering. */
  startToReadyMs: number;
  stop(): Promise<void>;
}

/** A feature made of two functions, for the few steps that are not a module of their own. */
function step(name: string, start: () => Promise<void> | void, stop: () => Promise<void> | void = () => {}): Feature {
  return { name, start, stop };
}

export async function startApp(opts: StartAppOptions): Promise<RunningApp> {
  const started = performance.now();
  const { config } = opts;
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger(config.logging);
  const notifier = opts.notifier ?? createNotifier(env);
  const dataDir = resolve(dirname(config.storage.path));
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir, { name: 'gate', unit: 'checkpoint-gate' });
  try {
    return await compose({ ...opts, config, logger, notifier, dataDir, env, started, unlock });
  } catch (err) {
    unlock();
    throw err;
  }
}

interface ComposeOptions extends StartAppOptions {
  logger: Logger;
  notifier: Notifier;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  started: number;
  unlock: () => void;
}

async function compose(opts: ComposeOptions): Promise<RunningApp> {
  let { config } = opts;
  const { logger, notifier, dataDir, env, started } = opts;
  // Until NTP has synchronised (a Pi has no RTC), records are marked unsynced; when it does, the
  // correction goes to the hub through the outbox.
  let ledgerForCorrections: Ledger | undefined;
  const clockSync = opts.clock
    ? undefined
    : new ClockSync({
        assumeSynced: config.simulation,
        onSynced: (c) => {
          if (!ledgerForCorrections) return;
          recordClockCorrection(ledgerForCorrections, c);
          logger.info({ offsetMs: c.offsetMs, source: c.source }, 'clock synchronised; correction queued for the hub');
        },
        onLost: (source) => logger.warn({ source }, 'the clock is no longer synchronised; passages are marked so'),
        onError: (err) => logger.warn({ err }, 'could not check the clock synchronisation'),
      });
  const clock: DaemonClock = opts.clock ?? daemonClock(clockSync as ClockSync);
  // In simulation a busy kiosk port (another program on 8080) is not a reason to refuse to start.
  if (config.simulation && !(await portFree(config.kiosk.host, config.kiosk.port))) {
    logger.warn({ port: config.kiosk.port }, 'kiosk port busy; using a free port (simulation)');
    config = { ...config, kiosk: { ...config.kiosk, port: 0 } };
  }
  // Simulation: scanners and thermometers on pseudo-terminals, opened by the real serial drivers.
  // Loaded only in simulation (pseudo-terminal simulators from hardware-mocks/): a production start never loads them.
  const simDevices = config.simulation ? (await import('./sim-devices.js')).planSimDevices(config, dataDir, logger) : undefined;
  if (simDevices) config = { ...config, lanes: simDevices.lanes };
  const drivers = await driversFor(config);
  const bus = new EventBus<AppEvents>((event, err) => logger.error({ event, err }, 'a listener failed; the daemon goes on'));
  const ctx: AppContext = { config, bus, logger, clock, dataDir };
  const lifecycle = new Lifecycle({ logger });

  // Storage first: the gate core is seeded from what the ledger knows (who is inside).
  const store = createStoreFeature({ ctx });
  const ledger = store.ledger;
  ledgerForCorrections = ledger;
  const { core, keys } = createGateFromConfig({ ctx, keyDir: resolve(config.cards.keyDir), state: gateSeedFrom(ledger.insideState()) });
  if (config.simulation) seedDemo({ ledger, keys, config, dataDir, logger });

  let sync: Sync | undefined;
  let broker: EmbeddedBroker | undefined;
  const syncState = () => {
    const s = sync?.state();
    return s ? { enabled: s.enabled, connected: s.connected, outboxDepth: s.outboxDepth, brokerUrl: s.brokerUrl } : { enabled: false, connected: false, outboxDepth: ledger.outboxDepth() };
  };
  // Group commit (storage.synchronous GROUP): the WAL is fdatasynced before a decision is shown (the door moves at the commit).
  const barrier = config.storage.synchronous === 'GROUP' ? createWalBarrier(resolve(config.storage.path)) : undefined;

  // The scan's fast path, ordered, as direct calls (docs/architecture.md, one scan):
  //   scanner bytes → devices (framing, scan filter) → runtime.input → gate core (pure)
  //   → ledger (one transaction; the WAL synced with GROUP) → devices.act (relay, lamp, buzzer).
  // Everything else hears the decision on the bus afterwards (kiosk, sync, checkpointer).
  const devices = createDevices({ ctx, lanes: config.lanes, drivers, toGate: (input) => runtime.input(input) });
  const runtime: GateRuntime = new GateRuntime({
    ctx,
    core,
    ledger,
    ...(barrier ? { durable: (cb: (err?: Error) => void) => barrier.request(cb) } : {}),
    door: (lane, actions) => devices.act(lane, actions),
    lanes: config.lanes.map((l) => ({ id: l.id, name: l.name ?? l.id, direction: l.direction })),
    devices: () => devices.health(),
    sync: syncState,
    rules: () => effectiveRules(config.rules, ledger, logger),
  });

  let brokerUrl = config.mqtt.url;
  const embedded = config.mqtt.embeddedBroker;
  const brokerStep = step(
    'broker',
    async () => {
      // Loaded only when wanted: a gate that talks to the hub's broker never pays for aedes.
      const { startEmbeddedBroker } = await import('../sync/broker.js');
      try {
        broker = await startEmbeddedBroker({ host: embedded.host, port: embedded.port });
      } catch (err) {
        // A busy port in simulation is not worth refusing to start: take any free one and say so.
        if (embedded.port === 0) throw err;
        logger.warn({ port: embedded.port, err: (err as Error).message }, 'embedded broker port busy; using a free port');
        broker = await startEmbeddedBroker({ host: embedded.host, port: 0 });
      }
      brokerUrl = broker.url;
    },
    async () => {
      await broker?.close();
    },
  );

  lifecycle.add(store);
  // Not awaited: the first probe may take seconds (timedatectl); until it answers, records are marked unsynced.
  if (clockSync) lifecycle.add(step('clock', () => void clockSync.start(), () => clockSync.stop()));
  if (barrier) {
    // Other writes (visitors, roster, operator actions) reach the disk right after they commit.
    let off: (() => void) | undefined;
    lifecycle.add(
      step(
        'durability barrier',
        () => {
          off = bus.on('ledger.changed', ({ what }) => {
            if (what === 'visitors' || what === 'roster' || what === 'policy' || what === 'alerts') barrier.request(() => {});
          });
        },
        async () => {
          off?.();
          await barrier.close();
        },
      ),
    );
  }
  if (simDevices) lifecycle.add(step('device simulators', () => simDevices.start(), () => simDevices.stop()));
  // A device that goes away raises one alert per episode, committed like any other alert.
  lifecycle.add(createDeviceAlerts({ ctx, raise: (alert) => runtime.raiseAlert(alert) }));
  lifecycle.add(devices).add(runtime);
  const verifier = colourVerifierFromConfig(ctx);
  if (verifier) lifecycle.add(verifier);
  if (embedded.enabled) lifecycle.add(brokerStep);
  // Sync is built when it starts, so it can be pointed at the embedded broker's real port.
  lifecycle.add(
    step(
      'sync',
      async () => {
        sync = createSync({ ctx, ledger, devices: () => devices.health(), url: brokerUrl });
        await sync.start();
      },
      async () => {
        await sync?.stop();
      },
    ),
  );
  const kiosk = createKioskFeature({ ctx, runtime, ledger, devices, keys, sync: syncState });
  lifecycle.add(kiosk);
  let simControl: SimControlServer | undefined;
  if (config.simulation) {
    lifecycle.add(
      step(
        'simulator control',
        async () => {
          simControl = await startSimControl({ ctx, runtime, devices, ledger, keys, kioskUrl: kiosk.url(), brokerUrl, ...(simDevices ? { simDevices } : {}) });
        },
        async () => {
          await simControl?.close();
        },
      ),
    );
  }

  await lifecycle.start();
  const kioskUrl = kiosk.url();
  await waitUntilAnswering(`${kioskUrl}/healthz`, 5000);
  const startToReadyMs = performance.now() - started;
  notifier.ready(`kiosk ${kioskUrl}`);
  logger.info({ kioskUrl, brokerUrl, startToReadyMs: Math.round(startToReadyMs) }, 'ready');

  const interval = watchdogIntervalMs(env);
  const watchdog = interval ? new Watchdog({ notifier, intervalMs: interval }) : undefined;
  watchdog?.start();

  let stopping: Promise<void> | undefined;
  const app: RunningApp = {
    config,
    ctx,
    kioskUrl,
    brokerUrl,
    ledger,
    runtime,
    devices,
    sync: sync as Sync,
    keys,
    startToReadyMs,
    stop() {
      stopping ??= (async () => {
        notifier.stopping();
        watchdog?.stop();
        await lifecycle.stop();
        notifier.close();
        opts.unlock();
      })();
      return stopping;
    },
  };
  if (simControl) app.simControl = simControl;
  return app;
}

/**
 * The real drivers, and the mock ones from hardware-mocks/ when the simulation runs or a lane's config
 * names the mock driver (a bench without GPIO): only then is a file of hardware-mocks/ loaded.
 */
async function driversFor(config: Config): Promise<DriverRegistry> {
  if (!config.simulation && !usesMockDriver(config.lanes)) return new DriverRegistry(realDrivers);
  const { mockDrivers } = await import('../../hardware-mocks/drivers.js');
  return new DriverRegistry(realDrivers, mockDrivers);
}

/** READY=1 only once the kiosk actually answers HTTP, as the volunteer's browser would see it. */
async function waitUntilAnswering(url: string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      // node:http, not fetch: fetch loads undici, about 0.1 s of a start on a Pi-class CPU.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpGet(url, { timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('timeout', () => req.destroy(new Error('no answer within 1 s')));
        req.once('error', reject);
      });
      if (status >= 200 && status < 300) return;
      last = `HTTP ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`The kiosk did not answer at ${url} within ${limitMs} ms (${last})`);
}
