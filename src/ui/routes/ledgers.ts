// Ledgers (台账): search passages, refusals, visitors and alerts; export masked, or full for an admin (audited).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { PassageOutcome } from '../../gate/model.js';
import type { ExportKind } from '../../store/api.js';
import { EXPORT_KINDS, exportLedger } from '../../store/export.js';
import { localDay } from '../../store/time.js';
import { type KioskState, operatorOf, requireRole, villageDayRange } from '../context.js';
import { fail } from '../errors.js';
import { alertRecordView, recordedView } from '../views.js';

const Outcome = Type.Union([Type.Literal('admitted'), Type.Literal('refused'), Type.Literal('overridden'), Type.Literal('abandoned')]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export function ledgerRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');

  app.get(
    '/api/passages',
    {
      preHandler: volunteer,
      schema: {
        querystring: Type.Object({
          text: Type.Optional(Type.String({ maxLength: 40 })),
          outcome: Type.Optional(Outcome),
          direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])),
          reason: Type.Optional(Type.String({ maxLength: 40 })),
          from: Type.Optional(Type.Integer({ minimum: 0 })),
          to: Type.Optional(Type.Integer({ minimum: 0 })),
          day: Type.Optional(Day),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (req) => {
      const q = req.query as { text?: string; outcome?: PassageOutcome; direction?: 'in' | 'out'; reason?: string; from?: number; to?: number; day?: string; limit?: number; beforeSeq?: number };
      const { reason, day, ...rest } = q;
      return ledger.passages({ ...rest, ...villageDayRange(day, ctx.config.site.timezone), ...(reason ? { reasonCode: reason } : {}), limit: q.limit ?? 50 }).map((r) => recordedView(r, true));
    },
  );

  app.get(
    '/api/alerts',
    { preHandler: volunteer, schema: { querystring: Type.Object({ unacknowledged: Type.Optional(Type.Boolean()), from: Type.Optional(Type.Integer({ minimum: 0 })), day: Type.Optional(Day), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } },
    async (req) => {
      const q = req.query as { unacknowledged?: boolean; from?: number; day?: string; limit?: number };
      return ledger.alerts({ unacknowledgedOnly: q.unacknowledged === true, ...(q.from !== undefined ? { from: q.from } : {}), ...villageDayRange(q.day, ctx.config.site.timezone), limit: q.limit ?? 50 }).map(alertRecordView);
    },
  );

  app.get(
    '/api/export',
    {
      preHandler: volunteer,
      schema: {
        querystring: Type.Object({
          what: Type.Union(EXPORT_KINDS.map((k) => Type.Literal(k))),
          from: Type.Optional(Day),
          to: Type.Optional(Day),
          format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')])),
          full: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query as { what: ExportKind; from?: string; to?: string; format?: 'csv' | 'xlsx'; full?: boolean };
      const s = operatorOf(req);
      if (q.full && s.role !== 'admin') fail('FORBIDDEN', { zh: '完整导出仅限管理员', en: 'a full (unmasked) export is for an administrator' });
      const today = localDay(state.now(), ctx.config.site.timezone);
      const from = q.from ?? today;
      const to = q.to ?? today;
      if (to < from) fail('VALIDATION', { zh: '结束日期早于开始日期', en: 'the range ends before it starts' });
      const r = await exportLedger(ledger, { what: q.what, from, to, format: q.format ?? 'csv', timeZone: ctx.config.site.timezone, full: q.full === true, operatorId: s.operatorId });
      if (!q.full) ledger.audit(s.operatorId, 'export', { what: q.what, from, to, rows: r.rows, format: q.format ?? 'csv' });
      reply.header('content-disposition', `attachment; filename="${r.filename}"`);
      reply.type(r.contentType);
      return r.data;
    },
  );
}
