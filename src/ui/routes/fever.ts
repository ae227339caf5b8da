// Fever held at the gate (seed 002): the fever-handling card the volunteer fills in with taps — who
// was called, when, handed over to whom, the outcome. Kept beside the passage, audited, sent up.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { FeverCase, FeverUpdate } from '../../store/api.js';
import { FEVER_OUTCOMES } from '../../store/fever.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';
import { recordedView } from '../views.js';

const Text = (max: number) => Type.Optional(Type.String({ minLength: 1, maxLength: max }));
const PassageParams = Type.Object({ passageId: Type.String({ minLength: 1, maxLength: 80 }) });

export function feverRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const view = (c: FeverCase) => {
    const p = ledger.passage(c.passageId);
    return { ...c, passage: p ? recordedView(p) : null };
  };

  app.get('/api/fever', { preHandler: volunteer, schema: { querystring: Type.Object({ open: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } }, async (req) => {
    const q = req.query as { open?: boolean; limit?: number };
    return ledger.feverCases({ openOnly: q.open !== false, limit: q.limit ?? 50 }).map(view);
  });

  app.get('/api/fever/:passageId', { preHandler: volunteer, schema: { params: PassageParams } }, async (req) => {
    const c = ledger.feverCase((req.params as { passageId: string }).passageId);
    return c ? view(c) : fail('NOT_FOUND', { zh: '没有这条发热处置记录', en: 'no fever case for this passage' });
  });

  app.post(
    '/api/fever/:passageId',
    {
      preHandler: volunteer,
      schema: {
        params: PassageParams,
        body: Type.Object(
          {
            called: Text(200),
            calledAt: Type.Optional(Type.Integer({ minimum: 0 })),
            handedTo: Text(200),
            handedAt: Type.Optional(Type.Integer({ minimum: 0 })),
            outcome: Type.Optional(Type.Union(FEVER_OUTCOMES.map((o) => Type.Literal(o)))),
            note: Text(200),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const id = (req.params as { passageId: string }).passageId;
      const c = asUserError(() => ledger.updateFever(id, req.body as FeverUpdate, operatorOf(req).operatorId));
      return c ? view(c) : fail('NOT_FOUND', { zh: '没有这条发热处置记录', en: 'no fever case for this passage' });
    },
  );
}
