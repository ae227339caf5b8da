// Settings (admin): zone level, thresholds, operators, devices and MQTT state, calibration, audit log.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ZoneLevel } from '../../gate/model.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';
import { deviceView } from '../views.js';

const Zone = Type.Union([Type.Literal('normal'), Type.Literal('precaution'), Type.Literal('controlled'), Type.Literal('sealed')]);

export function settingsRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx, runtime, devices } = state.deps;
  const admin = requireRole(state, 'admin');
  const nextVersion = (kind: string) => Math.max(0, ...ledger.policyStates().filter((p) => p.kind === kind).map((p) => p.version)) + 1;
  const thermometers = () => ctx.config.lanes.flatMap((l) => l.thermometers.map((t) => t.id));

  app.get('/api/settings', { preHandler: admin }, async () => {
    const policy = ledger.policy();
    return {
      zoneLevel: policy.zoneLevel,
      riskAreas: policy.riskAreas,
      policies: ledger.policyStates().map((p) => ({ kind: p.kind, version: p.version, appliedAt: p.appliedAt, payload: p.kind === 'thresholds' ? p.payload : undefined })),
      rules: ctx.config.rules,
      devices: runtime.devices().map(deviceView),
      calibrations: devices ? thermometers().map((id) => ({ id, ...devices.calibration(id) })) : [],
      sync: (state.deps.sync ?? (() => runtime.sync()))(),
      storage: ledger.health(),
      operators: ledger.operators(),
    };
  });

  app.post('/api/settings/zone-level', { preHandler: admin, schema: { body: Type.Object({ level: Zone }, { additionalProperties: false }) } }, async (req) => {
    const level = (req.body as { level: ZoneLevel }).level;
    const actor = operatorOf(req).operatorId;
    const r = asUserError(() => ledger.applyPolicy('zone-level', nextVersion('zone-level'), level, actor));
    ctx.bus.emit('ledger.changed', { what: 'policy' });
    return { zoneLevel: ledger.policy().zoneLevel, result: r };
  });

  app.post(
    '/api/settings/thresholds',
    {
      preHandler: admin,
      schema: {
        body: Type.Object(
          {
            feverThreshold: Type.Optional(Type.Number({ minimum: 35, maximum: 40 })),
            temperatureFloor: Type.Optional(Type.Number({ minimum: 30, maximum: 36.5 })),
            riskAreaLookbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
            nucleicTestMaxAgeHours: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 720 }), Type.Null()])),
            householdQuotaDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 14 })),
            vaccinationRequired: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const actor = operatorOf(req).operatorId;
      const r = asUserError(() => ledger.applyPolicy('thresholds', nextVersion('thresholds'), req.body, actor));
      ctx.bus.emit('ledger.changed', { what: 'policy' });
      return { result: r };
    },
  );

  app.post(
    '/api/settings/calibration/:device',
    {
      preHandler: admin,
      schema: {
        params: Type.Object({ device: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ offset: Type.Optional(Type.Number({ minimum: -5, maximum: 5 })), ambientCompensation: Type.Optional(Type.Boolean()), ambientCelsius: Type.Optional(Type.Union([Type.Number(), Type.Null()])) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const id = (req.params as { device: string }).device;
      if (!devices || !thermometers().includes(id)) return fail('NO_DEVICES', { zh: id, en: id });
      const actor = operatorOf(req).operatorId;
      const c = asUserError(() => devices.calibrate(id, req.body as { offset?: number }));
      ledger.audit(actor, 'config-change', { kind: 'calibration', device: id, ...c });
      return { id, ...c };
    },
  );

  app.get('/api/audit', { preHandler: admin, schema: { querystring: Type.Object({ action: Type.Optional(Type.String({ maxLength: 40 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } }, async (req) => {
    const q = req.query as { action?: string; limit?: number };
    return ledger.auditLog({ ...(q.action ? { action: q.action } : {}), limit: q.limit ?? 100 });
  });

  app.get('/api/operators', { preHandler: admin }, async () => ledger.operators());

  app.post(
    '/api/operators',
    {
      preHandler: admin,
      schema: { body: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$' }), name: Type.String({ minLength: 1, maxLength: 40 }), role: Type.Union([Type.Literal('volunteer'), Type.Literal('admin')]), pin: Type.String({ pattern: '^[0-9]{6,12}$' }) }, { additionalProperties: false }) },
    },
    async (req, reply) => {
      const b = req.body as { id: string; name: string; role: 'volunteer' | 'admin'; pin: string };
      if (ledger.operators().some((o) => o.id === b.id)) fail('OPERATOR_EXISTS');
      const op = asUserError(() => ledger.createOperator({ ...b, name: b.name.trim() }, operatorOf(req).operatorId));
      reply.code(201);
      return op;
    },
  );

  app.post('/api/operators/:id/active', { preHandler: admin, schema: { params: Type.Object({ id: Type.String({ maxLength: 32 }) }), body: Type.Object({ active: Type.Boolean() }, { additionalProperties: false }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const active = (req.body as { active: boolean }).active;
    if (!active && id === operatorOf(req).operatorId) fail('VALIDATION', { zh: '不能停用自己', en: 'you cannot deactivate yourself' });
    asUserError(() => ledger.setOperatorActive(id, active, operatorOf(req).operatorId));
    if (!active) state.sessions.destroyOperator(id);
    return { id, active };
  });

  app.post('/api/operators/:id/pin', { preHandler: admin, schema: { params: Type.Object({ id: Type.String({ maxLength: 32 }) }), body: Type.Object({ pin: Type.String({ pattern: '^[0-9]{6,12}$' }) }, { additionalProperties: false }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    asUserError(() => ledger.setOperatorPin(id, (req.body as { pin: string }).pin, operatorOf(req).operatorId));
    return { id };
  });
}
