// The declaration page as one feature of the hub: its tables, its signing key (the site key the gates
// trust for GD1 codes), its own listener (the only part of the hub meant to face the internet, behind
// a TLS reverse proxy, docs/hub.md), the downlink to the gates and the purge.
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadOrCreateKeys } from '../../cards/keystore.js';
import type { Feature } from '../../kernel/feature.js';
import type { DeclarationRecord } from '../../store/declaration-types.js';
import type { OpenedDb } from '../storage/open.js';
import type { DeclareConfig } from './config.js';
import { DeclarationsPublisher } from './publish.js';
import { declarePlugin } from './server.js';
import { DeclarationStore, migrateDeclare } from './storage.js';

export interface DeclareFeatureOptions {
  config: DeclareConfig;
  /** hub.sites: the page declares for `config.site` or the first of them. */
  sites: string[];
  topicRoot: string;
  dataDir: string;
  db: () => OpenedDb;
  publish: (topic: string, body: string, opts: { retain: boolean }) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

export interface DeclareFeature extends Feature {
  url(): string | undefined;
  store(): DeclarationStore | undefined;
  publisher(): DeclarationsPublisher | undefined;
}

export function declareFeature(o: DeclareFeatureOptions): DeclareFeature {
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let store: DeclarationStore | undefined;
  let publisher: DeclarationsPublisher | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  const now = o.now ?? Date.now;
  return {
    name: 'declare',
    url: () => url,
    store: () => store,
    publisher: () => publisher,
    async start() {
      if (!o.config.enabled) return;
      const site = o.config.site ?? o.sites[0];
      if (!site || !o.sites.includes(site)) throw new Error(`declare.site "${site}" is not one of hub.sites (${o.sites.join(', ')})`);
      const { db, engine, where } = o.db();
      // SQLite: the page's commits (and their disk syncs) run in a worker thread on the same file.
      store = new DeclarationStore(await migrateDeclare(db as never, engine), engine === 'sqlite' ? { file: where } : {});
      const keys = loadOrCreateKeys(join(o.dataDir, 'declare-keys'));
      // The gates trust this key for declaration codes: add it to their cards.trustedKeys.
      o.logger.info({ kid: keys.kid, publicKey: keys.publicKeyRaw, created: keys.created }, 'declaration signing key (gates: cards.trustedKeys)');
      const s = store;
      publisher = new DeclarationsPublisher({ site, topicRoot: o.topicRoot, liveJson: (t) => s.liveJson(site, t), publish: o.publish, logger: o.logger, now });
      app = Fastify({ logger: false, trustProxy: o.config.trustProxy, bodyLimit: o.config.limits.bodyBytes });
      const p = publisher;
      await app.register(declarePlugin, { config: o.config, site, store, keys, now, onCreated: (_d: DeclarationRecord) => p.schedule() });
      url = (await app.listen({ host: o.config.host, port: o.config.port })).replace('[::1]', 'localhost');
      publisher.schedule();
      const purge = async () => {
        const n = await s.purge(now(), o.config.retentionDays);
        if (n) o.logger.info({ deleted: n }, 'declarations past their retention deleted');
        p.schedule();
      };
      purgeTimer = setInterval(() => void purge().catch((err) => o.logger.error({ err }, 'declaration purge failed')), 3_600_000);
      purgeTimer.unref();
      await purge();
      o.logger.info({ url, site }, 'declaration page ready');
    },
    async stop() {
      clearInterval(purgeTimer);
      await app?.close();
      await publisher?.stop();
      await store?.close();
    },
  };
}
