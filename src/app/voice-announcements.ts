// The announcements the loudspeakers play: the hub's list, then the admin's, from the ledger's
// policy snapshots (docs/voice.md).
import { announcementList } from '../devices/voice/announcements.js';
import type { SourcedAnnouncement } from '../devices/voice/feature.js';
import type { PolicyState } from '../store/api.js';

export function voiceAnnouncements(states: readonly PolicyState[]): SourcedAnnouncement[] {
  return [
    ...announcementList(states, 'announcements').announcements.map((a) => ({ ...a, source: 'hub' as const })),
    ...announcementList(states, 'announcements-local').announcements.map((a) => ({ ...a, source: 'local' as const })),
  ];
}
