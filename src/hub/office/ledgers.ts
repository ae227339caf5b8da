// The visitors, deliveries and quarantine-register ledgers across gates, in the passages ledger's
// page and query shape (./ledger-routes.ts): filtered by day, gate, outcome, card and ID tail; a page
// of 50 from the server by keyset cursor over a short window (one day; the last 7 days when no day
// is given); names masked unless the admin asks for the full view, which is audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dayRange } from '../../store/time.js';
import type { HubReader, PassageQuery } from '../storage/read.js';
import { maskName, maskPlate } from './mask.js';
import { OfficeError, type OfficeHelpers } from './routes.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const WINDOW_MS = 7 * 86_400_000;
type Q = Record<string, string | undefined>;
type Data = Record<string, unknown>;

/** The filters every ledger takes, as a reader query (the window, the gate, the card and the ID tail). */
/** `timeZone`: the villages' (office.timeZone): `?day=` is a day there, not on the hub machine's clock. */
export function ledgerQuery(q: Q, now: number, cardField: string, timeZone = 'Asia/Shanghai'): PassageQuery & { fields: Record<string, string> } {
  const f: PassageQuery & { fields: Record<string, string> } = { limit: Math.max(1, Math.min(200, Number(q.limit) || 50)), fields: {} };
  if (q.gate) {
    const [site, gate] = q.gate.split('/');
    if (!site || !gate) throw new OfficeError(400, 'VALIDATION', '卡口格式应为 小区/卡口', 'gate must be site/gate');
    f.site = site;
    f.gate = gate;
  }
  if (q.day) {
    if (!DAY.test(q.day)) throw new OfficeError(400, 'VALIDATION', '日期格式应为 YYYY-MM-DD', 'day must be YYYY-MM-DD');
    Object.assign(f, dayRange(q.day, timeZone));
  } else if (q.window !== 'all') {
    f.from = now - WINDOW_MS;
  }
  if (q.card) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(q.card)) throw new OfficeError(400, 'VALIDATION', '卡号只能含字母、数字、- 和 _', 'card: letters, digits, - and _');
    f.fields[cardField] = q.card;
  }
  if (q.idTail) {
    if (!/^[0-9Xx]{4}$/.test(q.idTail)) throw new OfficeError(400, 'VALIDATION', '身份证尾号为4位', 'idTail: the last 4 characters of an ID number');
    f.fields.idTail = q.idTail.toUpperCase();
  }
  if (q.cursor) f.cursor = q.cursor.slice(0, 200);
  return f;
}

const cursorError = (err: Error): never => {
  if (/cursor/.test(err.message)) throw new OfficeError(400, 'VALIDATION', '翻页标记无效，请从第一页开始', err.message);
  throw err;
};

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const base = (r: Data) => ({ site: r.site as string, gate: r.gate as string, seq: Number(r.seq), at: Number(r.at) });

/** Visitor registrations; "where they went" (the household visited) and whether they signed out. */
function visitorRow(r: Data, out: Data | undefined, full: boolean) {
  const d = (r.data ?? {}) as Data;
  const signedOutAt = num(out?.signedOutAt) ?? num(d.signedOutAt);
  return {
    ...base(r),
    id: str(d.id),
    name: full ? (str(d.name) ?? str(d.nameMasked)) : (maskName(d.name) ?? str(d.nameMasked)),
    idTail: str(d.idTail),
    origin: str(d.origin),
    travel: Array.isArray(d.travel) ? (d.travel as string[]).slice(0, 10) : [],
    host: str(d.hostHouseholdId),
    reason: str(d.reason),
    plate: full ? str(d.plate) : maskPlate(d.plate),
    escort: full ? (str(d.escort) ?? str(d.escortMasked)) : (maskName(d.escort) ?? str(d.escortMasked)),
    registeredAt: num(d.registeredAt) ?? Number(r.at),
    registeredBy: str(d.registeredBy),
    signedOutAt: signedOutAt ?? null,
    signedOutBy: str(out?.signedOutBy) ?? str(d.signedOutBy) ?? null,
  };
}

function deliveryRow(r: Data, collected: Data | undefined) {
  const d = (r.data ?? {}) as Data;
  return {
    ...base(r),
    id: str(d.id),
    company: str(d.company),
    parcels: num(d.parcels) ?? 1,
    household: str(d.householdId),
    note: str(d.note),
    recordedBy: str(d.recordedBy),
    collectedAt: num(collected?.collectedAt) ?? num(d.collectedAt) ?? null,
    collectedBy: str(collected?.collectedBy) ?? str(d.collectedBy) ?? null,
  };
}

function quarantineRow(r: Data) {
  const d = (r.data ?? {}) as Data;
  const next = (d.next ?? null) as { kind?: string; until?: number } | null;
  const prev = (d.previous ?? null) as { kind?: string; until?: number } | null;
  const signOff = (d.signOff ?? null) as { signedBy?: string[]; tests?: number[] } | null;
  return {
    ...base(r),
    personId: str(d.personId),
    name: str(d.nameMasked),
    idTail: str(d.idTail),
    household: str(d.householdId),
    cause: str(d.cause) ?? str(d.type),
    tier: next?.kind ?? null,
    until: num(next?.until) ?? null,
    previous: prev?.kind ? { kind: prev.kind, until: num(prev.until) ?? null } : null,
    released: next === null && str(d.type) === 'quarantine-change',
    signedBy: Array.isArray(signOff?.signedBy) ? signOff.signedBy.slice(0, 8) : [],
    tests: Array.isArray(signOff?.tests) ? signOff.tests.filter((t) => typeof t === 'number').slice(0, 8) : [],
    note: str(d.note),
  };
}

