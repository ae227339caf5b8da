// The live gate: a snapshot to start from, the event stream, and the operator's inputs to the gate core.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { KioskEventMap } from '../events.js';
import type { GateInput } from '../../gate/contract.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { maskName } from '../../store/mask.js';
import { addDays, localDay, localTime } from '../../store/time.js';
import { asUserError, fail } from '../errors.js';
import { alertRecordView, deviceView, laneView, recordedView } from '../views.js';

const LaneParams = Type.Object({ lane: Type.String({ minLength: 1, maxLength: 64 }) });

export function gateRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, runtime, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  // A locked screen keeps showing the gate: the snapshot and the stream are read-only.
  const viewer = requireRole(state, 'volunteer', false, true);

  /** The admin (or the hub) may have moved the threshold by policy; the screen marks fever by the one in force. */
  const feverThreshold = () => {
    const t = ledger.policyStates().find((p) => p.kind === 'thresholds')?.payload as { feverThreshold?: unknown } | undefined;
    return typeof t?.feverThreshold === 'number' ? t.feverThreshold : ctx.config.rules.feverThreshold;
  };

  const laneOf = (id: string) => {
    if (!runtime.lanes().some((l) => l.id === id)) fail('UNKNOWN_LANE', { zh: id, en: id });
    return id;
  };

  app.get('/api/live', { preHandler: viewer }, async () => ({
    site: ctx.config.site.name,
    gate: ctx.config.gate.name,
    lanes: runtime.lanes().map(laneView),
    recent: ledger.passages({ limit: 6 }).map((r) => recordedView(r)),
    counts: ledger.todayCounts(),
    alerts: ledger.alerts({ unacknowledgedOnly: true, limit: 20 }).map(alertRecordView),
    devices: runtime.devices().map(deviceView),
    sync: (state.deps.sync ?? (() => runtime.sync()))(),
    zoneLevel: ledger.policy().zoneLevel,
    feverThreshold: feverThreshold(),
    // People held at the gate for fever whose handling is not closed yet (the fever-handling card).
    feverOpen: ledger.feverCases({ openOnly: true }).length,
    onDuty: ledger.duty({ onDutyOnly: true }).map((d) => ({ operatorId: d.operatorId, name: d.operatorName, since: d.signedInAt })),
  }));

  app.get('/api/events', { preHandler: viewer }, (req, reply) => {
    const token = req.session?.token;
    reply.hijack();
    state.hub.attach(reply.raw, () => state.sessions.viewing(token) !== 'none');
  });

  // The gate answers an input it does not take with an `ignored` output (on the bus, synchronously,
  // during runtime.input): the volunteer who tapped is told why, not shown a dialog closing as if it worked.
  let ignored: KioskEventMap['gate.ignored'] | undefined;
  const off = ctx.bus.on('gate.ignored', (e) => {
    ignored = e;
  });
  app.addHook('onClose', async () => off());
  const give = (input: GateInput) => {
    ignored = undefined;
    runtime.input(input);
    const why = ignored as KioskEventMap['gate.ignored'] | undefined;
    ignored = undefined;
    return why ? { accepted: false, ignored: { input: why.input, zh: why.reason.zh, en: why.reason.en } } : { accepted: true };
  };

  const input = (lane: string, make: (operatorId: string) => GateInput) =>
    app.post(`/api/lanes/:lane/${lane}`, { preHandler: volunteer, schema: { params: LaneParams } }, async (req) => {
      const l = laneOf((req.params as { lane: string }).lane);
      return give({ ...make(operatorOf(req).operatorId), lane: l } as GateInput);
    });

  input('remeasure', (operatorId) => ({ type: 'remeasure', lane: '', operatorId }));
  input('cancel', (operatorId) => ({ type: 'cancel', lane: '', operatorId }));

  app.post('/api/lanes/:lane/colour', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ colour: Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')]) }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    const { colour } = req.body as { colour: 'green' | 'yellow' | 'red' };
    return give({ type: 'colour', lane, colour, source: 'operator' });
  });

  // 已核验疫苗 / 核酸阴性: the volunteer saw the record on the person's phone (or saw none: ok false).
  app.post(
    '/api/lanes/:lane/verified',
    {
      preHandler: volunteer,
      schema: {
        params: LaneParams,
        body: Type.Object(
          {
            check: Type.Union([Type.Literal('test'), Type.Literal('vaccine')]),
            ok: Type.Boolean(),
            testDay: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2})?$', description: "The test's day (YYYY-MM-DD, local), or day and time" })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const lane = laneOf((req.params as { lane: string }).lane);
      const { check, ok, testDay } = req.body as { check: 'test' | 'vaccine'; ok: boolean; testDay?: string };
      const [day, hhmm] = (testDay ?? '').split(' ');
      let testedAt: number | undefined;
      if (testDay && check === 'test') {
        testedAt = asUserError(() => localTime(day as string, ctx.config.site.timezone, hhmm ?? '00:00'));
        if (!(testedAt <= state.now())) fail('VALIDATION', { zh: '检测日期不能晚于现在', en: 'the test day cannot be in the future', detail: { field: 'testDay' } });
      }
      runtime.input({ type: 'verified', lane, check, ok, operatorId: operatorOf(req).operatorId, ...(testedAt !== undefined ? { testedAt } : {}) });
      return { accepted: true };
    },
  );

  // 一户一卡 with a member in a health tier: the members to pick from (names masked, age, tier), and the pick.
  app.get('/api/lanes/:lane/members', { preHandler: volunteer, schema: { params: LaneParams } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    const l = runtime.lanes().find((x) => x.id === lane);
    const hh = l?.stage === 'awaiting-member' ? l.passage?.subject?.householdId : undefined;
    if (!hh) return fail('NOT_FOUND', { zh: '当前没有待选择成员的通行', en: 'no passage on this lane is waiting for a member pick' });
    const year = Number(localDay(state.now(), ctx.config.site.timezone).slice(0, 4));
    return ledger.persons({ householdId: hh }).map((p) => ({
      personId: p.id,
      name: maskName(p.name),
      ...(p.birthYear ? { age: year - p.birthYear } : {}),
      tier: p.quarantine && p.quarantine.until > state.now() ? p.quarantine.kind : null,
    }));
  });

  app.post('/api/lanes/:lane/member', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ personId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    runtime.input({ type: 'member', lane, personId: (req.body as { personId: string }).personId, operatorId: operatorOf(req).operatorId });
    return { accepted: true };
  });

  app.post('/api/lanes/:lane/mask', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ worn: Type.Boolean() }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    return give({ type: 'mask', lane, worn: (req.body as { worn: boolean }).worn, source: 'operator' });
  });

  app.post('/api/lanes/:lane/temperature', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ celsius: Type.Number() }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    const { celsius } = req.body as { celsius: number };
    if (!(celsius >= 30 && celsius <= 45)) fail('BAD_TEMPERATURE');
    return give({ type: 'temperature', lane, celsius: Math.round(celsius * 10) / 10, source: 'operator' });
  });

  app.post('/api/lanes/:lane/direction', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ direction: Type.Union([Type.Literal('in'), Type.Literal('out')]) }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    return give({ type: 'direction', lane, direction: (req.body as { direction: 'in' | 'out' }).direction });
  });

  app.post('/api/lanes/:lane/scan', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    return give({ type: 'scan', lane, text: (req.body as { text: string }).text.trim(), deviceId: 'kiosk-camera' });
  });

  // 无接触配送: a delivery handed over at the gate, in its own ledger (not a passage, not a 劝返); the lane is not touched.
  const DeliveryBody = Type.Object(
    {
      company: Type.Optional(Type.String({ maxLength: 60 })),
      parcels: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      householdId: Type.Optional(Type.String({ maxLength: 64 })),
      note: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  );
  app.post('/api/lanes/:lane/courier', { preHandler: volunteer, schema: { params: LaneParams, body: DeliveryBody } }, async (req, reply) => {
    laneOf((req.params as { lane: string }).lane);
    const b = req.body as { company?: string; parcels?: number; householdId?: string; note?: string };
    reply.code(201);
    return asUserError(() => ledger.recordDelivery({ ...b, operatorId: operatorOf(req).operatorId }));
  });

  app.get('/api/deliveries', { preHandler: volunteer, schema: { querystring: Type.Object({ waiting: Type.Optional(Type.Boolean()), day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) }) } }, async (req) => {
    const q = req.query as { waiting?: boolean; day?: string };
    if (q.day) return ledger.deliveries({ from: localTime(q.day, ctx.config.site.timezone), to: localTime(addDays(q.day, 1), ctx.config.site.timezone) });
    return ledger.deliveries({ waitingOnly: q.waiting !== false });
  });

  app.post('/api/deliveries/:id/collected', { preHandler: volunteer, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    if (!ledger.collectDelivery(id, operatorOf(req).operatorId)) fail('NOT_FOUND', { zh: '没有这件快递或已取走', en: 'no such delivery, or already collected' });
    return { collected: id };
  });

  app.post(
    '/api/lanes/:lane/override',
    { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ decision: Type.Union([Type.Literal('admit'), Type.Literal('refuse')]), reason: Type.String({ maxLength: 500 }) }, { additionalProperties: false }) } },
    async (req) => {
      const lane = laneOf((req.params as { lane: string }).lane);
      const { decision, reason } = req.body as { decision: 'admit' | 'refuse'; reason: string };
      if (reason.trim().length < 2) fail('OVERRIDE_REASON');
      const operatorId = operatorOf(req).operatorId;
      return give({ type: 'override', lane, decision, operatorId, reason: reason.trim() });
    },
  );

  app.post('/api/alerts/:id/ack', { preHandler: volunteer, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const operatorId = operatorOf(req).operatorId;
    if (!ledger.acknowledgeAlert(id, operatorId)) fail('NOT_FOUND', { zh: '告警不存在或已确认', en: 'no such unacknowledged alert' });
    ctx.bus.emit('alert.acknowledged', { alertId: id, operatorId });
    return { acknowledged: id };
  });
}
