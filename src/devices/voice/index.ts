// The voice feature's public surface (docs/voice.md).
import type { PolicyState } from '../../store/api.js';
import type { Announcement } from './announcements.js';

export { type Announcement, AnnouncementListSchema, checkAnnouncements } from './announcements.js';
export { ClipLibrary, type ClipProblem } from './clips.js';
export type { VoiceConfig, VoiceDeviceConfig } from './config.js';
export { registerVoiceDriver } from './drivers.js';
export { createVoice, type VoiceFeature, type VoiceState } from './feature.js';

/** The announcements in force: the hub's list, then the admin's. */
export function voiceAnnouncements(states: readonly PolicyState[]): Announcement[] {
  const list = (kind: string) => ((states.find((s) => s.kind === kind)?.payload as { announcements?: Announcement[] } | null)?.announcements ?? []);
  return [...list('announcements'), ...list('announcements-local')];
}
