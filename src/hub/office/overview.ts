// The overview's gate cards: each gate of each compound with its link (online, last seen, clock),
// today's counts (from its retained counts message), open alerts, missing seq ranges, outbox depth
// and device health, and what needs action first: unacknowledged critical alerts, offline gates,
// missing ranges, an unsynced clock, faulty devices.
import { REASONS } from '../../gate/text.js';
import type { HubReader } from '../storage/read.js';
import type { AlertDesk } from './alerts.js';

export interface GateCard {
  site: string;
  gate: string;
  online: boolean;
  lastSeen: number;
  clockSynced: boolean | null;
  zoneLevel: string | null;
  outboxDepth: number | null;
  today: { day: string; entries: number; exits: number; refusals: number; refusalsByReason: Record<string, number>; refusalReasons: RefusalReason[]; peopleInside: number; visitorsInside: number; feverAlerts: number } | null;
  openAlerts: number;
  unackedCritical: number;
  missingCount: number;
  missing: Array<[number, number]>;
  devicesFaulty: string[];
  needs: string[];
}

/** A refusal reason of the day in words: the gate's own catalogue (src/gate/text.ts), so the office says what the kiosk said. */
export interface RefusalReason {
  code: string;
  n: number;
  zh: string;
  en: string;
}

export function refusalReasons(byReason: unknown): RefusalReason[] {
  if (!byReason || typeof byReason !== 'object') return [];
  return Object.entries(byReason as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'number' && v > 0)
    .map(([code, v]) => {
      const t = (REASONS as Record<string, { zh: string; en: string } | undefined>)[code];
      return { code, n: v as number, zh: t?.zh ?? code, en: t?.en ?? code };
    })
    .sort((a, b) => b.n - a.n || a.code.localeCompare(b.code));
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export async function gateCards(reader: HubReader, desk: AlertDesk, today: string): Promise<GateCard[]> {
  const [histories, open] = await Promise.all([reader.histories(), desk.openByGate()]);
  const current = new Map<string, (typeof histories)[number]>();
  for (const h of histories) {
    const k = `${h.site}/${h.gate}`;
    const c = current.get(k);
    if (!c || h.lastSeen > c.lastSeen || (h.lastSeen === c.lastSeen && h.id > c.id)) current.set(k, h);
  }
  const cards = [...current.entries()].map(([k, h]): GateCard => {
    const st = h.state ?? {};
    const ct = h.counts ?? {};
    const online = st.status === 'online';
    const devices = Array.isArray(st.devices) ? (st.devices as Array<Record<string, unknown>>) : [];
    const faulty = devices.filter((d) => d.state !== 'connected').map((d) => `${String(d.kind ?? d.driver ?? '?')}@${String(d.lane ?? '')}`);
    const a = open.get(k) ?? { open: 0, unackedCritical: 0 };
    const isToday = ct.day === today;
    const card: GateCard = {
      site: h.site,
      gate: h.gate,
      online,
      lastSeen: h.lastSeen,
      clockSynced: typeof st.clockSynced === 'boolean' ? st.clockSynced : null,
      zoneLevel: typeof st.zoneLevel === 'string' ? st.zoneLevel : null,
      outboxDepth: typeof st.outboxDepth === 'number' ? st.outboxDepth : null,
      today: isToday
        ? { day: String(ct.day), entries: n(ct.entries), exits: n(ct.exits), refusals: n(ct.refusals), refusalsByReason: (ct.refusalsByReason as Record<string, number>) ?? {}, refusalReasons: refusalReasons(ct.refusalsByReason), peopleInside: n(ct.peopleInside), visitorsInside: n(ct.visitorsInside), feverAlerts: n(ct.feverAlerts) }
        : null,
      openAlerts: a.open,
      unackedCritical: a.unackedCritical,
      missingCount: h.missingCount,
      missing: h.missing.slice(0, 20),
      devicesFaulty: faulty,
      needs: [],
    };
    if (a.unackedCritical) card.needs.push('critical-alert');
    if (!online) card.needs.push('offline');
    if (h.missingCount) card.needs.push('missing-seqs');
    if (card.clockSynced === false) card.needs.push('clock');
    if (faulty.length) card.needs.push('devices');
    if ((card.outboxDepth ?? 0) > 1000) card.needs.push('outbox');
    return card;
  });
  const weight = (c: GateCard) => (c.unackedCritical ? 0 : c.needs.length ? 1 : 2);
  return cards.sort((x, y) => weight(x) - weight(y) || x.site.localeCompare(y.site) || x.gate.localeCompare(y.gate));
}
