// The hub's declaration page alone in its own process for bench/declare.ts (the phones are other
// machines: the load generator must not share the page's event loop). Prints its URL on stdout.
import { generateKeyPairSync } from 'node:crypto';
import Fastify from 'fastify';
import pino from 'pino';
import { validateAgainst } from '../src/config/load.js';
import { publicKeyToRaw } from '../src/gate/credentials/token.js';
import { type DeclareConfig, DeclareConfigSchema } from '../src/hub/declare/config.js';
import { DeclarationsPublisher } from '../src/hub/declare/publish.js';
import { declarePlugin } from '../src/hub/declare/server.js';
import { DeclarationStore, migrateDeclare } from '../src/hub/declare/storage.js';
import { openHubDb } from '../src/hub/storage/open.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: declare-server.js <data dir>');
const opened = await openHubDb({ dataDir: dir });
const store = new DeclarationStore(await migrateDeclare(opened.db as never, opened.engine), { file: opened.where });
// Every phone comes from 127.0.0.1 here: the per-address limit is lifted so that it measures the page, not the limit.
const { config } = validateAgainst<DeclareConfig>(DeclareConfigSchema, { enabled: true, areas: ['杭州市西湖区'], riskAreas: ['某市某区（中风险）'], limits: { perAddressPerMinute: 100_000 } });
if (!config) throw new Error('bench declare config invalid');
let bytes = 0;
const publisher = new DeclarationsPublisher({ site: 'demo-village', topicRoot: 'checkpoint', liveJson: (t) => store.liveJson('demo-village', t), publish: async (_t, body) => {
    bytes += body.length;
  }, logger: pino({ level: 'silent' }), now: Date.now });
const keys = generateKeyPairSync('ed25519');
const app = Fastify({ logger: false });
await app.register(declarePlugin, { config, site: 'demo-village', store, keys: { kid: 'hk1', privateKey: keys.privateKey, publicKeyRaw: publicKeyToRaw(keys.publicKey) }, onCreated: () => publisher.schedule() });
app.get('/bench/published', async () => ({ snapshots: publisher.published, bytes }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => publisher.stop()).then(() => store.close()).then(() => opened.close()).then(() => process.exit(0));
});
