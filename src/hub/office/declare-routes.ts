// The office's look at the declaration page's own audit (docs/declare.md): every declaration made and
// every opening of a result, by the start of the declaration's id and the client address; no names, ID
// numbers or phones, and not the whole id (it opens the result page).
import type { FastifyInstance } from 'fastify';
import type { OfficeHelpers } from './routes.js';

export type DeclarationAuditEntry = { at: number; action: string; declaration: string; client: string };
/** The page's audit, newest first; undefined when the page is not enabled on this hub. */
export type DeclarationAuditReader = (q: { declaration?: string; limit?: number }) => Promise<DeclarationAuditEntry[]> | undefined;

const ID = /^[A-Za-z0-9_-]{16,32}$/;

export function declareAuditRoutes(read: DeclarationAuditReader) {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.get('/office/api/declarations/audit', async (req) => {
      await h.need(req, 'audit');
      const q = req.query as Record<string, string | undefined>;
      const limit = Math.max(1, Math.min(500, Number(q.limit) || 200));
      const entries = await read({ limit, ...(q.declaration && ID.test(q.declaration) ? { declaration: q.declaration } : {}) });
      // The id is the key to the result page (the person's details and codes): the office sees its first
      // 8 characters, enough to tell the entries of one declaration apart, not to open it.
      return { enabled: entries !== undefined, entries: (entries ?? []).map((e) => ({ ...e, declaration: `${e.declaration.slice(0, 8)}…` })) };
    });
  };
}
