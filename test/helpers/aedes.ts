// The embedded broker (src/sync/broker.ts) under the same TestBroker interface as Mosquitto, with
// the same users and topic rules (src/sync/access.ts). An outage suspends the listener and drops
// connections but keeps the aedes instance, so sessions survive as in a Mosquitto with persistence.
import { startEmbeddedBroker } from '../../src/sync/broker.js';
import { accessPolicy, type MosquittoOptions, PASSWORD, type TestBroker } from './mosquitto.js';

export async function startAedes(o: MosquittoOptions = { gates: ['gate-a', 'gate-b'] }): Promise<TestBroker> {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, access: accessPolicy(o) });
  return {
    name: 'aedes',
    url: broker.url,
    port: broker.port,
    options: (user) => ({ username: user, password: PASSWORD }),
    stop: () => broker.suspend(),
    start: () => broker.resume(),
    close: () => broker.close(),
  };
}
