// The loudspeaker on the kiosk: its state, the mute switch (any operator; audited) and the admin's
// own announcements (audited; the hub's come over MQTT). docs/voice.md.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Announcement, AnnouncementListSchema, AnnouncementSchema, announcementList, checkAnnouncements } from '../../devices/voice/announcements.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';

export function voiceRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx, voice } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const admin = requireRole(state, 'admin');
  const needVoice = () => voice ?? fail('NO_DEVICES', { zh: '本机未配置喇叭', en: 'No loudspeaker is configured' });
  const local = (): Announcement[] => announcementList(ledger.policyStates(), 'announcements-local').announcements;

  app.get('/api/voice', { preHandler: volunteer }, async () => needVoice().state());

  app.post('/api/voice/mute', { preHandler: volunteer, schema: { body: Type.Object({ muted: Type.Boolean() }, { additionalProperties: false }) } }, async (req) => {
    const v = needVoice();
    const muted = (req.body as { muted: boolean }).muted;
    const actor = operatorOf(req).operatorId;
    const s = v.setMuted(muted, actor);
    ledger.audit(actor, 'config-change', { kind: 'voice-mute', muted });
    return s;
  });

  // Every operator sees what the loudspeaker will announce (the kiosk's 广播 screen); the admin edits the local list.
  app.get('/api/voice/announcements', { preHandler: volunteer }, async () => {
    const states = ledger.policyStates();
    const mine = announcementList(states, 'announcements-local');
    return { announcements: mine.announcements, version: mine.version, hub: announcementList(states, 'announcements') };
  });

  // 试听: a saved notice or the draft being edited, played now on the idle lanes (docs/voice.md).
  const PlayBody = Type.Object({ id: AnnouncementSchema.properties.id, text: AnnouncementSchema.properties.text, clip: Type.Optional(AnnouncementSchema.properties.clip), lane: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });
  app.post('/api/voice/announcements/play', { preHandler: admin, schema: { body: PlayBody } }, async (req) => {
    const v = needVoice();
    const b = req.body as { id: string; text: { zh: string; en?: string }; clip?: string; lane?: string };
    const r = await v.playNow({ id: b.id, text: b.text, ...(b.clip ? { clip: b.clip } : {}) }, b.lane);
    if (r.result === 'muted') fail('VOICE_UNAVAILABLE', { zh: '喇叭已静音，先打开喇叭再试听', en: 'the loudspeaker is muted; switch it on first' });
    if (r.result === 'quiet') fail('VOICE_UNAVAILABLE', { zh: '夜间只响提示音，现在不能播放', en: 'quiet hours, tones only' });
    if (r.result === 'none') fail('NOT_FOUND', { zh: '没有这个通道的喇叭', en: 'No loudspeaker on that lane' });
    if (r.result === 'problem') fail('VOICE_UNAVAILABLE', { zh: `无法生成语音（${r.problem}）`, en: `the sound cannot be made (${r.problem})` });
    if (r.result === 'busy') fail('VOICE_UNAVAILABLE', { zh: '正在通行或正在播放提示，请稍后再试听', en: 'a passage or a prompt is on; try again in a moment' });
    // Heard by the whole gate: who played what is kept, as the mute switch.
    ledger.audit(operatorOf(req).operatorId, 'config-change', { kind: 'announcement-play', id: b.id, text: b.text.zh.slice(0, 80), lanes: r.lanes.filter((l) => l.result === 'playing').map((l) => l.lane) });
    return r;
  });

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
