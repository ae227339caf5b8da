// Text entry for the kiosk's own keyboard: Chinese characters by pinyin (src/ui/text/pinyin.ts).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type KioskState, requireRole } from '../context.js';
import { pinyinCandidates } from '../text/pinyin.js';

export function textRoutes(app: FastifyInstance, state: KioskState): void {
  app.get('/api/pinyin', { preHandler: requireRole(state, 'volunteer'), schema: { querystring: Type.Object({ q: Type.String({ maxLength: 12 }) }) } }, async (req) => ({
    candidates: pinyinCandidates((req.query as { q: string }).q),
  }));
  // The dictionary takes a second or more to index: do it once the kiosk is idle, not under the first finger.
  const warm = setTimeout(() => pinyinCandidates('a'), 15_000);
  warm.unref?.();
  app.addHook('onClose', async () => clearTimeout(warm));
}
