// The `declare` section of the hub's configuration: the public health-declaration page (docs/hub.md,
// docs/declare.md). Off by default: it is the one part of the hub meant to face the internet.
import { Section, type Static, Type } from '../../config/typebox.js';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Area = Type.String({ minLength: 1, maxLength: 128 });

export const DeclareConfigSchema = Section({
  enabled: Type.Boolean({ default: false, description: 'Serve the health-declaration page (健康申报) for visitors\' phones' }),
  host: Type.String({ default: '127.0.0.1', description: 'Address to listen on; publish it through a TLS reverse proxy (docs/hub.md), not directly' }),
  port: Type.Integer({ default: 8091, minimum: 0, maximum: 65535, description: '0 = any free port' }),
  trustProxy: Type.Union([Type.Boolean(), Type.String({ maxLength: 256 })], {
    default: '127.0.0.1',
    description: 'Whose X-Forwarded-For is believed (the reverse proxy\'s address, or a comma-separated list); the per-address limits key on the client address it gives',
  }),
  site: Type.Optional(Type.String({ ...Id, description: 'The site the page declares for; default: the first of hub.sites' })),
  timeZone: Type.String({ default: 'Asia/Shanghai', description: 'The village\'s time zone: days of tests and the expiry shown' }),
  siteName: Type.String({ default: '本村', maxLength: 64, description: 'The village\'s name as the page shows it' }),
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 256, description: 'The page\'s address as visitors reach it (https://…/), printed in the QR code posted at the gate' })),
  validHours: Type.Integer({ default: 24, minimum: 1, maximum: 168, description: 'A declaration code is valid this long' }),
  retentionDays: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'Declarations are deleted this long after they expire (as the gates\' ledger retention)' }),
  areas: Type.Array(Area, { default: [], maxItems: 2000, description: 'Places offered in the "where from" list besides the risk areas (a visitor may also type one)' }),
  riskAreas: Type.Array(Area, { default: [], maxItems: 10_000, description: 'The medium/high-risk areas the page tells the outcome from until the office sends the site\'s gates a risk-area list (then the office\'s last list is used, docs/declare.md)' }),
  riskAreaLookbackDays: Type.Integer({ default: 14, minimum: 1, maximum: 60 }),
  escortRequired: Type.Boolean({ default: true, description: 'As the gates\' rules.visitorEscortRequired' }),
  testMaxAgeDays: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 30 })], { default: null, description: 'When set, each person gives the date of a negative test no older than this (核酸)' }),
  vaccinationRequired: Type.Boolean({ default: false, description: 'Each person gives the date of their last vaccination' }),
  limits: Section({
    perAddressPerMinute: Type.Integer({ default: 120, minimum: 1, maximum: 100_000, description: 'Declarations from one client address per minute; a whole queue behind one carrier NAT must fit (docs/declare.md has the measurement)' }),
    perPhonePerHour: Type.Integer({ default: 6, minimum: 1, maximum: 1000, description: 'Declarations giving one phone number per hour (one phone declares a household at once)' }),
    unknownIdsPerAddressPer10Min: Type.Integer({ default: 30, minimum: 1, maximum: 10_000, description: 'Look-ups of declarations that do not exist, per address, before it is refused (no guessing)' }),
    bodyBytes: Type.Integer({ default: 16_384, minimum: 2048, maximum: 1_048_576, description: 'Largest form accepted' }),
  }),
});

export type DeclareConfig = Static<typeof DeclareConfigSchema>;
