// The returnee loop closed at the village: 报备 for a returning resident (the policy applied at once),
// and the admin's set / change / release of a person's tier with the sign-off the practice asks.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { addDays, localTime } from '../../store/time.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A local day, YYYY-MM-DD' });
const PersonParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const Tier = Type.Union([Type.Literal('home'), Type.Literal('central'), Type.Literal('monitoring'), Type.Literal('daily')]);
const NO_PERSON = { zh: '花名册上没有这个人', en: 'no such person on the roster' };

export function tierRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const admin = requireRole(state, 'admin');
  const tz = ctx.config.site.timezone;
  const day = (d: string) => asUserError(() => localTime(d, tz));

  app.post(
    '/api/persons/:id/report',
    {
      preHandler: volunteer,
      schema: {
        params: PersonParams,
        body: Type.Object(
          { from: Type.String({ minLength: 1, maxLength: 128 }), arrivedDay: Day, testDay: Type.Optional(Day), greenCode: Type.Optional(Type.Boolean()), vaccinated: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body as { from: string; arrivedDay: string; testDay?: string; greenCode?: boolean; vaccinated?: boolean };
      const report = {
        personId: (req.params as { id: string }).id,
        from: b.from.trim(),
        arrivedAt: day(b.arrivedDay),
        ...(b.testDay ? { testAt: day(b.testDay) } : {}),
        ...(b.greenCode !== undefined ? { greenCode: b.greenCode } : {}),
        ...(b.vaccinated !== undefined ? { vaccinated: b.vaccinated } : {}),
      };
      const r = asUserError(() => ledger.reportReturnee(report, operatorOf(req).operatorId, { quarantineDays: ctx.config.rules.quarantineDays, lookbackDays: ctx.config.rules.riskAreaLookbackDays }));
      return r ?? fail('NOT_FOUND', NO_PERSON);
    },
  );

  app.post(
    '/api/persons/:id/quarantine',
    { preHandler: admin, schema: { params: PersonParams, body: Type.Object({ kind: Tier, lastDay: Day, note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }) } },
    async (req) => {
      const b = req.body as { kind: 'home' | 'central' | 'monitoring' | 'daily'; lastDay: string; note?: string };
      // Through the last day, inclusive: the tier ends at 00:00 the next local day.
      const next = { kind: b.kind, until: day(addDays(b.lastDay, 1)) };
      const c = asUserError(() => ledger.setQuarantine((req.params as { id: string }).id, next, { cause: 'admin', ...(b.note ? { note: b.note } : {}) }, operatorOf(req).operatorId));
      return c ?? fail('NOT_FOUND', NO_PERSON);
    },
  );

  app.post(
    '/api/persons/:id/release',
    {
      preHandler: admin,
      schema: {
        params: PersonParams,
        body: Type.Object(
          { signedBy: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 5 }), testDays: Type.Array(Day, { minItems: 2, maxItems: 4 }), note: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body as { signedBy: string[]; testDays: string[]; note?: string };
      const signOff = { signedBy: b.signedBy, tests: b.testDays.map(day) };
      const c = asUserError(() => ledger.setQuarantine((req.params as { id: string }).id, null, { cause: 'release', signOff, ...(b.note ? { note: b.note } : {}) }, operatorOf(req).operatorId));
      return c ?? fail('NOT_FOUND', NO_PERSON);
    },
  );
}
