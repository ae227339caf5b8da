// The hub's one configuration schema (TypeBox); the type, the defaults file config/hub.default.yaml
// (`gate hub config-doc`) and `gate hub check-config` all come from it.
import type { EnvOverrides } from '../config/load.js';
import { Section, type Static, Type } from '../config/typebox.js';
import { TlsSchema } from '../sync/config.js';
import { DeclareConfigSchema } from './declare/config.js';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const HubConfigSchema = Section({
  hub: Section({
    name: Type.String({ ...Id, default: 'hub-1', description: 'This hub worker\'s name: its MQTT client id is hub-<name>; each worker of a county needs its own' }),
    sites: Type.Array(Id, { default: ['demo-village'], minItems: 1, description: 'Sites (villages/compounds) this hub serves; a message for any other site is rejected' }),
    gates: Type.Array(Type.String({ minLength: 3, pattern: '^[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$' }), {
      default: [],
      description: 'Optional allow-list of gates as "site/gate"; empty = any gate of a served site. A gate not listed is rejected',
    }),
    storage: Section({
      url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user:password@host/db — a PostgreSQL server (past a village); unset: SQLite in dataDir. Better given as env HUB_STORAGE_URL' })),
      dataDir: Type.String({ default: './var/hub', description: 'Where the hub keeps its SQLite database (hub.db, WAL, synchronous=FULL), its API token and its lock' }),
      poolSize: Type.Integer({ default: 4, minimum: 1, maximum: 64, description: 'PostgreSQL connections (one writes; the API reads on the others)' }),
      batchRows: Type.Integer({ default: 2000, minimum: 1, maximum: 20000, description: 'Messages committed in one transaction at most' }),
      retentionDays: Type.Integer({ default: 400, minimum: 1, maximum: 3650, description: 'Records older than this (by the gate\'s time) are purged daily: they hold card and household ids' }),
      rejectsMax: Type.Integer({ default: 10000, minimum: 100, maximum: 10_000_000, description: 'Rejected messages kept (the oldest leave first)' }),
    }),
    resend: Section({
      enabled: Type.Boolean({ default: true, description: 'Ask gates to resend the seq ranges the hub is missing' }),
      intervalMs: Type.Integer({ default: 5000, minimum: 100, maximum: 3_600_000, description: 'How often missing ranges are looked at; a range is asked for once it was missing at two looks in a row' }),
      maxPerRequest: Type.Integer({ default: 20000, minimum: 1, maximum: 1_000_000, description: 'Seqs asked for in one request at most (the rest at the next look)' }),
    }),
    limits: Section({
      maxPayloadBytes: Type.Integer({ default: 262144, minimum: 1024, maximum: 16_000_000, description: 'Larger messages are rejected unread' }),
      perGatePerSecond: Type.Integer({ default: 20000, minimum: 10, maximum: 1_000_000, description: 'Messages from one gate past this rate are rejected as a flood (the gate resends them later)' }),
      queueMax: Type.Integer({ default: 200000, minimum: 1000, maximum: 10_000_000, description: 'Messages waiting for the database at most; past it new ones are rejected as overload and asked for again' }),
    }),
  }),
  mqtt: Section({
    url: Type.String({ default: 'mqtt://127.0.0.1:1883', description: 'Broker URL: mqtt://, mqtts://, ws:// or wss://' }),
    username: Type.Optional(Type.String({ description: 'Broker user; its ACL should only let it read gates\' uplink topics and write downlink topics (docs/hub.md)' })),
    password: Type.Optional(Type.String({ description: 'Better given as env HUB_MQTT_PASSWORD' })),
    clientId: Type.Optional(Type.String({ description: 'Default: hub-<hub.name>' })),
    topicRoot: Type.String({ default: 'checkpoint', pattern: '^[^#+/$][^#+]*$', description: 'First topic level, as on the gates' }),
    protocolVersion: Type.Union([Type.Literal(5), Type.Literal(4)], { default: 5, description: 'MQTT 5 (session expiry, shared subscriptions) or 3.1.1 (4: e.g. the embedded demo broker)' }),
    sharedGroup: Type.Optional(Type.String({ ...Id, description: 'Several hub workers on one database: subscribe as $share/<group>/… (MQTT 5 shared subscriptions)' })),
    sessionExpirySeconds: Type.Integer({ default: 604800, minimum: 0, maximum: 4294967295, description: 'The broker keeps the hub\'s session and queues its messages this long while it is away (0: no persistent session)' }),
    keepaliveSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 600 }),
    reconnectMs: Type.Integer({ default: 1000, minimum: 100, maximum: 300000 }),
    tls: Type.Optional(TlsSchema),
  }),
  api: Section({
    enabled: Type.Boolean({ default: true, description: 'Serve the read-only JSON API' }),
    host: Type.String({ default: '127.0.0.1', description: 'Address to listen on (loopback keeps it on this machine)' }),
    port: Type.Integer({ default: 8090, minimum: 0, maximum: 65535, description: '0 = any free port' }),
    token: Type.Optional(Type.String({ minLength: 16, description: 'Bearer token of the API; unset: one is made at first start and kept in dataDir/api-token (mode 0600). Better given as env HUB_API_TOKEN' })),
  }),
  office: Section({
    enabled: Type.Boolean({ default: true, description: 'Serve the office\'s screens (/office/) on the API\'s address; the first start prints a one-time admin password, `gate hub reset-admin` makes a new one' }),
    sessionIdleMinutes: Type.Integer({ default: 720, minimum: 5, maximum: 10080, description: 'A session unused this long ends (720: a 12-hour shift)' }),
    escalateAfterMinutes: Type.Integer({ default: 5, minimum: 1, maximum: 1440, description: 'A critical alert nobody acknowledged this long is escalated (an event in the log and the audit log, and the webhook)' }),
    downlinkRetrySeconds: Type.Integer({ default: 30, minimum: 1, maximum: 3600, description: 'An online gate that has not answered the latest update of a kind is sent it again this often, until it answers' }),
    escalationWebhook: Type.Optional(Type.String({ pattern: '^https?://', description: 'POSTed JSON {event: "alert.escalated", site, gate, alert, kind, …} at each escalation; unset: none' })),
    timeZone: Type.String({ default: 'Asia/Shanghai', description: 'The villages\' IANA time zone: "today", the daily report\'s day, the 24-hour chart and every time on the office\'s screens (not the browser\'s zone)' }),
  }),
  declare: DeclareConfigSchema,
  logging: Section({
    level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)), { default: 'info' }),
    pretty: Type.Optional(Type.Boolean({ description: 'Human-readable logs; default: when stdout is a terminal' })),
    redact: Type.Array(Type.String(), { default: ['*.name', '*.idNumber', '*.phone', '*.address', 'password', '*.password', 'token', '*.token'], description: 'Log fields replaced by [redacted] (pino paths)' }),
  }),
});

