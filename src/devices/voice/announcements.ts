// Announcements (小喇叭, 村村响): notices played at the gate at set times or on a loop while the
// lane is idle. They come from the hub (downlink kind "announcements") or the admin on the kiosk,
// are kept as policy snapshots in the ledger, and never play over a passage's prompts.
import { Type } from 'typebox';
import { inWindows, localTime } from '../vocabulary.js';

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const Strict = { additionalProperties: false };

export const AnnouncementSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    text: Type.Object({ zh: Type.String({ minLength: 1, maxLength: 500 }), en: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, Strict),
    /** A recording in <recordingsDir>/announcements/<clip>.wav, played instead of the rendered text. */
    clip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    at: Type.Optional(Type.Array(HHMM, { minItems: 1, maxItems: 48 })),
    every: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'minutes between plays while the lane is idle' })),
    from: Type.Optional(HHMM),
    to: Type.Optional(HHMM),
    days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7 })),
    until: Type.Optional(Type.Integer({ minimum: 0, description: 'wall ms after which it is not played' })),
    lanes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 16 })),
  },
  Strict,
);

export const AnnouncementListSchema = Type.Array(AnnouncementSchema, { maxItems: 50 });

export interface Announcement {
  id: string;
  text: { zh: string; en?: string };
  clip?: string;
  at?: string[];
  every?: number;
  from?: string;
  to?: string;
  days?: number[];
  until?: number;
  lanes?: string[];
}

/**
 * One list as the ledger keeps it (a policy snapshot): 'announcements' (the hub's) or
 * 'announcements-local' (the admin's), with its version; an empty list at version 0 when none.
 */
export function announcementList(states: ReadonlyArray<{ kind: string; version: number; payload: unknown }>, kind: 'announcements' | 'announcements-local'): { version: number; announcements: Announcement[] } {
  const s = states.find((x) => x.kind === kind);
  return { version: s?.version ?? 0, announcements: (s?.payload as { announcements?: Announcement[] } | null)?.announcements ?? [] };
}

/** Checks what schemas cannot: each one has a time, ids are unique. Throws a message the sender can act on. */
export function checkAnnouncements(list: Announcement[]): Announcement[] {
  const ids = new Set<string>();
  for (const a of list) {
    if (ids.has(a.id)) throw new Error(`Announcement id "${a.id}" appears twice`);
    ids.add(a.id);
    if (!a.at && !a.every) throw new Error(`Announcement "${a.id}" needs "at" (times of day) or "every" (minutes, looped while the lane is idle)`);
    if ((a.from === undefined) !== (a.to === undefined)) throw new Error(`Announcement "${a.id}": give both "from" and "to", or neither`);
  }
  return list;
}

/** How late a set-time announcement may still start (the lane was busy at the minute). */
export const AT_GRACE_MINUTES = 10;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The key a play of `a` now would be remembered by, when it is due: `at:HH:MM@day` for a set time
 * (played once that day), `every` for a loop. `played` holds the keys and wall ms of past plays.
 */
export function dueKey(a: Announcement, now: number, timeZone: string, played: ReadonlyMap<string, number>): string | undefined {
  if (a.until !== undefined && now > a.until) return undefined;
  const { day, minutes } = localTime(now, timeZone);
  if (a.days && !a.days.includes(day)) return undefined;
  for (const t of a.at ?? []) {
    const late = minutes - minutesOf(t);
    if (late < 0 || late >= AT_GRACE_MINUTES) continue;
    // The day number since the epoch in site time: the same minute tomorrow is another key.
    const key = `at:${t}@${Math.floor((now - late * 60_000) / 86_400_000)}`;
    if (!played.has(key)) return key;
  }
  if (a.every) {
    if (a.from && a.to && !inWindows([{ from: a.from, to: a.to }], now, timeZone)) return undefined;
    const last = played.get('every');
    if (last === undefined || now - last >= a.every * 60_000) return 'every';
  }
  return undefined;
}
