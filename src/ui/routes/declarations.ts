// Health declarations at the kiosk (docs/declare.md): a scanned declaration code opens the visitor
// registration prefilled; the volunteer confirms the person matches and registers them (slip and
// escort as for any visitor), or confirms a returning resident's 报备. Refused codes say why.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { verifyDeclaration } from '../../gate/credentials/declaration.js';
import { validateResidentId } from '../../gate/credentials/resident-id.js';
import { declarationOutcome } from '../../gate/declaration-outcome.js';
import type { VisitorForm } from '../../store/api.js';
import type { DeclaredPerson } from '../../store/declaration-types.js';
import { DeclarationUsedError } from '../../store/declarations.js';
import { maskName, maskPhone, maskResidentId } from '../../store/mask.js';
import { type KioskState, operatorOf, requireRole } from '../context.js';
import { asUserError, fail } from '../errors.js';
import { visitorView } from '../views.js';

const CODE = Type.String({ minLength: 1, maxLength: 1024 });

/** A scanned code checked against the trusted keys and the ledger, unmasked: for the server only. */
function inspector(state: KioskState) {
  const { ledger, ctx, keys } = state.deps;
  return (text: string) => {
    const r = verifyDeclaration(text, {
      keys: keys.trusted,
      site: ctx.config.site.id,
      now: state.now(),
      used: (id, index) => ledger.declarations.uses(id).some((u) => u.index === index),
    });
    if (!r.ok) return r;
    const known = ledger.declarations.get(r.claims.d);
    const kind = r.claims.k === 'r' ? ('return' as const) : ('visit' as const);
    const riskAreas = ledger.policy().riskAreas;
    const escortRequired = ctx.config.rules.visitorEscortRequired;
    const members = r.members.map((m) => {
      const p: DeclaredPerson | undefined = known?.members[m.index];
      const person = kind === 'return' && p ? ledger.rosterView().personByIdNumber(p.idNumber) : undefined;
      return { ...m, ...(p ? { p } : {}), ...(person ? { personId: person.id } : {}), outcome: declarationOutcome(kind, p ? [p.origin, ...p.travel] : [], riskAreas, escortRequired) };
    });
    return { ok: true as const, id: r.claims.d, kind, expiresAt: r.claims.exp * 1000, known: known !== undefined, escortRequired, members };
  };
}

/** What the kiosk shows of a scanned code: names, ID numbers and phones masked. */
export function declarationScanner(state: KioskState) {
  const inspect = inspector(state);
  return (text: string, lane?: string) => {
    const r = inspect(text);
    if (!r.ok) return { ok: false as const, reason: r.reason, zh: r.text.zh, en: r.text.en, ...(lane ? { lane } : {}) };
    return {
      ok: true as const,
      ...(lane ? { lane } : {}),
      code: text.trim(),
      declaration: { id: r.id, kind: r.kind, expiresAt: r.expiresAt, source: r.known ? ('downlink' as const) : ('code' as const) },
      escortRequired: r.escortRequired,
      members: r.members.map(({ p, ...m }) => ({
        index: m.index,
        used: m.used,
        name: maskName(m.name),
        idTail: m.idTail,
        ...(p
          ? {
              idNumberMasked: maskResidentId(p.idNumber),
              ...(p.phone ? { phoneMasked: maskPhone(p.phone) } : {}),
              origin: p.origin,
              travel: p.travel,
              ...(p.host ? { host: p.host } : {}),
              ...(p.purpose ? { purpose: p.purpose } : {}),
              symptoms: p.symptoms,
              ...(p.lastTestAt != null ? { lastTestAt: p.lastTestAt } : {}),
              ...(p.vaccinated != null ? { vaccinated: p.vaccinated } : {}),
            }
          : {}),
        outcome: m.outcome.outcome,
        risky: m.outcome.risky,
        outcomeText: m.outcome.text,
        ...(m.personId ? { personId: m.personId } : {}),
      })),
    };
  };
}

