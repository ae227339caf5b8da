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
import { RiskAreas } from './risk-areas.js';
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
  /** The office sent an update to the gates: a risk-area list for the page's site is the page's from now on. */
  wordSent(sent: { site: string; kind: string }): void;
  store(): DeclarationStore | undefined;
  publisher(): DeclarationsPublisher | undefined;
}

export function declareFeature(o: DeclareFeatureOptions): DeclareFeature {
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let store: DeclarationStore | undefined;
  let publisher: DeclarationsPublisher | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let riskAreas: RiskAreas | undefined;
  let site: string | undefined;
  const now = o.now ?? Date.now;
  return {
    name: 'declare',
    url: () => url,
    store: () => store,
    publisher: () => publisher,
    wordSent(sent) {
      if (sent.site === site && sent.kind === 'risk-areas') riskAreas?.refresh();
    },
    async start() {
      if (!o.config.enabled) return;
      const own = o.config.site ?? o.sites[0];
      if (!own || !o.sites.includes(own)) throw new Error(`declare.site "${own}" is not one of hub.sites (${o.sites.join(', ')})`);
      site = own;
      const { db, engine, where } = o.db();
      // SQLite: the page's commits (and their disk syncs) run in a worker thread on the same file.
      store = new DeclarationStore(await migrateDeclare(db as never, engine), engine === 'sqlite' ? { file: where } : {});
      const keys = loadOrCreateKeys(join(o.dataDir, 'declare-keys'));
      // The gates trust this key for declaration codes: add it to their cards.trustedKeys.
      o.logger.info({ kid: keys.kid, publicKey: keys.publicKeyRaw, created: keys.created }, 'declaration signing key (gates: cards.trustedKeys)');
      const s = store;
      // The outcome the phone is told: from the risk-area list the office last sent the site's gates.
      const risk = new RiskAreas({ fromConfig: o.config.riskAreas, read: () => s.sentRiskAreas(own), now });
      riskAreas = risk;
      publisher = new DeclarationsPublisher({ site: own, topicRoot: o.topicRoot, liveJson: (t) => s.liveJson(own, t), publish: o.publish, logger: o.logger, now });
      app = Fastify({ logger: false, trustProxy: o.config.trustProxy, bodyLimit: o.config.limits.bodyBytes });
      const p = publisher;
      await app.register(declarePlugin, { config: o.config, site: own, store, keys, now, riskAreas: () => risk.current(), onCreated: (_d: DeclarationRecord) => p.schedule() });
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
      o.logger.info({ url, site: own }, 'declaration page ready');
    },
    async stop() {
      clearInterval(purgeTimer);
      await app?.close();
      await publisher?.stop();
      await store?.close();
    },
  };
}
