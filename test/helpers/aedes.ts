// The embedded broker under the same TestBroker interface as Mosquitto. An outage closes the
// listener and drops connections but keeps the aedes instance, so sessions survive as they do
// in a Mosquitto with persistence.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { TestBroker } from './mosquitto.js';

export async function startAedes(): Promise<TestBroker & { aedes: Aedes }> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    const a = s.address();
    port = typeof a === 'object' && a ? a.port : port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const c of sockets) c.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  return {
    name: 'aedes',
    aedes,
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    options: (user) => ({ username: user }),
    stop,
    start,
    async close() {
      await stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
