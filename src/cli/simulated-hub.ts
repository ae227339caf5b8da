// The village hub beside the simulated gate (`gate run --simulation`, `npm start`): the same code as
// `gate hub`, reading the embedded broker, its SQLite database in the gate's data folder. A scan at
// the gate shows up in the hub's API a moment later.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GateKeySet } from '../cards/gate-setup.js';
import { loadOrCreateKeys, trustedKeys } from '../cards/keystore.js';
import { newDeclarationId } from '../gate/credentials/declaration.js';
import { residentIdCheckDigit } from '../gate/credentials/resident-id.js';
import { declarationCodes } from '../hub/declare/server.js';
import type { DeclarationRecord } from '../store/declaration-types.js';
import { validateAgainst } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type HubConfig, HubConfigSchema } from '../hub/config.js';
import type { RunningHub } from '../hub/hub.js';

export const SIMULATED_HUB_PORT = 8090;
export const SIMULATED_DECLARE_PORT = 8091;

export async function startSimulatedHub(o: { gate: Config; brokerUrl: string; dataDir: string; logger: Logger }): Promise<RunningHub> {
  const { startHub } = await import('../hub/hub.js');
  const make = (port: number) => {
    const { config, problems } = validateAgainst<HubConfig>(HubConfigSchema, {
      hub: { name: 'simulation', sites: [o.gate.site.id], storage: { dataDir: `${o.dataDir}/hub` }, resend: { intervalMs: 2000 } },
      // The embedded broker (aedes) speaks MQTT 3.1.1.
      mqtt: { url: o.brokerUrl, topicRoot: o.gate.mqtt.topicRoot, protocolVersion: 4 },
      api: { host: '127.0.0.1', port },
      // The health-declaration page (docs/declare.md), on loopback: open it in a browser as a phone would.
      declare: { enabled: true, host: '127.0.0.1', port: port === 0 ? 0 : SIMULATED_DECLARE_PORT, siteName: o.gate.site.name, areas: ['杭州市西湖区', '杭州市余杭区', '宁波市海曙区'], riskAreas: ['某市某区（中风险）'] },
    });
    if (!config) throw new Error(`simulated hub config: ${problems.join('; ')}`);
    return config;
  };
  // The gate's process talks to systemd, not the hub inside it.
  const env = { ...process.env, NOTIFY_SOCKET: '', WATCHDOG_USEC: '' };
  const logger = o.logger.child({ daemon: 'hub' });
  try {
    return await startHub({ config: make(SIMULATED_HUB_PORT), logger, env });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && !/EADDRINUSE/.test(String((err as Error).message))) throw err;
    logger.warn({ ports: [SIMULATED_HUB_PORT, SIMULATED_DECLARE_PORT] }, 'a hub port (API or declaration page) is busy; using free ports');
    return startHub({ config: make(0), logger, env });
  }
}

/**
 * The demo of a health declaration: the gate trusts the page's key (as an installer adds it to
 * cards.trustedKeys), one household's declaration is stored on the hub as a phone would send it (and
 * goes down to the gate), and its codes are written to <gate data dir>/demo-declaration.txt for
 * `gate sim scan <code>`. Returns that file's path.
 */
export async function seedDemoDeclaration(o: { hub: RunningHub; gate: { keys: GateKeySet }; site: string; hubDataDir: string; gateDataDir: string }): Promise<string | undefined> {
  const store = o.hub.declare.store();
  const publisher = o.hub.declare.publisher();
  if (!store || !publisher) return undefined;
  const keys = loadOrCreateKeys(join(o.hubDataDir, 'declare-keys'));
  for (const [kid, key] of trustedKeys(undefined, [{ kid: keys.kid, publicKey: keys.publicKeyRaw }])) o.gate.keys.trusted.set(kid, key);
  const now = Date.now();
  const person = (name: string, first17: string) => ({ name, idNumber: first17 + residentIdCheckDigit(first17), phone: '13912345678', origin: '杭州市西湖区', travel: [], host: '1号楼101 张桂兰', purpose: '探亲', symptoms: [] });
  const d: DeclarationRecord = { id: newDeclarationId(), kind: 'visit', issuedAt: now, expiresAt: now + 24 * 3_600_000, members: [person('孙访客', '33010619880423041'), person('孙小雨', '33010620150806052')] };
  await store.insert(o.site, d, 'simulation');
  publisher.schedule(0);
  const codes = declarationCodes(d, o.site, keys);
  const file = join(o.gateDataDir, 'demo-declaration.txt');
  const lines = [
    '# A demo health declaration (simulation): 孙访客 and 孙小雨 visiting 1号楼101, declared on the hub\'s page.',
    '# Scan the household code (the kiosk opens the registration prefilled), or one person\'s:',
    '#   gate sim scan "$(sed -n 4p var/demo-declaration.txt)"',
    codes.household ?? codes.persons[0] ?? '',
    ...codes.persons,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
