// Opening hours and card validity hours, in the site's local time (a Pi's TZ may be UTC).
import type { TimeWindow } from './contract.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Day of week (0 = Sunday) and minutes since local midnight. */
export function localTime(ms: number, timeZone: string): { day: number; minutes: number } {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type === 'weekday') day = DAYS.indexOf(p.value);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minutes: hour * 60 + minute };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Whether `ms` falls in any of the windows. A window whose `to` is before `from` runs past midnight. */
export function inWindows(windows: readonly TimeWindow[], ms: number, timeZone: string): boolean {
  const { day, minutes } = localTime(ms, timeZone);
  return windows.some((w) => {
    const from = toMinutes(w.from);
    const to = toMinutes(w.to);
    if (from <= to) return (!w.days || w.days.includes(day)) && minutes >= from && minutes < to;
    // Overnight: the part after midnight belongs to the previous day's window.
    if (minutes >= from) return !w.days || w.days.includes(day);
    return minutes < to && (!w.days || w.days.includes((day + 6) % 7));
  });
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day of `ms` as a day count since 1970-01-01 (for "every N days" by the calendar). */
export function localDayNumber(ms: number, timeZone: string): number {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return Math.round(Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86_400_000);
}

/** Check a time zone name once, at construction, with a message a site admin can act on. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new Error(`Unknown time zone "${timeZone}": use an IANA name such as Asia/Shanghai`);
  }
}
