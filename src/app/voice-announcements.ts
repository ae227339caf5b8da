// The announcements the loudspeakers play: the hub's list, then the admin's, from the ledger's
// policy snapshots (docs/voice.md).
import type { Announcement } from '../devices/voice/announcements.js';
import type { PolicyState } from '../store/api.js';

export function voiceAnnouncements(states: readonly PolicyState[]): Announcement[] {
  const list = (kind: string) => ((states.find((s) => s.kind === kind)?.payload as { announcements?: Announcement[] } | null)?.announcements ?? []);
  return [...list('announcements'), ...list('announcements-local')];
}
