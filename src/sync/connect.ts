// mqtt.js client options from the config: TLS files, credentials, per-gate client id, last will.
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from './config.js';

export function defaultClientId(site: string, gate: string): string {
  return `gate-${site}-${gate}`;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`Cannot read the MQTT ${what} file ${path}: ${(err as Error).message}. Fix mqtt.tls in the config.`);
  }
}

export function clientOptions(opts: {
  mqtt: MqttConfig;
  site: string;
  gate: string;
  will: { topic: string; payload: string };
  env?: NodeJS.ProcessEnv;
}): IClientOptions {
  const { mqtt } = opts;
  const env = opts.env ?? process.env;
  const o: IClientOptions = {
    clientId: mqtt.clientId ?? defaultClientId(opts.site, opts.gate),
    protocolVersion: 4,
    // A persistent session: commands the hub sends while the gate is offline wait at the broker.
    clean: false,
    keepalive: mqtt.keepaliveSeconds,
    reconnectPeriod: mqtt.reconnectMs,
    connectTimeout: 10_000,
    resubscribe: true,
    queueQoSZero: false,
    will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
  };
  const password = env.GATE_MQTT_PASSWORD ?? mqtt.password;
  if (mqtt.username !== undefined) o.username = mqtt.username;
  if (password !== undefined) o.password = password;
  if (mqtt.tls) Object.assign(o, tlsOptions(mqtt.tls));
  return o;
}

/** mqtt.js TLS options from an `mqtt.tls` block (the gate's and the hub's have the same shape). */
export function tlsOptions(tls: NonNullable<MqttConfig['tls']>): IClientOptions {
  const o: IClientOptions = {};
  if (tls.ca) o.ca = readPem(tls.ca, 'CA certificate');
  if (tls.cert) o.cert = readPem(tls.cert, 'client certificate');
  if (tls.key) o.key = readPem(tls.key, 'client key');
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new Error('mqtt.tls needs both cert and key for a client certificate, or neither');
  o.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.servername) o.servername = tls.servername;
  return o;
}
