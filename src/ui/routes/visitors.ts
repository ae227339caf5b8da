// Visitors (外来人员): registration form with the hub's risk-area list, printable slip, sign-out (销号), inside now.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { validateResidentId } from '../../gate/credentials/resident-id.js';
import { localDateTime } from '../../store/time.js';
import { type KioskState, operatorOf, requireRole, villageDayRange } from '../context.js';
import { asUserError, fail } from '../errors.js';
import { visitorSlip } from '../print.js';
import { visitorView } from '../views.js';

const Str = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const VisitorBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40 }),
    phone: Str(20),
    idNumber: Str(18),
    origin: Str(80),
    travel: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 30 }),
    hostHouseholdId: Str(64),
    reason: Str(200),
    escort: Str(40),
    plate: Str(12),
    temperature: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
type VisitorBodyT = { name: string; phone?: string; idNumber?: string; origin?: string; travel: string[]; hostHouseholdId?: string; reason?: string; escort?: string; plate?: string; temperature?: number };

export function visitorRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const overdueMs = ctx.config.kiosk.visitorOverdueMinutes * 60_000;
  const slipPrefix = ctx.config.rules.visitorSlipPrefix;

  app.get('/api/visitors/form', { preHandler: volunteer }, async () => ({
    riskAreas: ledger.policy().riskAreas,
    lookbackDays: ctx.config.rules.riskAreaLookbackDays,
    escortRequired: ctx.config.rules.visitorEscortRequired,
  }));

  app.post('/api/visitors', { preHandler: volunteer, schema: { body: VisitorBody } }, async (req, reply) => {
    const b = req.body as VisitorBodyT;
    const now = state.now();
    const clean = (s?: string) => (s?.trim() ? s.trim() : undefined);
    const idNumber = clean(b.idNumber);
    if (idNumber) {
      const v = validateResidentId(idNumber, now);
      if (!v.ok) fail('BAD_ID_NUMBER', { zh: v.text.zh, en: v.text.en, detail: { field: 'idNumber', problem: v.reason } });
    }
    if (b.temperature !== undefined && !(b.temperature >= 30 && b.temperature <= 45)) fail('BAD_TEMPERATURE');
    const escortRequired = ctx.config.rules.visitorEscortRequired;
    if (escortRequired && !clean(b.escort)) fail('VALIDATION', { zh: '外来人员须有专人陪同，请填写陪同人', en: 'visitors need an escort; fill in who escorts them', detail: { field: 'escort' } });
    const risky = b.travel.filter((t) => ledger.policy().riskAreas.includes(t));
    const form = {
      name: b.name.trim(),
      travel: b.travel,
      operatorId: operatorOf(req).operatorId,
      ...Object.fromEntries(
        (['phone', 'origin', 'hostHouseholdId', 'reason', 'escort'] as const).flatMap((k) => {
          const v = clean(b[k]);
          return v ? [[k, v]] : [];
        }),
      ),
      ...(idNumber ? { idNumber } : {}),
      ...(clean(b.plate) ? { plate: (clean(b.plate) as string).toUpperCase() } : {}),
      ...(b.temperature !== undefined ? { temperature: b.temperature } : {}),
    };
    const v = asUserError(() => ledger.registerVisitor(form));
    reply.code(201);
    return {
      visitor: visitorView(v, overdueMs, now),
      slip: `${slipPrefix}${v.id}`,
      warnings: risky.length ? [{ code: 'risk-area', zh: `14天内到过中高风险地区（${risky.join('、')}），不得进入`, en: `Stayed in a risk area within 14 days (${risky.join(', ')}): may not enter` }] : [],
    };
  });

  app.get('/api/visitors/inside', { preHandler: volunteer }, async () => {
    const now = state.now();
    return ledger.visitorsInside().map((v) => visitorView(v, overdueMs, now));
  });

  app.get('/api/visitors', { preHandler: volunteer, schema: { querystring: Type.Object({ text: Str(40), from: Type.Optional(Type.Integer()), to: Type.Optional(Type.Integer()), day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } }, async (req) => {
    const { day, ...q } = req.query as { text?: string; from?: number; to?: number; day?: string; limit?: number };
    const now = state.now();
    return ledger.visitors({ ...q, ...villageDayRange(day, ctx.config.site.timezone), limit: q.limit ?? 100 }).map((v) => visitorView(v, overdueMs, now));
  });

  app.post('/api/visitors/:id/sign-out', { preHandler: volunteer, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const operatorId = operatorOf(req).operatorId;
    if (!ledger.signOutVisitor(id, operatorId)) {
      const known = ledger.visitors({ text: id, limit: 5 }).some((v) => v.id === id);
      fail(known ? 'ALREADY_SIGNED_OUT' : 'NOT_FOUND');
    }
    ledger.audit(operatorId, 'visitor-signout', { id });
    return { signedOut: id };
  });

  app.get('/print/visitor/:id', { preHandler: volunteer, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) }) } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const v = ledger.visitors({ text: id, limit: 20 }).find((x) => x.id === id);
    if (!v) return fail('NOT_FOUND');
    const tz = ctx.config.site.timezone;
    const view = visitorView(v, overdueMs, state.now());
    reply.type('text/html; charset=utf-8');
    return visitorSlip({
      site: ctx.config.site.name,
      gate: ctx.config.gate.name,
      id: v.id,
      token: `${slipPrefix}${v.id}`,
      name: view.name,
      registeredAt: localDateTime(v.registeredAt, tz),
      ...(v.hostHouseholdId ? { host: v.hostHouseholdId } : {}),
      ...(view.escort ? { escort: view.escort } : {}),
      ...(v.plate ? { plate: v.plate } : {}),
    });
  });
}
