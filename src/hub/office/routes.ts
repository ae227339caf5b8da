// The office's routes on the hub's HTTP server: sign-in, the overview, the alert feed and its
// actions, the audit log, accounts, the live feed (SSE), and the page itself. Every state change
// needs a session, the session's CSRF token in `x-csrf-token`, a same-host Origin, and a role allowed
// to do it; acks, assignments, closings and account changes go into the audit log.
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { packageDir, pageCoreDir } from '../../kernel/package-dir.js';
import type { HubReader } from '../storage/read.js';
import { type Accounts, can, type Permission, ROLES, type Role, type Session } from './accounts.js';
import { type AlertDesk, type AlertKey, alertRef, OUTCOMES, type Outcome } from './alerts.js';
import type { LiveFeed } from './live.js';
import type { LoginGuard } from './login-guard.js';
import { gateCards } from './overview.js';
import { passwordProblem } from './passwords.js';
import { fontDir, uplotDir } from './vendor.js';

export interface OfficeDeps {
  accounts: Accounts;
  desk: AlertDesk;
  reader: HubReader;
  live: LiveFeed;
  guard: LoginGuard;
  /** Today's date (YYYY-MM-DD) in the villages' zone. */
  today(): string;
  /** The villages' IANA time zone: the screens show every time in it. */
  timeZone?: string;
  now(): number;
  logger: Logger;
  /** Extra office routes (the word to the gates) registered by their own modules. */
  extra?: Array<(app: FastifyInstance, h: OfficeHelpers) => void>;
}

export interface OfficeHelpers {
  need(req: FastifyRequest, p: Permission): Promise<Session>;
  audit(req: FastifyRequest, s: Session, action: string, target: string, detail?: Record<string, unknown>): Promise<void>;
}

export const PUBLIC_DIR = join(packageDir(), 'src', 'hub', 'public');
const SESSION = 'hub_session';
const DEVICE = 'hub_device';
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; font-src 'self'; media-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export class OfficeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

const secure = (req: FastifyRequest) => req.protocol === 'https' || (req.headers['x-forwarded-proto'] === 'https' && ['127.0.0.1', '::1'].includes(req.socket.remoteAddress ?? ''));
const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

function alertKey(p: Record<string, string>): AlertKey {
  const history = Number(p.history);
  const seq = Number(p.seq);
  if (!p.site || !p.gate || !Number.isSafeInteger(history) || !Number.isSafeInteger(seq)) throw new OfficeError(400, 'BAD_ALERT', '告警编号无效', 'Not an alert reference');
  return { site: p.site, gate: p.gate, history, seq };
}

/** Registers the office in its own encapsulated context (its cookies, hooks and error handler). */
export async function registerOffice(parent: FastifyInstance, d: OfficeDeps): Promise<void> {
  await parent.register(async (app) => office(app, d));
}