export type HubConfig = Static<typeof HubConfigSchema>;

export const HUB_ENV: EnvOverrides = [
  ['HUB_MQTT_URL', ['mqtt', 'url'], 'string'],
  ['HUB_MQTT_USERNAME', ['mqtt', 'username'], 'string'],
  ['HUB_MQTT_PASSWORD', ['mqtt', 'password'], 'string'],
  ['HUB_STORAGE_URL', ['hub', 'storage', 'url'], 'string'],
  ['HUB_DATA_DIR', ['hub', 'storage', 'dataDir'], 'string'],
  ['HUB_API_TOKEN', ['api', 'token'], 'string'],
  ['HUB_API_HOST', ['api', 'host'], 'string'],
  ['HUB_API_PORT', ['api', 'port'], 'int'],
  ['HUB_LOG_LEVEL', ['logging', 'level'], 'string'],
];

export const HUB_DOC_HEADER = [
  '# Village hub configuration (`gate hub`) — every option, with its default.',
  '# Generated from the schema (src/hub/config.ts) by `gate hub config-doc`; a test keeps it in step.',
  '# Copy it to /etc/checkpoint-gate/hub.yaml and change what you need (docs/hub.md).',
  `# Secrets may come from the environment instead: ${HUB_ENV.map(([n]) => n).join(', ')}.`,
];
