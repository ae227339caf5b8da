// The announcements the loudspeakers play: the hub's list, then the admin's, from the ledger's
// policy snapshots (docs/voice.md).
import type { Announcement } from '../devices/voice/announcements.js';
import type { SourcedAnnouncement } from '../devices/voice/feature.js';
import type { PolicyState } from '../store/api.js';

/** One list of the ledger: 'announcements' (the hub's) or 'announcements-local' (the admin's), with its version. */
export function announcementList(states: readonly PolicyState[], kind: 'announcements' | 'announcements-local'): { version: number; announcements: Announcement[] } {
  const s = states.find((x) => x.kind === kind);
  return { version: s?.version ?? 0, announcements: (s?.payload as { announcements?: Announcement[] } | null)?.announcements ?? [] };
}

export function voiceAnnouncements(states: readonly PolicyState[]): SourcedAnnouncement[] {
  return [
    ...announcementList(states, 'announcements').announcements.map((a) => ({ ...a, source: 'hub' as const })),
    ...announcementList(states, 'announcements-local').announcements.map((a) => ({ ...a, source: 'local' as const })),
  ];
}
