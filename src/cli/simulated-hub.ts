// The village hub beside the simulated gate (`gate run --simulation`, `npm start`): the same code as
// `gate hub`, reading the embedded broker, its SQLite database in the gate's data folder. A scan at
// the gate shows up in the hub's API a moment later.
import type { Logger } from 'pino';
import { validateAgainst } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type HubConfig, HubConfigSchema } from '../hub/config.js';
import type { RunningHub } from '../hub/hub.js';

export const SIMULATED_HUB_PORT = 8090;

export async function startSimulatedHub(o: { gate: Config; brokerUrl: string; dataDir: string; logger: Logger }): Promise<RunningHub> {
  const { startHub } = await import('../hub/hub.js');
  const make = (port: number) => {
    const { config, problems } = validateAgainst<HubConfig>(HubConfigSchema, {
      hub: { name: 'simulation', sites: [o.gate.site.id], storage: { dataDir: `${o.dataDir}/hub` }, resend: { intervalMs: 2000 } },
      // The embedded broker (aedes) speaks MQTT 3.1.1.
      mqtt: { url: o.brokerUrl, topicRoot: o.gate.mqtt.topicRoot, protocolVersion: 4 },
      api: { host: '127.0.0.1', port },
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
    logger.warn({ port: SIMULATED_HUB_PORT }, 'hub API port busy; using a free port');
    return startHub({ config: make(0), logger, env });
  }
}
