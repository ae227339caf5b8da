// When a visit ends (the visitor should be signed out by then): the end of today's last validity
// window for a visitor card with hours (a contractor until 17:00), otherwise the kiosk's visit length
// (kiosk.visitorOverdueMinutes) after registering.
import type { TimeWindow } from '../gate/contract.js';
import { localTime as weekTime } from '../gate/time-window.js';
import { addDays, localDay, localTime } from './time.js';

export function visitEnd(v: { registeredAt: number; validity?: TimeWindow[] }, overdueMs: number, now: number, timeZone: string): number {
  const byLength = v.registeredAt + overdueMs;
  if (!v.validity?.length) return byLength;
  const today = localDay(now, timeZone);
  const weekday = weekTime(now, timeZone).day;
  const ends = v.validity
    .filter((w) => !w.days || w.days.includes(weekday))
    .map((w) => (w.to === '24:00' ? localTime(addDays(today, 1), timeZone) : w.to < w.from ? localTime(addDays(today, 1), timeZone, w.to) : localTime(today, timeZone, w.to)));
  return ends.length ? Math.max(...ends) : byLength;
}
