import { Section, type Static, Type } from '../config/typebox.js';

export const KioskSchema = Section({
  host: Type.String({ default: '127.0.0.1', description: 'Listen address. Loopback by default; 0.0.0.0 opens the kiosk to the LAN (see docs)' }),
  port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: '0 = any free port' }),
  adminPin: Type.Optional(Type.String({ pattern: '^[0-9]{6,12}$', description: 'First admin PIN (6–12 digits); better given as env GATE_ADMIN_PIN. Unset: the first start asks on the kiosk' })),
  language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], { default: 'zh-CN' }),
  idleLockSeconds: Type.Integer({ default: 300, minimum: 30, maximum: 86400, description: 'The screen locks after this idle time' }),
  spokenPrompts: Type.Boolean({ default: false, description: 'Play short spoken prompts (请出示健康码 …)' }),
  visitorOverdueMinutes: Type.Integer({ default: 240, minimum: 5, description: 'Visitors inside longer than this are highlighted' }),
  declarePageUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 256, description: 'The hub\'s health-declaration page (its declare.publicUrl): /print/declare prints the poster with its QR code for the gate and the chat groups' })),
});
export type KioskConfig = Static<typeof KioskSchema>;
