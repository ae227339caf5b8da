// The hub's MQTT connection: a persistent session (clean: false, and under MQTT 5 a session expiry)
// subscribed at QoS 1 to the uplink topics of the sites it serves, optionally as a member of a
// shared subscription group. Messages are acknowledged on receipt and handed to the ingest; the
// gates' seqs, not the broker, close the loop (docs/hub.md: why not ack after commit). mqtt.js keeps
// the connection; the PUBLISH packets are read off its socket by publish-reader.ts.
import type { Duplex } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { tlsOptions } from '../sync/connect.js';
import { TOPIC_VERSION } from '../sync/topics.js';
import { INGEST_LEAVES } from './classify.js';
import type { HubConfig } from './config.js';
import { PublishReader } from './publish-reader.js';

export interface ReceiverOptions {
  config: HubConfig;
  logger: Logger;
  onMessage(topic: string, payload: Buffer): void;
  /** Extra mqtt.js options (tests: a CA). */
  clientOptions?: Partial<IClientOptions>;
  env?: NodeJS.ProcessEnv;
}

export interface Receiver {
  start(): Promise<void>;
  stop(): Promise<void>;
  connected(): boolean;
  /** `retain`: the office's word to the gates is a retained snapshot, so a gate that was away gets it on return. */
  publish(topic: string, body: string, opts?: { retain?: boolean }): Promise<void>;
  filters(): string[];
  /** Resolves once the broker granted the subscriptions (the hub is ready before that: a broker may be down). */
  subscribed(): Promise<void>;
  /** Stop and start reading the socket (the ingest's backpressure). */
  pause(): void;
  resume(): void;
}

export function uplinkFilters(config: HubConfig): string[] {
  const share = config.mqtt.sharedGroup ? `$share/${config.mqtt.sharedGroup}/` : '';
  return config.hub.sites.flatMap((site) => INGEST_LEAVES.map((leaf) => `${share}${config.mqtt.topicRoot}/${TOPIC_VERSION}/${site}/+/${leaf}`));
}

export function hubClientOptions(config: HubConfig, env: NodeJS.ProcessEnv = process.env): IClientOptions {
  const m = config.mqtt;
  const o: IClientOptions = {
    clientId: m.clientId ?? `hub-${config.hub.name}`,
    protocolVersion: m.protocolVersion,
    clean: m.sessionExpirySeconds === 0,
    keepalive: m.keepaliveSeconds,
    reconnectPeriod: m.reconnectMs,
    connectTimeout: 10_000,
    resubscribe: true,
  };
  if (m.protocolVersion === 5) o.properties = { sessionExpiryInterval: m.sessionExpirySeconds };
  const password = env.HUB_MQTT_PASSWORD ?? m.password;
  if (m.username !== undefined) o.username = m.username;
  if (password !== undefined) o.password = password;
  if (m.tls) Object.assign(o, tlsOptions(m.tls));
  return o;
}

export function createReceiver(o: ReceiverOptions): Receiver {
  const log = o.logger.child({ part: 'mqtt' });
  const filters = uplinkFilters(o.config);
  let client: MqttClient | undefined;
  let wasConnected = false;
  let stopping = false;
  // Backpressure: while paused, the PublishReader reads no further packet and pauses its socket (it
  // is the socket's only reader: nothing resumes it), and a PUBLISH that mqtt.js reads itself is held
  // unfinished (its handleMessage), so mqtt.js reads nothing further either. The broker keeps what
  // follows in the hub's session.
  let paused = false;
  let held: (() => void) | undefined;
  let reader: PublishReader | undefined;
  let onSubscribed: () => void = () => {};
  const subscribedOnce = new Promise<void>((r) => {
    onSubscribed = r;
  });
  return {
    subscribed: () => subscribedOnce,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      const go = held;
      held = undefined;
      go?.();
      reader?.goOn();
    },
    filters: () => filters,
    connected: () => client?.connected === true,
    async start() {
      const opts = { ...hubClientOptions(o.config, o.env), ...o.clientOptions };
      // Connected by hand once each connection's stream is wrapped (mqtt.js builds one per connect).
      const c = mqtt.connect(o.config.mqtt.url, { ...opts, manualConnect: true });
      client = c;
      const sink = { onPublish: o.onMessage, held: () => paused };
      // mqtt.js has no option to wrap its stream: streamBuilder is what it calls for each connection.
      const internals = c as unknown as { streamBuilder: (client: MqttClient) => Duplex };
      const build = internals.streamBuilder;
      if (typeof build !== 'function') throw new Error('this mqtt.js has no streamBuilder: the hub cannot read its PUBLISH packets');
      internals.streamBuilder = (cl) => {
        reader = new PublishReader(build(cl), opts.protocolVersion === 5, sink);
        return reader;
      };
      c.on('connect', (ack) => {
        wasConnected = true;
        log.info({ url: o.config.mqtt.url, sessionPresent: ack.sessionPresent }, 'connected to the broker');
        c.subscribe(filters, { qos: 1 }, (err, granted) => {
          if (err) log.error({ err }, 'could not subscribe to the gates\' topics');
          else if (granted?.some((g) => g.qos >= 128)) log.error({ refused: granted.filter((g) => g.qos >= 128).map((g) => g.topic) }, 'the broker refused a subscription (check the hub account\'s ACL)');
          else {
            log.info({ filters: filters.length }, 'subscribed to the gates\' topics');
            onSubscribed();
          }
        });
      });
      c.on('close', () => {
        // A connection's packet in hand goes with it (the broker sends it again: no PUBACK went).
        held = undefined;
        if (wasConnected && !stopping) log.warn('lost the broker; reconnecting (the persistent session keeps what arrives meanwhile)');
        wasConnected = false;
      });
      // A broker that stays away gives the same error every reconnect: logged when it changes.
      let lastError = '';
      c.on('error', (err) => {
        if (err.message !== lastError) log.warn({ err: err.message }, 'broker error (retrying)');
        lastError = err.message;
      });
      c.on('connect', () => {
        lastError = '';
      });
      c.on('message', (topic, payload) => o.onMessage(topic, payload));
      c.handleMessage = (_packet, done) => {
        if (paused) held = () => done();
        else done();
      };
      c.connect();
    },
    async stop() {
      const c = client;
      client = undefined;
      if (!c) return;
      stopping = true;
      // Not a clean end of the session: the broker keeps queueing for us while we are away.
      await Promise.race([c.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 1500).unref())]);
      if (!c.disconnected) c.end(true);
    },
    async publish(topic, body, opts) {
      const c = client;
      if (!c?.connected) throw new Error('not connected to the broker');
      await c.publishAsync(topic, body, { qos: 1, retain: opts?.retain === true });
    },
  };
}
