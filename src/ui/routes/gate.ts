// The live gate: a snapshot to start from, the event stream, and the operator's inputs to the gate core.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { KioskEventMap } from '../events.js';
import type { GateInput } from '../../gate/contract.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { fail } from '../errors.js';
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

  app.post('/api/lanes/:lane/courier', { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }) } }, async (req) => {
    const lane = laneOf((req.params as { lane: string }).lane);
    const note = (req.body as { note?: string }).note;
    return give({ type: 'courier', lane, operatorId: operatorOf(req).operatorId, ...(note ? { note } : {}) });
  });

  app.post(
    '/api/lanes/:lane/override',
    { preHandler: volunteer, schema: { params: LaneParams, body: Type.Object({ decision: Type.Union([Type.Literal('admit'), Type.Literal('refuse')]), reason: Type.String({ maxLength: 500 }) }, { additionalProperties: false }) } },
    async (req) => {
      const lane = laneOf((req.params as { lane: string }).lane);
      const { decision, reason } = req.body as { decision: 'admit' | 'refuse'; reason: string };
      if (reason.trim().length < 2) fail('OVERRIDE_REASON');
      const operatorId = operatorOf(req).operatorId;
      ledger.audit(operatorId, 'override', { lane, decision, reason: reason.trim() });
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
