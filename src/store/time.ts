// Local calendar days in the site's time zone (the daily report and "today" follow the village clock).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(ms: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

function dayOf(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The last day asked for, per zone, with its bounds: nearly every call is for today (Intl's formatToParts costs tens of µs). */
const lastDay = new Map<string, { day: string; from: number; to: number }>();

/** 'YYYY-MM-DD' of a wall-clock instant in the zone. */
export function localDay(ms: number, timeZone: string): string {
  const hit = lastDay.get(timeZone);
  if (hit && ms >= hit.from && ms < hit.to) return hit.day;
  const day = dayOf(ms, timeZone);
  const from = localTime(day, timeZone);
  const to = localTime(addDays(day, 1), timeZone);
  // Cached only when the bounds are exact: where a zone's clocks skip midnight (Chile, Cuba) local
  // 00:00 does not exist and the bounds are off; those days are simply worked out every time.
  const exact = ms >= from && ms < to && dayOf(from, timeZone) === day && dayOf(from - 1, timeZone) !== day && dayOf(to - 1, timeZone) === day && dayOf(to, timeZone) !== day;
  if (exact) lastDay.set(timeZone, { day, from, to });
  return day;
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = parts(ms, timeZone);
  const asUtc = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Wall ms of local time `HH:MM` on a local day (00:00 when omitted). */
export function localTime(day: string, timeZone: string, hhmm = '00:00'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m || !t) throw new Error(`Expected a day as YYYY-MM-DD and a time as HH:MM (got "${day}" "${hhmm}")`);
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(t[1]), Number(t[2]));
  const first = guess - offsetAt(guess, timeZone);
  return guess - offsetAt(first, timeZone);
}

export function dayStart(day: string, timeZone: string): number {
  return localTime(day, timeZone);
}

/** A local day as wall-ms bounds, from its midnight to the next (none without a day): for `?day=` queries. */
export function dayRange(day: string | undefined, timeZone: string): { from?: number; to?: number } {
  return day ? { from: dayStart(day, timeZone), to: dayStart(addDays(day, 1), timeZone) } : {};
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Whole days from a to b ('YYYY-MM-DD'); positive when b is later. */
export function daysBetween(a: string, b: string): number {
  const ms = (s: string) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(b) - ms(a)) / 86_400_000);
}

export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** 'YYYY-MM-DD HH:MM:SS' in the zone, as ledgers print it. */
export function localDateTime(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}
