// Residents and households (一户一档): search, household view, pass cards (issue, print, revoke), roster import.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { issueToken } from '../../gate/credentials/token.js';
import type { CardType } from '../../gate/model.js';
import type { PassCardRecord } from '../../store/api.js';
import { maskName } from '../../store/mask.js';
import { ImportError } from '../../store/roster-messages.js';
import { importRoster } from '../../store/roster-import.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';
import { cardSheet } from '../print.js';
import { personView } from '../views.js';

const Text = Type.Optional(Type.String({ maxLength: 40 }));
const Id = Type.String({ minLength: 1, maxLength: 64 });

export function rosterRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx, keys: cards } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const admin = requireRole(state, 'admin');

  const cardView = (c: PassCardRecord) => ({ id: c.id, type: c.type, personId: c.personId, householdId: c.householdId, plate: c.vehiclePlate, issuedAt: c.issuedAt, expiresAt: c.expiresAt, revokedAt: c.revokedAt, revokedReason: c.revokedReason });

  /** The card's token, re-made from its record: the same claims give a card the same meaning. */
  const tokenOf = (c: PassCardRecord) =>
    issueToken(
      {
        t: c.type as CardType,
        id: c.id,
        ...(c.householdId && c.type !== 'staff' && c.type !== 'visitor' ? { hh: c.householdId } : {}),
        site: ctx.config.site.id,
        kid: cards.own.kid,
        iat: Math.floor(c.issuedAt / 1000),
        ...(c.expiresAt ? { exp: Math.floor(c.expiresAt / 1000) } : {}),
      },
      cards.own.privateKey,
    );

  app.get('/api/households', { preHandler: volunteer, schema: { querystring: Type.Object({ text: Text, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } }, async (req) => {
    const q = req.query as { text?: string; limit?: number };
    const found = ledger.households({ ...(q.text ? { text: q.text } : {}), limit: q.limit ?? 50 }).map((h) => ({ id: h.id, address: h.address, grid: h.grid, registeredResidents: h.registeredResidents, actualResidents: h.actualResidents }));
    // A volunteer often knows the name, not the household: add the households of matching people.
    if (q.text) {
      const seen = new Set(found.map((h) => h.id));
      for (const p of ledger.persons({ text: q.text, limit: 50 })) {
        const hh = seen.has(p.householdId) ? undefined : ledger.rosterView().household(p.householdId);
        if (hh) {
          seen.add(hh.id);
          found.push({ id: hh.id, address: hh.address, grid: undefined, registeredResidents: undefined, actualResidents: undefined });
        }
      }
    }
    return found;
  });

  app.get('/api/persons', { preHandler: volunteer, schema: { querystring: Type.Object({ text: Text, category: Text, quarantined: Type.Optional(Type.Boolean()) }) } }, async (req) => {
    const q = req.query as { text?: string; category?: string; quarantined?: boolean };
    return ledger.persons({ ...q, limit: 100 }).map(personView);
  });

  app.get('/api/households/:id', { preHandler: volunteer, schema: { params: Type.Object({ id: Id }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const hh = ledger.households({ text: id, limit: 50 }).find((h) => h.id === id) ?? ledger.rosterView().household(id);
    if (!hh) return fail('NOT_FOUND');
    return {
      household: hh,
      persons: ledger.persons({ householdId: id, limit: 100 }).map(personView),
      cards: ledger.cards({ householdId: id, includeRevoked: true }).map(cardView),
      permits: ledger.vehiclePermits({ householdId: id }),
    };
  });

  app.post(
    '/api/cards',
    {
      preHandler: admin,
      schema: {
        body: Type.Object(
          {
            type: Type.Union([Type.Literal('household'), Type.Literal('person'), Type.Literal('vehicle'), Type.Literal('staff')]),
            householdId: Type.Optional(Id),
            personId: Type.Optional(Id),
            plate: Type.Optional(Type.String({ minLength: 2, maxLength: 12 })),
            validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body as { type: 'household' | 'person' | 'vehicle' | 'staff'; householdId?: string; personId?: string; plate?: string; validDays?: number };
      const person = b.personId ? ledger.person(b.personId) : undefined;
      if (b.personId && !person) fail('NOT_FOUND', { zh: '名册中没有此人', en: 'no such person on the roster' });
      const householdId = b.householdId ?? person?.householdId;
      if (b.type !== 'staff' && !householdId) fail('VALIDATION', { zh: '须指定户', en: 'a household is needed', detail: { field: 'householdId' } });
      if (b.type === 'person' && !person) fail('VALIDATION', { zh: '人卡须指定人员', en: 'a person card needs a person', detail: { field: 'personId' } });
      if (b.type === 'vehicle' && !b.plate) fail('VALIDATION', { zh: '车证须填写车牌', en: 'a vehicle card needs a plate', detail: { field: 'plate' } });
      const now = state.now();
      const id = `${b.type[0]}-${randomBytes(5).toString('base64url')}`;
      const actor = operatorOf(req).operatorId;
      const card = asUserError(() =>
        ledger.issueCard(
          {
            id,
            type: b.type,
            issuedAt: now,
            issuedBy: actor,
            ...(householdId ? { householdId } : {}),
            ...(person ? { personId: person.id } : {}),
            ...(b.plate ? { vehiclePlate: b.plate.toUpperCase() } : {}),
            ...(b.validDays ? { expiresAt: now + b.validDays * 86_400_000 } : {}),
          },
          actor,
        ),
      );
      reply.code(201);
      return { card: cardView(card), token: tokenOf(card) };
    },
  );

  app.post('/api/cards/:id/revoke', { preHandler: admin, schema: { params: Type.Object({ id: Id }), body: Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false }) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    if (!ledger.revokeCard(id, (req.body as { reason: string }).reason, operatorOf(req).operatorId)) fail('NOT_FOUND', { zh: '没有此卡或已注销', en: 'no such active card' });
    return { revoked: id };
  });

  app.get('/print/cards', { preHandler: volunteer, schema: { querystring: Type.Object({ household: Type.Optional(Id), ids: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (req, reply) => {
    const q = req.query as { household?: string; ids?: string };
    const wanted = q.ids ? new Set(q.ids.split(',')) : undefined;
    const list = ledger.cards({ ...(q.household ? { householdId: q.household } : {}) }).filter((c) => !wanted || wanted.has(c.id));
    const hh = (id?: string) => (id ? ledger.rosterView().household(id) : undefined);
    reply.type('text/html; charset=utf-8');
    return cardSheet(
      ctx.config.site.name,
      list.map((c) => {
        const p = c.personId ? ledger.person(c.personId) : undefined;
        return {
          id: c.id,
          token: tokenOf(c),
          type: c.type,
          holder: p ? maskName(p.name) : c.type === 'household' ? `${c.householdId ?? ''} 户` : '',
          ...(hh(c.householdId) ? { household: (hh(c.householdId) as { address: string }).address } : {}),
          ...(c.vehiclePlate ? { plate: c.vehiclePlate } : {}),
        };
      }),
    );
  });

  app.post(
    '/api/roster/import',
    { preHandler: admin, bodyLimit: 20 * 1024 * 1024, schema: { querystring: Type.Object({ filename: Type.String({ minLength: 1, maxLength: 200 }), partial: Type.Optional(Type.Boolean()), dryRun: Type.Optional(Type.Boolean()) }) } },
    async (req) => {
      const q = req.query as { filename: string; partial?: boolean; dryRun?: boolean };
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) fail('IMPORT_FAILED', { zh: '文件为空', en: 'the file is empty' });
      try {
        const report = await importRoster(ledger, req.body as Buffer, q.filename, { partial: q.partial === true, dryRun: q.dryRun === true, actor: operatorOf(req).operatorId, timeZone: ctx.config.site.timezone, now: state.now() });
        if (report.imported) ctx.bus.emit('ledger.changed', { what: 'roster' });
        return report;
      } catch (err) {
        return fail('IMPORT_FAILED', err instanceof ImportError ? err.text : { zh: (err as Error).message, en: (err as Error).message });
      }
    },
  );
}
