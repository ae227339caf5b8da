// The retained messages: gate state (with the "offline" last will) and today's counts.
import type { DeviceHealth } from '../devices/events.js';
import type { TodayCounts } from '../store/api.js';
import type { CountsMessage, StateMessage } from './messages.js';

export interface StateFacts {
  site: string;
  gate: string;
  ledger?: string;
  seq: number;
  at: number;
  clockSynced: boolean;
  outboxDepth: number;
  zoneLevel?: StateMessage['zoneLevel'];
  versions: Record<string, number>;
  devices: DeviceHealth[];
  software: string;
}

export function stateMessage(status: 'online' | 'offline', reason: NonNullable<StateMessage['reason']>, f: StateFacts): StateMessage {
  const m: StateMessage = {
    v: 1,
    site: f.site,
    gate: f.gate,
    seq: f.seq,
    ...(f.ledger ? { ledger: f.ledger } : {}),
    status,
    reason,
    at: f.at,
    clockSynced: f.clockSynced,
    outboxDepth: f.outboxDepth,
    versions: f.versions,
    devices: f.devices.map((d) => {
      const out: StateMessage['devices'][number] = { id: d.id, kind: d.kind, lane: d.lane, driver: d.driver, state: d.state, since: d.since };
      if (d.detail !== undefined) out.detail = d.detail;
      return out;
    }),
    software: f.software,
  };
  if (f.zoneLevel) m.zoneLevel = f.zoneLevel;
  return m;
}

export function countsMessage(c: TodayCounts, f: { site: string; gate: string; seq: number; at: number; ledger?: string }): CountsMessage {
  return {
    v: 1,
    site: f.site,
    gate: f.gate,
    seq: f.seq,
    ...(f.ledger ? { ledger: f.ledger } : {}),
    at: f.at,
    day: c.day,
    entries: c.entries,
    exits: c.exits,
    peopleInside: c.peopleInside,
    visitorsInside: c.visitorsInside,
    refusals: c.refusals,
    refusalsByReason: c.refusalsByReason,
    feverAlerts: c.feverAlerts,
    overrides: c.overrides,
    deliveries: c.deliveries,
    parcels: c.parcels,
  };
}

/**
 * Runs `fn` at most once per `ms`: the first change after a quiet spell goes out on the next turn of
 * the loop (the hub sees a lone passage at once, not `ms` later), and the changes that come while it
 * cools down go out together once at its end (a burst of passages gives two counts messages, not one per passage).
 */
export function throttle(ms: number, fn: () => void): { schedule(): void; cancel(): void; flush(): void } {
  let timer: NodeJS.Timeout | undefined;
  let pending = false;
  const run = () => {
    pending = false;
    fn();
    // Cooling down: what is scheduled meanwhile waits for the end of it.
    timer = setTimeout(() => {
      timer = undefined;
      if (pending) run();
    }, ms);
  };
  return {
    schedule() {
      if (pending) return;
      pending = true;
      if (!timer) timer = setTimeout(() => {
        timer = undefined;
        if (pending) run();
      }, 0);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = false;
    },
    flush() {
      if (!pending) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      run();
    },
  };
}
