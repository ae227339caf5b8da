import { Block, Section, type Static, Type } from '../config/typebox.js';

/** TLS to the broker; the gate's and the hub's connections take the same block. */
export const TlsSchema = Block({
  ca: Type.Optional(Type.String({ description: 'CA certificate file (PEM) that signed the broker certificate' })),
  cert: Type.Optional(Type.String({ description: 'Client certificate file (PEM), when the broker asks for one' })),
  key: Type.Optional(Type.String({ description: 'Client key file (PEM) for the client certificate' })),
  rejectUnauthorized: Type.Boolean({ default: true, description: 'Refuse a broker whose certificate does not verify (turn off only on a test bench)' }),
  servername: Type.Optional(Type.String({ description: 'Name expected in the broker certificate, when it differs from the URL host' })),
}, { description: 'TLS for mqtts:// and wss:// (certificate files are read at start)' });

export const MqttSchema = Section({
  enabled: Type.Boolean({ default: true, description: 'Sync with the village hub' }),
  embeddedBroker: Section({
    enabled: Type.Boolean({ default: false, description: 'Run an in-process broker (aedes) — for simulation and demos' }),
    host: Type.String({ default: '127.0.0.1', description: 'Address the embedded broker listens on (loopback keeps it private to this box)' }),
    port: Type.Integer({ default: 1883, minimum: 0, maximum: 65535, description: '0 = any free port' }),
  }),
  url: Type.String({ default: 'mqtt://127.0.0.1:1883', description: 'Broker URL: mqtt://, mqtts://, ws:// or wss://' }),
  username: Type.Optional(Type.String({ description: 'Broker user name; the hub ACL should confine it to this gate\'s topics' })),
  password: Type.Optional(Type.String({ description: 'Better given as env GATE_MQTT_PASSWORD' })),
  clientId: Type.Optional(Type.String({ description: 'Default: gate-<site>-<gate>' })),
  topicRoot: Type.String({ default: 'checkpoint', pattern: '^[^#+/$][^#+]*$', description: 'First topic level; topics are <root>/v1/<site>/<gate>/…' }),
  tls: Type.Optional(TlsSchema),
  sendPersonalData: Type.Boolean({ default: false, description: 'Send names with passages (off: ids only)' }),
  countsDebounceMs: Type.Integer({ default: 1000, minimum: 0, maximum: 60000, description: 'Counts and gate state are published at most this often (retained)' }),
  keepaliveSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 600, description: 'MQTT keepalive; the broker publishes the "offline" last will after about 1.5 times this' }),
  reconnectMs: Type.Integer({ default: 2000, minimum: 100, maximum: 300000, description: 'Wait between reconnect attempts while the hub is unreachable' }),
  drain: Section({
    batch: Type.Integer({ default: 2000, minimum: 1, maximum: 10000, description: 'Outbox rows read ahead at a time (acknowledged rows are deleted once per read); a newly committed alert is read before the rest' }),
    inflight: Type.Integer({ default: 200, minimum: 1, maximum: 10000, description: 'QoS 1 publishes awaiting PUBACK at once (the drain pipeline window)' }),
  }, { description: 'How the outbox is drained to the hub' }),
  downlink: Section({
    enabled: Type.Boolean({ default: true, description: 'Accept roster, health, risk-area, zone-level, revocation and policy updates from the hub' }),
    maxBytes: Type.Integer({ default: 4_000_000, minimum: 1024, maximum: 64_000_000, description: 'Larger downlink messages are rejected unread' }),
  }, { description: 'Updates from the hub (there is no remote door opening)' }),
  homeAssistant: Section({
    enabled: Type.Boolean({ default: false, description: 'Publish Home Assistant MQTT discovery' }),
    prefix: Type.String({ default: 'homeassistant', description: 'Home Assistant discovery prefix; its birth message <prefix>/status "online" triggers a re-announce' }),
  }),
});
export type MqttConfig = Static<typeof MqttSchema>;
