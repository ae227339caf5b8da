import { Section, type Static, Type } from '../config/typebox.js';

export const KioskSchema = Section({
  host: Type.String({ default: '127.0.0.1', description: 'Listen address. Loopback by default; 0.0.0.0 opens the kiosk to the LAN (see docs)' }),
  port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: '0 = any free port' }),
  adminPin: Type.Optional(Type.String({ pattern: '^[0-9]{6,12}$', description: 'First admin PIN (6–12 digits); better given as env GATE_ADMIN_PIN. Unset: the first start asks on the kiosk' })),
  screenAddresses: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    default: [],
    description: "Addresses the kiosk's own screen connects from when it is not this box's loopback (a separate display on the LAN). They wait at most 30 s after wrong PINs, whatever others try (docs/security.md)",
  }),
  language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], { default: 'zh-CN' }),
  idleLockSeconds: Type.Integer({ default: 300, minimum: 30, maximum: 86400, description: 'The screen locks after this idle time' }),
  spokenPrompts: Type.Boolean({ default: false, description: 'Play short spoken prompts (请出示健康码 …)' }),
  verdictSeconds: Type.Number({ default: 5, minimum: 1, maximum: 60, description: 'How long a verdict fills the whole screen (readable from 2 m) before the working view comes back' }),
  verdictClearSeconds: Type.Integer({ default: 60, minimum: 5, maximum: 3600, description: 'After this the last verdict leaves the live screen, so an old 禁止通行 does not greet the next person' }),
  beeps: Section({
    enabled: Type.Boolean({ default: true, description: 'Beep from the kiosk on verdicts, ignored inputs, waiting passages and critical alerts' }),
    volume: Type.Number({ default: 0.6, minimum: 0, maximum: 1, description: 'Beep volume, 0 to 1' }),
    quietHours: Type.String({ default: '22:00-06:00', pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])?$', description: 'Village time range (HH:MM-HH:MM) with quieter beeps; empty = none. Critical alerts keep the full volume' }),
    quietVolume: Type.Number({ default: 0.15, minimum: 0, maximum: 1, description: 'Beep volume during the quiet hours' }),
  }),
  visitorOverdueMinutes: Type.Integer({ default: 240, minimum: 5, description: 'Visitors inside longer than this are highlighted' }),
  declarePageUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 256, description: 'The hub\'s health-declaration page (its declare.publicUrl): /print/declare prints the poster with its QR code for the gate and the chat groups' })),
});
export type KioskConfig = Static<typeof KioskSchema>;
