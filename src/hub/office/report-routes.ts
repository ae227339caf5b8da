// The daily report's routes: the report of a day, its exports (CSV in UTF-8 with a BOM and in GBK,
// XLSX), and the office setting and resetting a compound's epidemic-free days. Every export and every
// change is audited.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { isDay } from '../../store/time.js';
import type { HubTables } from '../storage/tables.js';
import { dailyReport, reportCsv, reportXlsx } from './daily-report.js';
import { CASE_KINDS, type CaseKind, FreeDays, FreeDaysError } from './free-days.js';
import { OfficeError, type OfficeHelpers } from './routes.js';

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

export function reportRoutes(db: Kysely<HubTables>, today: () => string, o: { now?: () => number; timeZone?: string } = {}) {
  const now = o.now ?? (() => Date.now());
  const free = new FreeDays(db);
  const dayOf = (v: string | undefined, name = 'day') => {
    const day = v || today();
    if (!isDay(day)) throw new OfficeError(400, 'VALIDATION', '日期格式应为 YYYY-MM-DD', `${name} must be YYYY-MM-DD`);
    return day;
  };
  const knownSite = async (site: string) => {
    const hit = await db.selectFrom('histories').select('site').where('site', '=', site).limit(1).executeTakeFirst();
    if (!hit) throw new OfficeError(404, 'NOT_FOUND', '没有这个小区', `No compound "${site.slice(0, 64)}" has reported to this hub`);
  };
  const refused = (err: unknown): never => {
    if (err instanceof FreeDaysError) throw new OfficeError(400, 'VALIDATION', `输入有误：${err.message}`, err.message);
    throw err;
  };
  const stamp = () => new Intl.DateTimeFormat('sv-SE', { timeZone: o.timeZone ?? 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(new Date(now()));

  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.get('/office/api/report', async (req) => {
      await h.need(req, 'view');
      return { ...(await dailyReport(db, dayOf((req.query as Record<string, string | undefined>).day))), generatedAt: stamp() };
    });
    app.get('/office/api/report.csv', async (req, reply) => {
      const s = await h.need(req, 'view');
      const q = req.query as Record<string, string | undefined>;
      const day = dayOf(q.day);
      const encoding = q.encoding === 'gbk' ? 'gbk' : 'utf8';
      const data = reportCsv(await dailyReport(db, day), encoding);
      await h.audit(req, s, 'report.export', day, { format: 'csv', encoding });
      return reply
        .header('content-type', `text/csv; charset=${encoding === 'gbk' ? 'gbk' : 'utf-8'}`)
        .header('content-disposition', `attachment; filename="daily-report-${day}-${encoding}.csv"`)
        .send(data);
    });
    app.get('/office/api/report.xlsx', async (req, reply) => {
      const s = await h.need(req, 'view');
      const day = dayOf((req.query as Record<string, string | undefined>).day);
      const data = await reportXlsx(await dailyReport(db, day), stamp());
      await h.audit(req, s, 'report.export', day, { format: 'xlsx' });
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="daily-report-${day}.xlsx"`)
        .send(data);
    });

    // 无疫情天数 set and reset by the office (seed 004 篇四; ./free-days.ts).
    app.post('/office/api/free-days/:site', { bodyLimit: 4096 }, async (req) => {
      const s = await h.need(req, 'report.edit');
      const site = text((req.params as Record<string, string>).site, 64);
      await knownSite(site);
      const b = (req.body ?? {}) as Record<string, unknown>;
      const days = typeof b.days === 'number' ? b.days : typeof b.days === 'string' && /^\d+$/.test(b.days) ? Number(b.days) : Number.NaN;
      const asOf = dayOf(text(b.asOf, 10) || undefined, 'asOf');
      const note = text(b.note, 200);
      const since = await free.set(site, days, asOf, s.user.name, now(), note).catch(refused);
      await h.audit(req, s, 'free-days.set', site, { days, asOf, since, ...(note ? { note } : {}) });
      return { site, since };
    });
    app.post('/office/api/free-days/:site/cases', { bodyLimit: 4096 }, async (req) => {
      const s = await h.need(req, 'report.edit');
      const site = text((req.params as Record<string, string>).site, 64);
      await knownSite(site);
      const b = (req.body ?? {}) as Record<string, unknown>;
      const kind = b.kind as CaseKind;
      if (!CASE_KINDS.includes(kind)) throw new OfficeError(400, 'VALIDATION', '请选择类别（确诊/疑似/密接）', `kind must be one of ${CASE_KINDS.join(', ')}`);
      const leftDay = text(b.leftDay, 10);
      const note = text(b.note, 200);
      const c = await free.recordCase({ site, kind, foundDay: dayOf(text(b.foundDay, 10) || undefined, 'foundDay'), ...(leftDay ? { leftDay: dayOf(leftDay, 'leftDay') } : {}), ...(note ? { note } : {}) }, s.user.name, now()).catch(refused);
      await h.audit(req, s, 'free-days.case', site, { id: c.id, kind, foundDay: c.foundDay, leftDay: c.leftDay, ...(note ? { note } : {}) });
      return { case: c };
    });
    app.post('/office/api/free-days/cases/:id/left', { bodyLimit: 4096 }, async (req) => {
      const s = await h.need(req, 'report.edit');
      const id = text((req.params as Record<string, string>).id, 64);
      const leftDay = dayOf(text((req.body as Record<string, unknown> | null)?.leftDay, 10) || undefined, 'leftDay');
      const c = await free.left(id, leftDay).catch(refused);
      await h.audit(req, s, 'free-days.left', c.site, { id, leftDay });
      return { case: c };
    });
    app.post('/office/api/free-days/cases/:id/void', { bodyLimit: 4096 }, async (req) => {
      const s = await h.need(req, 'report.edit');
      const id = text((req.params as Record<string, string>).id, 64);
      const note = text((req.body as Record<string, unknown> | null)?.note, 200);
      const c = await free.void(id, s.user.name, now()).catch(refused);
      await h.audit(req, s, 'free-days.void', c.site, { id, kind: c.kind, foundDay: c.foundDay, ...(note ? { note } : {}) });
      return { case: c };
    });
  };
}
