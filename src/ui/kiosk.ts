// The kiosk server: build (for inject tests) separate from listen (the Feature the daemon starts).
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Feature } from '../kernel/feature.js';
import { packageDir as ourPackageDir, pageCoreDir } from '../kernel/package-dir.js';
import type { KioskDeps, KioskState } from './context.js';
import { KioskError } from './errors.js';
import { LiveHub } from './live.js';
import { authRoutes } from './routes/auth.js';
import { feverRoutes } from './routes/fever.js';
import { tierRoutes } from './routes/tiers.js';
import { declarationRoutes } from './routes/declarations.js';
import { gateRoutes } from './routes/gate.js';
import { ledgerRoutes } from './routes/ledgers.js';
import { rosterRoutes } from './routes/roster.js';
import { settingsRoutes } from './routes/settings.js';
import { textRoutes } from './routes/text.js';
import { visitorRoutes } from './routes/visitors.js';
import { voiceRoutes } from './routes/voice.js';
import { RefusedLoginAudit } from './login-audit.js';
import { kioskScreenMatcher, LoginGuard } from './login-guard.js';
import { Sessions } from './sessions.js';

export type { KioskDeps } from './context.js';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  const entry = require.resolve(name);
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`Cannot locate the ${name} package directory`);
  return entry.slice(0, at + marker.length);
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export const PUBLIC_DIR = join(ourPackageDir(), 'src', 'ui', 'public');

const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

export async function buildKiosk(deps: KioskDeps): Promise<FastifyInstance> {
  const { ctx, ledger } = deps;
  const now = () => ctx.clock.now();
  const state: KioskState = {
    deps,
    now,
    sessions: new Sessions(ctx.config.kiosk.idleLockSeconds * 1000, now),
    guard: new LoginGuard({ now, isKioskScreen: kioskScreenMatcher(ctx.config.kiosk.screenAddresses) }),
    refusedLogins: new RefusedLoginAudit({ now, write: (detail) => ledger.audit('kiosk', 'login-throttled', detail) }),
    hub: new LiveHub({ bus: ctx.bus, ledger }),
  };

  // A PIN from config or GATE_ADMIN_PIN makes the first admin; otherwise the first screen asks for one.
  const pin = ctx.config.kiosk.adminPin;
  if (pin && !ledger.hasAdmin()) {
    ledger.createOperator({ id: 'admin', name: '管理员', role: 'admin', pin }, 'config');
    ctx.logger.info('created the kiosk administrator from kiosk.adminPin');
  }

  // A misspelt field is an error, not silently dropped (fastify's default removes unknown properties).
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, return503OnClosing: true, forceCloseConnections: true, ajv: { customOptions: { removeAdditional: false } } });
  app.decorateRequest('session', null);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => ({ statusCode: 429, code: 'RATE_LIMITED', zh: `操作过于频繁，请${Math.ceil(c.ttl / 1000)}秒后再试`, en: `Too many attempts; wait ${Math.ceil(c.ttl / 1000)} s` }),
  });
  app.addContentTypeParser(['application/octet-stream', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // SameSite=Strict already stops other sites' forms; a foreign Origin is refused as well.
      const origin = req.headers.origin;
      if (origin && origin !== 'null' && hostOf(origin) !== req.headers.host) throw new KioskError('FORBIDDEN', { zh: '来源不符', en: 'foreign origin' });
    }
  });

  app.setErrorHandler((err: FastifyError | KioskError, req, reply) => {
    if (err instanceof KioskError) return reply.code(err.status).send(err.body);
    if ((err as FastifyError).validation) {
      const v = (err as FastifyError).validation?.[0];
      const field = v ? `${v.instancePath || (v.params as { missingProperty?: string }).missingProperty || ''}`.replace(/^\//, '') : '';
      return reply.code(400).send({ code: 'VALIDATION', zh: `输入有误${field ? `：${field}` : ''}`, en: `Some input is not valid: ${err.message}`, detail: { field } });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 429) return reply.code(429).send({ code: 'RATE_LIMITED', zh: (err as unknown as { zh?: string }).zh ?? '操作过于频繁', en: (err as unknown as { en?: string }).en ?? 'Too many attempts' });
    if (status < 500) return reply.code(status).send({ code: 'BAD_REQUEST', zh: '请求无效', en: `Bad request: ${err.message}` });
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE')) {
      ctx.logger.error({ err, url: req.url }, 'kiosk: ledger error');
      return reply.code(503).send(new KioskError('STORAGE').body);
    }
    ctx.logger.error({ err, url: req.url }, 'kiosk: internal error');
    return reply.code(500).send(new KioskError('INTERNAL').body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'NOT_FOUND', zh: '找不到页面或接口', en: `No route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', index: false, maxAge: 0 });
  await app.register(fastifyStatic, { root: pageCoreDir(), prefix: '/assets/page-core/', decorateReply: false, index: false, maxAge: 0 });
  await app.register(fastifyStatic, { root: packageDir('@fontsource/noto-sans-sc'), prefix: '/vendor/noto-sans-sc/', decorateReply: false, maxAge: 86_400_000, immutable: true, allowedPath: (p) => /^\/(\d00\.css|files\/[\w-]+\.woff2?)$/.test(p) });
  await app.register(fastifyStatic, { root: join(packageDir('@zxing/library'), 'umd'), prefix: '/vendor/zxing/', decorateReply: false, maxAge: 86_400_000, allowedPath: (p) => p === '/index.min.js' });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/', (_req, reply) => reply.header('cache-control', 'no-store').sendFile('index.html'));

  authRoutes(app, state);
  gateRoutes(app, state);
  visitorRoutes(app, state);
  declarationRoutes(app, state);
  rosterRoutes(app, state);
  ledgerRoutes(app, state);
  feverRoutes(app, state);
  tierRoutes(app, state);
  settingsRoutes(app, state);
  textRoutes(app, state);
  voiceRoutes(app, state);

  state.hub.start();
  const sweep = setInterval(() => state.sessions.sweep(), 60_000);
  sweep.unref?.();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    state.hub.stop();
    state.refusedLogins.flush();
  });
  return app;
}

export function createKioskFeature(deps: KioskDeps): Feature & { url(): string } {
  let app: FastifyInstance | undefined;
  let url = '';
  const { host, port } = deps.ctx.config.kiosk;
  return {
    name: 'kiosk',
    async start() {
      app = await buildKiosk(deps);
      await app.listen({ host, port });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${p}`;
      if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') deps.ctx.logger.warn({ host }, 'the kiosk listens beyond loopback: anyone on that network can reach the login screen (see docs/kiosk.md)');
      deps.ctx.logger.info({ url }, 'kiosk ready');
    },
    async stop() {
      await app?.close();
      app = undefined;
    },
    url: () => url,
  };
}
