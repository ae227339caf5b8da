// First-run admin PIN, login with lockout, logout/lock, duty sign-in and sign-out (值班).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { localDay } from '../../store/time.js';
import type { OperatorRecord } from '../../store/api.js';
import { type KioskState, operatorOf, requireRole, SESSION_COOKIE } from '../context.js';
import { fail } from '../errors.js';

const Pin = Type.String({ minLength: 1, maxLength: 32 });

export function authRoutes(app: FastifyInstance, state: KioskState): void {
  const { ledger, ctx } = state.deps;
  const volunteer = requireRole(state, 'volunteer');

  const startSession = (reply: FastifyReply, op: OperatorRecord) => {
    const s = state.sessions.create(op);
    reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', path: '/' });
    return { operatorId: op.id, name: op.name, role: op.role };
  };

  app.get('/api/status', async (req) => {
    const found = state.sessions.lookup(req.cookies[SESSION_COOKIE], false);
    const k = ctx.config.kiosk;
    return {
      setupNeeded: !ledger.hasAdmin(),
      site: ctx.config.site.name,
      gate: ctx.config.gate.name,
      language: k.language,
      // Times on the page are the village's, whatever zone the kiosk's browser runs in.
      timeZone: ctx.config.site.timezone,
      today: localDay(state.now(), ctx.config.site.timezone),
      idleLockSeconds: k.idleLockSeconds,
      spokenPrompts: k.spokenPrompts,
      verdictSeconds: k.verdictSeconds,
      verdictClearSeconds: k.verdictClearSeconds,
      beeps: k.beeps,
      // A lane has a loudspeaker: the kiosk shows its 广播 screen and switch.
      loudspeaker: Boolean(state.deps.voice) && ctx.config.lanes.some((l) => l.voice),
      session: found.state === 'ok' ? { operatorId: found.session.operatorId, name: found.session.name, role: found.session.role } : null,
      locked: found.state === 'locked' ? { operatorId: found.session.operatorId } : null,
    };
  });

  app.post('/api/setup', { schema: { body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 40 }), pin: Pin }, { additionalProperties: false }) }, config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    const body = req.body as { name: string; pin: string };
    if (ledger.hasAdmin()) fail('SETUP_DONE');
    if (!/^\d{6,12}$/.test(body.pin)) fail('BAD_PIN_FORMAT');
    const op = ledger.createOperator({ id: 'admin', name: body.name.trim(), role: 'admin', pin: body.pin }, 'kiosk-setup');
    return startSession(reply, op);
  });

  app.get('/api/operators/public', async () => {
    if (!ledger.hasAdmin()) fail('SETUP_NEEDED');
    return ledger.operators().filter((o) => o.active).map((o) => ({ id: o.id, name: o.name, role: o.role }));
  });

  const waitFor = (s: number) => ({ zh: `${s}秒后再试`, en: `try again in ${s} s`, detail: { retryAfterSeconds: s } });
  app.post(
    '/api/login',
    {
      schema: { body: Type.Object({ operatorId: Type.String({ minLength: 1, maxLength: 32 }), pin: Pin }, { additionalProperties: false }) },
      config: { rateLimit: { max: 20, timeWindow: '1 minute', onExceeded: (req: FastifyRequest) => state.refusedLogins.refused(req.ip, 'rate-limit') } },
    },
    async (req, reply) => {
      const { operatorId, pin } = req.body as { operatorId: string; pin: string };
      if (!ledger.hasAdmin()) fail('SETUP_NEEDED');
      // Wrong PINs for ids that are no operator share one count: made-up ids cannot grow the guard.
      const who = ledger.operators().some((o) => o.id === operatorId) ? operatorId : '?';
      const wait = state.guard.lockedFor(who, req.ip);
      if (wait > 0) {
        state.refusedLogins.refused(req.ip, 'delay', operatorId);
        fail('LOCKED_OUT', waitFor(wait));
      }
      const op = ledger.verifyOperator(operatorId, pin);
      if (!op) {
        const s = state.guard.fail(who, req.ip);
        ledger.audit(operatorId.slice(0, 32), 'login-failed', { ip: req.ip, delaySeconds: s });
        if (s > 0) fail('LOCKED_OUT', waitFor(s));
        const left = state.guard.triesBeforeDelay(who, req.ip);
        fail('BAD_PIN', { zh: `还可再试${left}次，之后需等待`, en: `${left} ${left === 1 ? 'try' : 'tries'} left before a wait`, detail: { triesLeft: left } });
      }
      state.guard.succeed(who, req.ip);
      ledger.audit(operatorId, 'login', { ip: req.ip });
      // Unlocking a locked screen replaces its session.
      state.sessions.destroy(req.cookies[SESSION_COOKIE]);
      return startSession(reply, op as OperatorRecord);
    },
  );

  // The lock button: the session stays (read-only: the live view and its stream go on), actions need the PIN.
  app.post('/api/lock', async (req) => {
    return { locked: Boolean(state.sessions.lock(req.cookies[SESSION_COOKIE])) };
  });

  app.post('/api/logout', async (req, reply) => {
    state.sessions.destroy(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/duty', { preHandler: volunteer }, async () => ledger.duty({ onDutyOnly: true }).map((d) => ({ operatorId: d.operatorId, name: d.operatorName, since: d.signedInAt })));

  app.post('/api/duty/sign-in', { preHandler: volunteer }, async (req) => {
    const s = operatorOf(req);
    const d = ledger.dutySignIn(s.operatorId);
    ctx.bus.emit('ledger.changed', { what: 'counts' });
    return { operatorId: d.operatorId, since: d.signedInAt };
  });

  app.post('/api/duty/sign-out', { preHandler: volunteer }, async (req) => {
    const s = operatorOf(req);
    const d = ledger.dutySignOut(s.operatorId);
    if (!d) fail('NOT_FOUND', { zh: '您未签到', en: 'you are not signed in for duty' });
    return { operatorId: s.operatorId, since: d?.signedInAt, until: d?.signedOutAt };
  });
}
