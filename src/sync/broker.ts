// The embedded broker (aedes on a plain TCP server) for simulation and demos: zero setup, loopback.
// A real deployment points mqtt.url at the hub's broker instead (docs/mqtt.md). With `access`, it
// enforces the same users and topic rules as the Mosquitto ACL a hub installs (./access.ts).
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { type AccessPolicy, checkPassword, mayPublish, maySubscribe, type Rules, rulesFor } from './access.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** Closes client connections, the listener and the broker. */
  close(): Promise<void>;
  /** Stops listening and drops every connection, keeping sessions and retained messages (an outage). */
  suspend(): Promise<void>;
  /** Listens again on the same port after suspend(). */
  resume(): Promise<void>;
}

function accessHandlers(policy: AccessPolicy): Partial<AedesOptions> {
  const rules = new WeakMap<Client, Rules>();
  return {
    authenticate(client, username, password, done) {
      const user = checkPassword(policy, username, password);
      if (!user) {
        const err = Object.assign(new Error('Bad user name or password'), { returnCode: 4 as const });
        return done(err, false);
      }
      rules.set(client, rulesFor(policy, user));
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      // client is null for an old last will aedes publishes on its own behalf.
      if (!client) return callback(null);
      const r = rules.get(client);
      if (!r || !mayPublish(r, packet.topic)) return callback(new Error(`Not authorised to publish to ${packet.topic}`));
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const r = rules.get(client);
      callback(null, r && maySubscribe(r, sub.topic) ? sub : null);
    },
  };
}

export async function startEmbeddedBroker(opts: { host?: string; port?: number; access?: AccessPolicy } = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker(opts.access ? accessHandlers(opts.access) : {});
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = opts.port ?? 1883;
  const listen = async () => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(`The embedded MQTT broker cannot listen on ${host}:${port}: ${err.code ?? err.message}. Choose another mqtt.embeddedBroker.port (0 = any free port).`));
      });
      s.listen(port, host, () => resolve());
    });
    const address = s.address();
    if (typeof address === 'object' && address) port = address.port;
    server = s;
  };
  const suspend = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const c of sockets) c.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  try {
    await listen();
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `mqtt://${urlHost}:${port}`,
    port,
    suspend,
    resume: async () => {
      if (!server) await listen();
    },
    async close() {
      await suspend();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