async function office(app: FastifyInstance, d: OfficeDeps): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/office/assets/', index: false, maxAge: 0 });
  await app.register(fastifyStatic, { root: pageCoreDir(), prefix: '/office/assets/page-core/', decorateReply: false, index: false, maxAge: 0 });
  await app.register(fastifyStatic, { root: fontDir(), prefix: '/office/vendor/noto-sans-sc/', decorateReply: false, maxAge: 86_400_000, immutable: true, allowedPath: (p) => /^\/(\d00\.css|files\/[\w-]+\.woff2?)$/.test(p) });
  await app.register(fastifyStatic, { root: uplotDir(), prefix: '/office/vendor/uplot/', decorateReply: false, maxAge: 86_400_000, allowedPath: (p) => p === '/uPlot.iife.min.js' || p === '/uPlot.min.css' });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof OfficeError) return reply.code(err.status).send({ code: err.code, zh: err.zh, en: err.en });
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) return reply.code(status).send({ code: 'BAD_REQUEST', zh: '请求无效', en: `Bad request: ${err.message}` });
    d.logger.error({ err }, 'office: internal error');
    return reply.code(500).send({ code: 'INTERNAL', zh: '内部错误，已记录', en: 'Internal error (logged)' });
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (origin && hostOf(origin) !== req.headers.host) throw new OfficeError(403, 'FOREIGN_ORIGIN', '来源不符', 'Foreign origin');
    }
  });

  const sessionOf = async (req: FastifyRequest): Promise<Session | undefined> => d.accounts.session(req.cookies[SESSION]);
  const need = async (req: FastifyRequest, p: Permission): Promise<Session> => {
    const s = await sessionOf(req);
    if (!s) throw new OfficeError(401, 'UNAUTHENTICATED', '请先登录', 'Please sign in');
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) throw new OfficeError(403, 'CSRF', '页面已过期，请刷新', 'The page is stale (CSRF token); reload it');
    if (!can(s.user.role, p)) throw new OfficeError(403, 'FORBIDDEN', '您的角色无此权限', `Your role (${s.user.role}) may not do this`);
    return s;
  };
  const audit = (req: FastifyRequest, s: Session, action: string, target: string, detail?: Record<string, unknown>) =>
    d.accounts.audit({ user: s.user.name, action, target, ...(detail ? { detail } : {}), address: req.ip });
  const helpers: OfficeHelpers = { need, audit };

  app.get('/', (_req, reply) => reply.redirect('/office/'));
  app.get('/office/', (_req, reply) => reply.header('cache-control', 'no-store').sendFile('index.html', PUBLIC_DIR));

  app.post('/office/api/login', { bodyLimit: 4096 }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const name = text(b.name, 64).toLowerCase();
    const password = typeof b.password === 'string' ? b.password.slice(0, 200) : '';
    const device = req.cookies[DEVICE];
    const wait = d.guard.waitMs(name, req.ip, device);
    if (wait > 0) throw new OfficeError(429, 'RATE_LIMITED', `尝试次数过多，请${Math.ceil(wait / 60_000)}分钟后再试`, `Too many attempts; try again in ${Math.ceil(wait / 60_000)} min`);
    const user = name && password ? await d.accounts.check(name, password) : undefined;
    if (!user) {
      d.guard.failed(name, req.ip);
      await d.accounts.audit({ user: name || '?', action: 'login.failed', target: name || '?', address: req.ip });
      throw new OfficeError(401, 'BAD_LOGIN', '用户名或密码错误', 'Wrong name or password');
    }
    const { token, csrf } = await d.accounts.open(user);
    const opts = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: secure(req) };
    reply.setCookie(SESSION, token, opts);
    reply.setCookie(DEVICE, d.guard.deviceToken(user.name), { ...opts, maxAge: 365 * 86_400 });
    await d.accounts.audit({ user: user.name, action: 'login', target: user.name, address: req.ip });
    return { user, csrf };
  });

  app.post('/office/api/logout', async (req, reply) => {
    const s = await need(req, 'view');
    await d.accounts.close(s.tokenHash);
    reply.clearCookie(SESSION, { path: '/' });
    return { ok: true };
  });

  app.get('/office/api/me', async (req) => {
    const s = await need(req, 'view');
    const perms: Permission[] = ['view', 'alert.ack', 'alert.assign', 'alert.close', 'downlink.send', 'accounts', 'audit', 'full-view', 'report.edit'];
    return { user: s.user, csrf: s.csrf, can: perms.filter((p) => can(s.user.role, p)), timeZone: d.timeZone ?? 'Asia/Shanghai' };
  });

  app.get('/office/api/overview', async (req) => {
    await need(req, 'view');
    const [cards, unackedCritical] = await Promise.all([gateCards(d.reader, d.desk, d.today()), d.desk.unackedCritical()]);
    return { at: d.now(), today: d.today(), unackedCritical, gates: cards };
  });

  app.get('/office/api/alerts', async (req) => {
    await need(req, 'view');
    const q = req.query as Record<string, string | undefined>;
    return { ...(await d.desk.feed({ ...(q.site ? { site: q.site } : {}) })), unackedCritical: await d.desk.unackedCritical(), outcomes: OUTCOMES };
  });

  const alertPath = '/office/api/alerts/:site/:gate/:history/:seq';
  app.post(`${alertPath}/ack`, { bodyLimit: 8192 }, async (req) => {
    const s = await need(req, 'alert.ack');
    const k = alertKey(req.params as Record<string, string>);
    const note = text((req.body as Record<string, unknown> | null)?.note, 500);
    const r = await d.desk.ack(k, s.user.name, note, d.now()).catch(notFound);
    if (r === 'acked') await audit(req, s, 'alert.ack', alertRef(k), { note });
    d.live.changed('alerts', 'gates');
    return { result: r, alert: await d.desk.get(k) };
  });
  app.post(`${alertPath}/assign`, { bodyLimit: 8192 }, async (req) => {
    const s = await need(req, 'alert.assign');
    const k = alertKey(req.params as Record<string, string>);
    const to = text((req.body as Record<string, unknown> | null)?.to, 64);
    if (!to) throw new OfficeError(400, 'VALIDATION', '请选择指派对象', 'Choose whom to assign it to');
    await d.desk.assign(k, to).catch(notFound);
    await audit(req, s, 'alert.assign', alertRef(k), { to });
    d.live.changed('alerts');
    return { alert: await d.desk.get(k) };
  });
  app.post(`${alertPath}/close`, { bodyLimit: 8192 }, async (req) => {
    const s = await need(req, 'alert.close');
    const k = alertKey(req.params as Record<string, string>);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const outcome = b.outcome as Outcome;
    if (!OUTCOMES.includes(outcome)) throw new OfficeError(400, 'VALIDATION', '请选择处置结果', `outcome must be one of ${OUTCOMES.join(', ')}`);
    const note = text(b.note, 500);
    await d.desk.close(k, s.user.name, outcome, note, d.now()).catch(notFound);
    await audit(req, s, 'alert.close', alertRef(k), { outcome, note });
    d.live.changed('alerts', 'gates');
    return { alert: await d.desk.get(k) };
  });

  app.get('/office/api/audit', async (req) => {
    await need(req, 'audit');
    const q = req.query as Record<string, string | undefined>;
    return { entries: await d.accounts.auditLog(Number(q.limit) || 100, q.action) };
  });

  app.get('/office/api/users', async (req) => {
    await need(req, 'view');
    return { users: await d.accounts.list() };
  });
  app.post('/office/api/users', { bodyLimit: 4096 }, async (req) => {
    const s = await need(req, 'accounts');
    const b = (req.body ?? {}) as Record<string, unknown>;
    const name = text(b.name, 64).toLowerCase();
    const role = b.role as Role;
    const password = typeof b.password === 'string' ? b.password : '';
    if (!/^[a-z0-9_.-]{2,64}$/.test(name)) throw new OfficeError(400, 'VALIDATION', '用户名只能用字母、数字、_ . -', 'name: 2–64 of a-z 0-9 _ . -');
    if (!ROLES.includes(role)) throw new OfficeError(400, 'VALIDATION', '角色无效', `role must be one of ${ROLES.join(', ')}`);
    const bad = passwordProblem(password);
    if (bad) throw new OfficeError(400, 'VALIDATION', '密码至少10个字符', `password: ${bad}`);
    const user = await d.accounts.create({ name, display: text(b.display, 64) || name, role, password }).catch((err: Error) => {
      throw /unique|UNIQUE/.test(err.message) ? new OfficeError(409, 'EXISTS', '该用户名已存在', 'That name is taken') : err;
    });
    await audit(req, s, 'account.create', name, { role });
    return { user };
  });

  app.get('/office/api/live', async (req, reply: FastifyReply) => {
    await need(req, 'view');
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    d.live.add(reply.raw);
  });

  for (const add of d.extra ?? []) add(app, helpers);
}

function notFound(err: Error): never {
  if (/no such alert/.test(err.message)) throw new OfficeError(404, 'NOT_FOUND', '找不到该告警', 'No such alert');
  throw err;
}
