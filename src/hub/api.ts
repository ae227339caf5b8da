// The hub's read-only JSON API (until the office screens of part 2 stand on it): per-gate state,
// counts, held and missing seq ranges, alerts, passages (keyset-paginated), rejects, the hub's own
// status. Every route but /healthz needs the bearer token.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { HubReader } from './storage/read.js';

export interface ApiOptions {
  reader: HubReader;
  token: string;
  status(): Record<string, unknown>;
}

const RANGES_SHOWN = 100;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const int = (v: unknown): number | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 128 ? v : undefined);

export function buildApi(o: ApiOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  app.get('/healthz', async () => ({ ok: true }));
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/healthz') return;
    const h = req.headers.authorization;
    const given = h?.startsWith('Bearer ') ? h.slice(7) : undefined;
    if (!given || !sameToken(given, o.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorised', message: 'Send the hub API token as "Authorization: Bearer <token>" (dataDir/api-token, or api.token)' });
    }
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const code = err.statusCode && err.statusCode < 500 ? err.statusCode : /cursor/.test(err.message) ? 400 : 500;
    return reply.code(code).send({ error: code === 500 ? 'internal' : 'bad-request', message: err.message });
  });

  app.get('/api/v1/status', async () => o.status());

  app.get('/api/v1/gates', async (req) => {
    const q = req.query as Record<string, unknown>;
    const all = await o.reader.histories({ ...(str(q.site) ? { site: str(q.site) as string } : {}) });
    const byGate = new Map<string, typeof all>();
    for (const h of all) {
      const k = `${h.site}/${h.gate}`;
      byGate.set(k, [...(byGate.get(k) ?? []), h]);
    }
    return {
      gates: [...byGate.values()].map((hs) => {
        const current = hs.reduce((a, b) => (b.lastSeen > a.lastSeen || (b.lastSeen === a.lastSeen && b.id > a.id) ? b : a));
        const online = current.state?.status === 'online';
        return {
          site: current.site,
          gate: current.gate,
          online,
          lastSeen: current.lastSeen,
          state: current.state,
          counts: current.counts,
          highest: current.highest,
          held: current.held,
          missingCount: current.missingCount,
          missing: current.missing.slice(0, RANGES_SHOWN),
          gone: current.gone.slice(0, RANGES_SHOWN),
          histories: hs.map((h) => ({ id: h.id, ledger: h.ledger, firstSeen: h.firstSeen, lastSeen: h.lastSeen, highest: h.highest, held: h.held, missingCount: h.missingCount, missing: h.missing.slice(0, RANGES_SHOWN) })),
        };
      }),
    };
  });

  app.get('/api/v1/alerts', async (req) => {
    const q = req.query as Record<string, unknown>;
    const site = str(q.site);
    const gate = str(q.gate);
    const limit = int(q.limit);
    const before = int(q.before);
    return { alerts: await o.reader.alerts({ ...(site ? { site } : {}), ...(gate ? { gate } : {}), ...(limit ? { limit } : {}), ...(before !== undefined ? { before } : {}) }) };
  });

  app.get('/api/v1/passages', async (req) => {
    const q = req.query as Record<string, unknown>;
    const f = { site: str(q.site), gate: str(q.gate), outcome: str(q.outcome), cursor: str(q.cursor) ?? (typeof q.cursor === 'string' ? q.cursor : undefined), from: int(q.from), to: int(q.to), limit: int(q.limit) };
    return o.reader.passages(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)));
  });

  app.get('/api/v1/rejects', async (req) => o.reader.rejects(int((req.query as Record<string, unknown>).limit) ?? 100));

  return app;
}
