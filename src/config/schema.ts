// The one schema for everything the daemon reads. The TypeScript type is derived from it.
import { LaneSchema, VoiceSchema } from '../devices/config.js';
import { RulesSchema } from '../gate/config.js';
import { StorageSchema } from '../store/config.js';
import { MqttSchema } from '../sync/config.js';
import { KioskSchema } from '../ui/config.js';
import { Block, Section, type Static, Type } from './typebox.js';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const ConfigSchema = Section({
  site: Section({
    id: Type.String({ ...Id, default: 'demo-village', description: 'Site (village/compound) id; part of every MQTT topic and card' }),
    name: Type.String({ default: '示范村', description: 'Name shown on the kiosk and reports' }),
    timezone: Type.String({ default: 'Asia/Shanghai', description: 'IANA time zone for opening hours and the daily report' }),
  }),
  gate: Section({
    id: Type.String({ ...Id, default: 'gate-1', description: 'Gate id, unique within the site' }),
    name: Type.String({ default: '1号卡口', description: 'Name shown on the kiosk' }),
  }),
  simulation: Type.Boolean({ default: false, description: 'Simulation: mock devices, embedded broker, demo roster and the simulator control' }),
  simulator: Section({
    devices: Type.Union([Type.Literal('auto'), Type.Literal('pty'), Type.Literal('in-process')], {
      default: 'auto',
      description: 'Simulated devices: pty = device simulators on pseudo-terminals (socat) opened by the real serial drivers; in-process = mocks; auto = pty when socat is installed',
    }),
  }),
  lanes: Type.Array(LaneSchema, { default: [], description: 'Lanes of the gate with their devices' }),
  rules: RulesSchema,
  zoneLevel: Type.Union([Type.Literal('normal'), Type.Literal('precaution'), Type.Literal('controlled'), Type.Literal('sealed')], { default: 'normal', description: 'Zone level at first start; the hub or an admin changes it later' }),
  cards: Section({
    keyDir: Type.String({ default: './var/keys', description: 'Where the gate keeps its signing key (created on first start, mode 0600)' }),
    trustedKeys: Type.Array(Block({ kid: Type.String({ minLength: 1 }), publicKey: Type.String({ minLength: 1, description: 'Ed25519 public key, PEM or base64url raw 32 bytes' }) }), { default: [], description: 'Other issuers whose cards this gate accepts (e.g. the hub)' }),
  }),
  storage: StorageSchema,
  mqtt: MqttSchema,
  kiosk: KioskSchema,
  voice: VoiceSchema,
  logging: Section({
    level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)), { default: 'info' }),
    pretty: Type.Optional(Type.Boolean({ description: 'Human-readable logs; default: when stdout is a terminal' })),
    redact: Type.Array(Type.String(), {
      default: ['*.name', '*.idNumber', '*.phone', '*.address', 'subject.name', 'person.name', 'visitor.name', 'visitor.phone', 'visitor.idNumber', 'pin', '*.pin', 'password', '*.password'],
      description: 'Log fields replaced by [redacted] (pino paths)',
    }),
  }),
});

export type Config = Static<typeof ConfigSchema>;
