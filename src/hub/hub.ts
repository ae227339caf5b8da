// The hub's composition root: storage, ingest, MQTT receiver, resend asker, API, systemd notify and
// watchdog, started in order and stopped in reverse. Only the CLI imports this file.
import { mkdirSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { buildApi } from './api.js';
import type { HubConfig } from './config.js';
import { type DeclareFeature, declareFeature } from './declare/feature.js';
import { Ingest } from './ingest.js';
import { createNotifier, type Feature, Lifecycle, lockDataDir, VERSION, Watchdog, watchdogIntervalMs } from './kernel.js';
import { startOffice } from './office/start.js';
import type { LiveFeed } from './office/live.js';
import { createReceiver, type Receiver } from './receiver.js';
import { ResendAsker } from './resend.js';
import type { Range } from './seqs.js';
import { type OpenedDb, openHubDb } from './storage/open.js';
import { purgeOlderThan } from './storage/purge.js';
import { HubReader } from './storage/read.js';
import { HubWriter } from './storage/write.js';
import { apiToken } from './token.js';

export interface StartHubOptions {
  config: HubConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Extra mqtt.js options (tests: a CA file's content, credentials). */
  clientOptions?: Partial<IClientOptions>;
}

export interface RunningHub {
  apiUrl: string | undefined;
  token: string;
  tokenFile: string | undefined;
  storage: { engine: string; where: string };
  ingest: Ingest;
  reader: HubReader;
  receiver: Receiver;
  /** Absent when hub.resend.enabled is false. */
  asker: ResendAsker | undefined;
  /** The office's screens' URL, when served. */
  officeUrl: string | undefined;
  /** The admin's one-time password, made at the first start (print it once); else undefined. */
  adminPassword: string | undefined;
  live: LiveFeed | undefined;
  /** The health-declaration page (declare.enabled). */
  declare: DeclareFeature;
  stop(): Promise<void>;
}

/**
 * How long a burst short of hub.storage.batchRows waits for more while messages come faster than
 * bursts commit (Ingest's lingerMs): at 15,000 msg/s into PostgreSQL bursts were 200 rows, eight
 * times the commits of full ones; a trickle never waits.
 */
const LINGER_MS = 30;

export async function startHub(o: StartHubOptions): Promise<RunningHub> {
  const { config, logger } = o;
  const env = o.env ?? process.env;
  const started = Date.now();
  const dataDir = config.hub.storage.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const lifecycle = new Lifecycle({ logger });
  const notifier = createNotifier(env);
  let unlock = () => {};
  let opened: OpenedDb | undefined;
  let ingest: Ingest | undefined;
  let receiver: Receiver | undefined;
  let asker: ResendAsker | undefined;
  let apiUrl: string | undefined;
  let watchdog: Watchdog | undefined;
  const { token, file: tokenFile } = apiToken(config.api.token, dataDir);
  const f = (name: string, start: () => Promise<void> | void, stop: () => Promise<void> | void): Feature => ({ name, start, stop });

  lifecycle.add(
    f(
      'lock',
      () => {
        unlock = lockDataDir(dataDir, { name: 'hub', unit: 'checkpoint-hub' });
      },
      () => unlock(),
    ),
  );
  lifecycle.add(
    f(
      'storage',
      async () => {
        opened = await openHubDb({ url: config.hub.storage.url, dataDir, poolSize: config.hub.storage.poolSize });
        logger.info({ engine: opened.engine, where: opened.where }, 'hub storage open');
      },
      async () => opened?.close(),
    ),
  );
  lifecycle.add(
    f(
      'ingest',
      () => {
        const db = opened as OpenedDb;
        ingest = new Ingest({
          writer: new HubWriter(db.db, db.engine, { batchRows: config.hub.storage.batchRows, rejectsMax: config.hub.storage.rejectsMax }),
          classify: { root: config.mqtt.topicRoot, sites: new Set(config.hub.sites), gates: new Set(config.hub.gates), maxBytes: config.hub.limits.maxPayloadBytes },
          batchRows: config.hub.storage.batchRows,
          concurrency: db.engine === 'postgres' ? 2 : 1,
          lingerMs: LINGER_MS,
          queueMax: config.hub.limits.queueMax,
          perGatePerSecond: config.hub.limits.perGatePerSecond,
          logger: logger.child({ part: 'ingest' }),
          pressure: { highWater: Math.max(8000, 4 * config.hub.storage.batchRows), pause: () => receiver?.pause(), resume: () => receiver?.resume() },
        });
        // A gate's answer to a resend request names the seqs its ledger no longer has.
        ingest.onCommitted(({ records }) => {
          for (const r of records) {
            if (r.table !== 'downlink_results') continue;
            const ref = r.data.ref as { kind?: string } | undefined;
            const gone = r.data.gone as Range[] | undefined;
            if (ref?.kind === 'resend' && Array.isArray(gone) && gone.length) ingest?.gone(r.site, r.gate, r.ledger, gone);
          }
        });
      },
      async () => ingest?.stop(1500),
    ),
  );
  lifecycle.add(
    f(
      'mqtt',
      async () => {
        receiver = createReceiver({ config, logger, env, onMessage: (t, p) => ingest?.push(t, p), ...(o.clientOptions ? { clientOptions: o.clientOptions } : {}) });
        await receiver.start();
      },
      async () => receiver?.stop(),
    ),
  );
  const reader = () => new HubReader((opened as OpenedDb).db);
  lifecycle.add(
    f(
      'resend',
      () => {
        if (!config.hub.resend.enabled) return;
        const r = reader();
        asker = new ResendAsker({
          histories: () => r.histories(),
          publish: (t, b) => (receiver as Receiver).publish(t, b),
          connected: () => receiver?.connected() === true,
          root: config.mqtt.topicRoot,
          intervalMs: config.hub.resend.intervalMs,
          maxPerRequest: config.hub.resend.maxPerRequest,
          logger: logger.child({ part: 'resend' }),
        });
        asker.start();
      },
      () => asker?.stop(),
    ),
  );
  let purgeTimer: NodeJS.Timeout | undefined;
  lifecycle.add(
    f(
      'retention',
      () => {
        const run = () => {
          const cutoff = Date.now() - config.hub.storage.retentionDays * 86_400_000;
          purgeOlderThan((opened as OpenedDb).db, cutoff).then(
            (removed) => logger.info({ removed, cutoff }, 'purged records past the retention'),
            (err: Error) => logger.warn({ err: err.message }, 'could not purge old records; trying again tomorrow'),
          );
        };
        // First a minute after start (not on the start's path), then daily.
        purgeTimer = setTimeout(function again() {
          run();
          purgeTimer = setTimeout(again, 86_400_000).unref();
        }, 60_000).unref();
      },
      () => clearTimeout(purgeTimer),
    ),
  );
  let api: ReturnType<typeof buildApi> | undefined;
  let adminPassword: string | undefined;
  let live: LiveFeed | undefined;
  lifecycle.add(
    f(
      'api',
      async () => {
        if (!config.api.enabled) return;
        const db = opened as OpenedDb;
        api = buildApi({
          reader: reader(),
          token,
          status: () => ({
            hub: config.hub.name,
            version: VERSION,
            sites: config.hub.sites,
            storage: { engine: db.engine, where: db.where },
            mqtt: { url: config.mqtt.url, connected: receiver?.connected() === true, filters: receiver?.filters() ?? [] },
            ingest: ingest?.stats,
            resendRequests: asker?.requests ?? 0,
            startedAt: started,
          }),
        });
        if (config.office.enabled) {
          const office = await startOffice({ app: api, db: db.db, reader: reader(), ingest: ingest as Ingest, config, logger: logger.child({ part: 'office' }), publish: (t, b, p) => (receiver as Receiver).publish(t, b, { retain: p?.retain ?? true }), onWordSent: (sent) => declare.wordSent(sent), declarationAudit: (q) => declare.store()?.audit(q) });
          adminPassword = office.adminPassword;
          live = office.live;
        }
        const addr = await api.listen({ host: config.api.host, port: config.api.port });
        apiUrl = addr.replace('[::1]', 'localhost');
      },
      async () => api?.close(),
    ),
  );
  const declare = declareFeature({ config: config.declare, sites: config.hub.sites, topicRoot: config.mqtt.topicRoot, dataDir, db: () => opened as OpenedDb, publish: (t, b, p) => (receiver as Receiver).publish(t, b, p), logger: logger.child({ part: 'declare' }) });
  lifecycle.add(declare);
  lifecycle.add(
    f(
      'systemd',
      () => {
        const every = watchdogIntervalMs(env);
        if (every) {
          watchdog = new Watchdog({ notifier, intervalMs: every });
          watchdog.start();
        }
        notifier.ready(`hub ${config.hub.name} ready`);
      },
      () => {
        notifier.stopping();
        watchdog?.stop();
        notifier.close();
      },
    ),
  );
  await lifecycle.start();
  logger.info({ ms: Date.now() - started, api: apiUrl }, 'hub ready');
  const db = opened as OpenedDb;
  return {
    apiUrl,
    token,
    tokenFile,
    storage: { engine: db.engine, where: db.where },
    ingest: ingest as Ingest,
    reader: reader(),
    receiver: receiver as Receiver,
    asker,
    officeUrl: config.office.enabled && apiUrl ? `${apiUrl}/office/` : undefined,
    adminPassword,
    live,
    declare,
    stop: () => lifecycle.stop(),
  };
}