export type DeclarationScanView = ReturnType<ReturnType<typeof declarationScanner>>;

/** Runs a ledger write that refuses a member used already (two kiosks, one code). */
function once<T>(fn: () => T): T {
  return asUserError(() => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DeclarationUsedError) fail('DECLARATION_USED');
      throw err;
    }
  });
}

export function declarationRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');
  const scan = declarationScanner(state);
  const inspect = inspector(state);
  const slipPrefix = ctx.config.rules.visitorSlipPrefix;
  const overdueMs = ctx.config.kiosk.visitorOverdueMinutes * 60_000;

  // The lane's scanner (or the kiosk camera through /api/lanes/:lane/scan): pushed to the kiosk screens.
  const off = ctx.bus.on('declaration.scanned', ({ lane, text }) => {
    const view = scan(text, lane);
    state.hub.send('declaration', view);
    // Who drove the scan (`gate sim scan`, the bench) learns at once that the screen is up: no decision follows.
    ctx.bus.emit(
      'declaration.shown',
      view.ok
        ? { lane, ok: true, members: view.members.length, zh: `健康申报已打开，请核对后登记（${view.members.length} 人）`, en: `Declaration opened for registration (${view.members.length} ${view.members.length === 1 ? 'person' : 'people'})` }
        : { lane, ok: false, members: 0, zh: view.zh, en: view.en },
    );
  });
  app.addHook('onClose', async () => off());

  app.post('/api/declarations/scan', { preHandler: volunteer, schema: { body: Type.Object({ text: CODE }, { additionalProperties: false }) } }, async (req) => {
    const view = scan((req.body as { text: string }).text);
    if (!view.ok) fail('DECLARATION_REFUSED', { zh: view.zh, en: view.en, detail: { reason: view.reason } });
    return view;
  });

  // The poster at the checkpoint and in the chat groups: the QR code of the hub's declaration page.
  app.get('/print/declare', { preHandler: volunteer }, async (_req, reply) => {
    const url = ctx.config.kiosk.declarePageUrl;
    if (!url) return fail('NOT_FOUND', { zh: '未设置健康申报页地址（kiosk.declarePageUrl）', en: 'no declaration page address is set (kiosk.declarePageUrl)' });
    const { qrSvg } = await import('../../cards/qr-svg.js');
    const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>健康申报二维码 ${esc(ctx.config.site.name)}</title>
<link rel="stylesheet" href="/vendor/noto-sans-sc/400.css"><link rel="stylesheet" href="/assets/print.css"></head>
<body><section class="slip poster" data-testid="declare-poster"><h1>${esc(ctx.config.site.name)} · 健康申报</h1><p class="en">Health declaration before you come</p>
<div class="qr">${qrSvg(url, undefined, 8)}</div>
<p>用手机扫码，填写健康申报，一部手机可以为同住家人一起填报；到卡口出示申报码，测温后进入。</p>
<p class="en">Scan with your phone and declare (one phone for the whole household); show your code at the gate.</p>
<p class="id">${esc(url)}</p></section>
<p class="no-print"><button type="button" id="print">打印 Print</button></p><script src="/assets/print.js"></script></body></html>`;
  });

  const AdmitBody = Type.Object(
    {
      code: CODE,
      escort: Type.Optional(Type.String({ maxLength: 40 })),
      plate: Type.Optional(Type.String({ maxLength: 12 })),
      idNumber: Type.Optional(Type.String({ maxLength: 18, description: 'Typed by the volunteer when the declaration has not come down yet' })),
    },
    { additionalProperties: false },
  );
  app.post(
    '/api/declarations/members/:index/admit',
    { preHandler: volunteer, schema: { params: Type.Object({ index: Type.Integer({ minimum: 0, maximum: 63 }) }), body: AdmitBody } },
    async (req, reply) => {
      const b = req.body as { code: string; escort?: string; plate?: string; idNumber?: string };
      const index = (req.params as { index: number }).index;
      const r = inspect(b.code);
      if (!r.ok) return fail('DECLARATION_REFUSED', { zh: r.text.zh, en: r.text.en, detail: { reason: r.reason } });
      const member = r.members.find((m) => m.index === index);
      if (!member) return fail('NOT_FOUND', { zh: '申报码中没有此人', en: 'this person is not on the code' });
      if (member.used) return fail('DECLARATION_USED');
      const operatorId = operatorOf(req).operatorId;
      if (r.kind === 'return') {
        once(() => ledger.declarations.confirmReturn(r.id, index, { operatorId, ...(member.personId ? { personId: member.personId } : {}) }));
        ledger.audit(operatorId, 'declaration-return', { declaration: r.id.slice(0, 6), member: index, outcome: member.outcome.outcome });
        // The returnee loop at the village (报备 → home quarantine or health monitoring by policy, at once), as the
        // residents screen's 报备 does; it needs the roster's person and the declared origin (the code alone has neither).
        const p = member.p;
        const tier =
          member.personId && p
            ? ledger.reportReturnee(
                { personId: member.personId, from: p.origin, arrivedAt: state.now(), ...(p.lastTestAt ? { testAt: p.lastTestAt } : {}), ...(typeof p.vaccinated === 'boolean' ? { vaccinated: p.vaccinated } : {}) },
                operatorId,
                { quarantineDays: ctx.config.rules.quarantineDays, lookbackDays: ctx.config.rules.riskAreaLookbackDays },
              )
            : undefined;
        return { reported: true, outcome: member.outcome.outcome, ...(member.personId ? { personId: member.personId } : {}), ...(tier ? { tier: tier.tier, text: tier.text } : {}) };
      }
      if (member.outcome.outcome === 'refuse') return fail('RISK_AREA', { zh: member.outcome.risky.join('、'), en: member.outcome.risky.join(', ') });
      const escort = b.escort?.trim();
      if (r.escortRequired && !escort) fail('VALIDATION', { zh: '外来人员须有专人陪同，请填写陪同人', en: 'visitors need an escort; fill in who escorts them', detail: { field: 'escort' } });
      const p = member.p;
      const typed = b.idNumber?.trim().toUpperCase();
      if (!p && typed) {
        const v = validateResidentId(typed, state.now());
        if (!v.ok) fail('BAD_ID_NUMBER', { zh: v.text.zh, en: v.text.en, detail: { field: 'idNumber', problem: v.reason } });
        if (typed.slice(-4) !== member.idTail) fail('BAD_ID_NUMBER', { zh: '与申报码的尾号不符', en: 'it does not end in the declared four characters', detail: { field: 'idNumber' } });
      }
      const form: VisitorForm = {
        name: p?.name ?? member.name,
        travel: p?.travel ?? [],
        operatorId,
        ...(p ? { idNumber: p.idNumber } : typed ? { idNumber: typed } : {}),
        ...(p?.phone ? { phone: p.phone } : {}),
        ...(p?.origin ? { origin: p.origin } : {}),
        ...(p?.host ? { hostHouseholdId: p.host } : {}),
        ...(p?.purpose ? { reason: p.purpose } : {}),
        ...(p?.lastTestAt != null ? { lastTestAt: p.lastTestAt } : {}),
        ...(p?.vaccinated != null ? { vaccinated: p.vaccinated } : {}),
        ...(escort ? { escort } : {}),
        ...(b.plate?.trim() ? { plate: b.plate.trim().toUpperCase() } : {}),
      };
      const v = once(() => ledger.declarations.admitVisitor(r.id, index, form));
      reply.code(201);
      return { visitor: visitorView(v, overdueMs, state.now()), slip: `${slipPrefix}${v.id}`, declaration: r.id };
    },
  );
}