/** The later event of each id (a sign-out, a collection) of the page's records, from the same gates. */
async function laterEvents(reader: HubReader, items: Data[], type: string, f: PassageQuery): Promise<Map<string, Data>> {
  const out = new Map<string, Data>();
  if (!items.length) return out;
  const from = Math.min(...items.map((r) => Number(r.at)));
  const later = await reader.events('visitor_events', { ...(f.site ? { site: f.site } : {}), ...(f.gate ? { gate: f.gate } : {}), from, types: [type], limit: 500 });
  for (const e of later.items) {
    const d = (e.data ?? {}) as Data;
    if (typeof d.id === 'string' && !out.has(`${e.site}/${e.gate}/${d.id}`)) out.set(`${e.site}/${e.gate}/${d.id}`, d);
  }
  return out;
}

/**
 * A page of rows that pass a filter the database cannot apply (a sign-out, a collection, a release
 * found in later events): pages are read until it is full or the rows run out, at most 10 reads.
 */
async function fillPage<T>(limit: number, first: string | undefined, read: (cursor: string | undefined) => Promise<{ rows: T[]; next: string | null }>, keep: (row: T) => boolean): Promise<{ items: T[]; next: string | null }> {
  const items: T[] = [];
  let cursor = first;
  let next: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page = await read(cursor);
    for (const r of page.rows) if (keep(r)) items.push(r);
    next = page.next;
    if (!next || items.length >= limit) break;
    cursor = next;
  }
  return { items, next };
}

export function moreLedgerRoutes(reader: HubReader, now: () => number = Date.now, timeZone = 'Asia/Shanghai') {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    const open = async (req: FastifyRequest, what: string) => {
      const q = req.query as Q;
      const full = q.full === '1';
      const s = await h.need(req, full ? 'full-view' : 'view');
      const audit = async (rows: number) => {
        if (full) await h.audit(req, s, `${what}.full-view`, q.gate ?? 'all', { day: q.day ?? null, outcome: q.outcome ?? null, card: q.card ?? null, idTail: q.idTail ?? null, rows });
      };
      return { q, full, audit };
    };
    const keyOf = (r: Data) => `${r.site}/${r.gate}/${((r.data ?? {}) as Data).id}`;

    app.get('/office/api/visitors', async (req) => {
      const { q, full, audit } = await open(req, 'visitors');
      if (q.outcome && q.outcome !== 'inside' && q.outcome !== 'signed-out') throw new OfficeError(400, 'VALIDATION', '结果应为 inside 或 signed-out', 'outcome must be inside or signed-out');
      const f = ledgerQuery(q, now(), 'id', timeZone);
      // A page of registrations; those whose sign-out does not match the outcome filter are passed over.
      const { items, next } = await fillPage(
        f.limit ?? 50,
        f.cursor,
        async (cursor) => {
          const page = await reader.events('visitor_events', { ...f, ...(cursor ? { cursor } : {}), types: ['visitor-registered'] }).catch(cursorError);
          const outs = await laterEvents(reader, page.items, 'visitor-signed-out', f);
          return { rows: page.items.map((r) => visitorRow(r, outs.get(keyOf(r)), full)), next: page.next };
        },
        (row) => !q.outcome || (q.outcome === 'inside') === (row.signedOutAt === null),
      );
      await audit(items.length);
      return { items, next, full };
    });

    app.get('/office/api/deliveries', async (req) => {
      const { q, audit } = await open(req, 'deliveries');
      if (q.outcome && q.outcome !== 'waiting' && q.outcome !== 'collected') throw new OfficeError(400, 'VALIDATION', '结果应为 waiting 或 collected', 'outcome must be waiting or collected');
      const f = ledgerQuery(q, now(), 'householdId', timeZone);
      const { items, next } = await fillPage(
        f.limit ?? 50,
        f.cursor,
        async (cursor) => {
          const page = await reader.events('visitor_events', { ...f, ...(cursor ? { cursor } : {}), types: ['delivery-recorded'] }).catch(cursorError);
          const got = await laterEvents(reader, page.items, 'delivery-collected', f);
          return { rows: page.items.map((r) => deliveryRow(r, got.get(keyOf(r)))), next: page.next };
        },
        (r) => !q.outcome || (q.outcome === 'waiting') === (r.collectedAt === null),
      );
      await audit(items.length);
      return { items, next, full: q.full === '1' };
    });

    app.get('/office/api/quarantine', async (req) => {
      const { q, audit } = await open(req, 'quarantine');
      const f = ledgerQuery(q, now(), 'personId', timeZone);
      if (q.window === undefined && !q.day) f.from = now() - 30 * 86_400_000;
      const { items, next } = await fillPage(
        f.limit ?? 50,
        f.cursor,
        async (cursor) => {
          const page = await reader.events('quarantine_changes', { ...f, ...(cursor ? { cursor } : {}), types: ['quarantine-change'] }).catch(cursorError);
          return { rows: page.items.map(quarantineRow), next: page.next };
        },
        (r) => !q.outcome || (q.outcome === 'released' ? r.released : r.tier === q.outcome),
      );
      await audit(items.length);
      return { items, next, full: q.full === '1' };
    });
  };
}
