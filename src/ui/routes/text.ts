// Text entry for the kiosk's own keyboard: Chinese characters by pinyin (src/ui/text/pinyin.ts).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type KioskState, requireRole } from '../context.js';
import { pinyinCandidates } from '../text/pinyin.js';

export function textRoutes(app: FastifyInstance, state: KioskState): void {
  app.get('/api/pinyin', { preHandler: requireRole(state, 'volunteer'), schema: { querystring: Type.Object({ q: Type.String({ maxLength: 12 }) }) } }, async (req) => ({
    candidates: await pinyinCandidates((req.query as { q: string }).q),
  }));
}
