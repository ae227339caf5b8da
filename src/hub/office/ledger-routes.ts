// The passages ledger and the daily report across gates. The ledger: filtered by day, gate and outcome, paginated on the server by
// keyset (50 a page, never everything), personal data masked; the full view is the admin's only and
// each one is audited.
import type { FastifyInstance } from 'fastify';
import { dayRange } from '../../store/time.js';
import type { HubReader } from '../storage/read.js';
import { ledgerQuery } from './ledgers.js';
import { maskName, maskPlate } from './mask.js';
import { OfficeError, type OfficeHelpers } from './routes.js';

/** 张桂兰 → 张**; a plate 浙A·12345 → 浙A·***45. */
interface Row {
  site: string;
  gate: string;
  seq: number;
  at: number;
  lane: string | null;
  direction: string | null;
  outcome: string | null;
  subject: { kind?: string; id?: string; name?: string; idTail?: string; vehiclePlate?: string } | null;
  reasons: Array<{ code: string; zh: string; en: string }>;
  temperature: number | null;
}

function rowOf(p: Record<string, unknown>, full: boolean): Row {
  const d = (p.data ?? {}) as Record<string, unknown>;
  const s = (d.subject ?? null) as Record<string, unknown> | null;
  const temps = Array.isArray(d.temperatures) ? (d.temperatures as Array<{ celsius?: number }>) : [];
  return {
    site: p.site as string,
    gate: p.gate as string,
    seq: Number(p.seq),
    at: Number(p.at),
    lane: (p.lane as string | null) ?? null,
    direction: (p.direction as string | null) ?? null,
    outcome: (p.outcome as string | null) ?? null,
    subject: s
      ? {
          ...(typeof s.kind === 'string' ? { kind: s.kind } : {}),
          ...(typeof s.id === 'string' ? { id: s.id } : {}),
          ...((full ? s.name : maskName(s.name)) ? { name: (full ? s.name : maskName(s.name)) as string } : {}),
          ...(typeof s.idTail === 'string' ? { idTail: s.idTail } : {}),
          ...((full ? s.vehiclePlate : maskPlate(s.vehiclePlate)) ? { vehiclePlate: (full ? s.vehiclePlate : maskPlate(s.vehiclePlate)) as string } : {}),
        }
      : null,
    reasons: Array.isArray(d.reasons) ? (d.reasons as Row['reasons']).slice(0, 5) : [],
    temperature: typeof temps.at(-1)?.celsius === 'number' ? (temps.at(-1)?.celsius as number) : null,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function ledgerRoutes(reader: HubReader, timeZone = 'Asia/Shanghai') {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.get('/office/api/passages', async (req) => {
      const q = req.query as Record<string, string | undefined>;
      const full = q.full === '1';
      const s = await h.need(req, full ? 'full-view' : 'view');
      const f: Parameters<HubReader['passages']>[0] = { limit: Math.max(1, Math.min(200, Number(q.limit) || 50)) };
      if (q.gate) {
        const [site, gate] = q.gate.split('/');
        if (!site || !gate) throw new OfficeError(400, 'VALIDATION', '卡口格式应为 小区/卡口', 'gate must be site/gate');
        f.site = site;
        f.gate = gate;
      }
      if (q.outcome) f.outcome = q.outcome.slice(0, 32);
      if (q.day) {
        if (!DAY.test(q.day)) throw new OfficeError(400, 'VALIDATION', '日期格式应为 YYYY-MM-DD', 'day must be YYYY-MM-DD');
        Object.assign(f, dayRange(q.day, timeZone));
      }
      if (q.cursor) f.cursor = q.cursor.slice(0, 200);
      // The card and the ID tail, as ./ledgers.ts takes them.
      const { fields } = ledgerQuery({ ...(q.card ? { card: q.card } : {}), ...(q.idTail ? { idTail: q.idTail } : {}) }, 0, 'id');
      if (Object.keys(fields).length) f.fields = fields;
      const page = await reader.passages(f).catch((err: Error) => {
        throw /cursor/.test(err.message) ? new OfficeError(400, 'VALIDATION', '翻页标记无效，请从第一页开始', err.message) : err;
      });
      if (full) await h.audit(req, s, 'passages.full-view', q.gate ?? 'all', { day: q.day ?? null, outcome: q.outcome ?? null, card: q.card ?? null, idTail: q.idTail ?? null, rows: page.items.length });
      return { items: page.items.map((p) => rowOf(p, full)), next: page.next, full };
    });
  };
}

// The daily report's routes live in ./report-routes.ts.
export { reportRoutes } from './report-routes.js';
