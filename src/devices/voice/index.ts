// The voice feature's public surface (docs/voice.md).
export { type Announcement, AnnouncementListSchema, checkAnnouncements } from './announcements.js';
export { ClipLibrary, type ClipProblem } from './clips.js';
export type { VoiceConfig, VoiceDeviceConfig } from '../config.js';
export { createVoice, type VoiceFeature, type VoiceState } from './feature.js';
export type { VoiceEvents } from './events.js';
