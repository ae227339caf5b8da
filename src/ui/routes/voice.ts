// The loudspeaker on the kiosk: its state, the mute switch (any operator; audited) and the admin's
// own announcements (audited; the hub's come over MQTT). docs/voice.md.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Announcement, AnnouncementListSchema, checkAnnouncements } from '../../devices/voice/announcements.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';

export function voiceRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx, voice } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const admin = requireRole(state, 'admin');
  const needVoice = () => voice ?? fail('NO_DEVICES', { zh: '本机未配置喇叭', en: 'No loudspeaker is configured' });
  const local = (): Announcement[] => (ledger.policyStates().find((p) => p.kind === 'announcements-local')?.payload as { announcements?: Announcement[] } | null)?.announcements ?? [];

  app.get('/api/voice', { preHandler: volunteer }, async () => needVoice().state());

  app.post('/api/voice/mute', { preHandler: volunteer, schema: { body: Type.Object({ muted: Type.Boolean() }, { additionalProperties: false }) } }, async (req) => {
    const v = needVoice();
    const muted = (req.body as { muted: boolean }).muted;
    const actor = operatorOf(req).operatorId;
    const s = v.setMuted(muted, actor);
    ledger.audit(actor, 'config-change', { kind: 'voice-mute', muted });
    return s;
  });

  app.get('/api/voice/announcements', { preHandler: admin }, async () => ({ announcements: local() }));

  app.put('/api/voice/announcements', { preHandler: admin, schema: { body: Type.Object({ announcements: AnnouncementListSchema }, { additionalProperties: false }) } }, async (req) => {
    const list = (req.body as { announcements: Announcement[] }).announcements;
    asUserError(() => checkAnnouncements(list));
    const actor = operatorOf(req).operatorId;
    const version = Math.max(0, ...ledger.policyStates().filter((p) => p.kind === 'announcements-local').map((p) => p.version)) + 1;
    // Audited by the ledger ('policy-change', with the operator).
    asUserError(() => ledger.applyPolicy('announcements-local', version, list, actor));
    ctx.bus.emit('ledger.changed', { what: 'policy' });
    return { announcements: local(), version };
  });
}
