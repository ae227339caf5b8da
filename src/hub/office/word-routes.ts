// Routes of the word to the gates: preview an update, send it with the preview's confirmation,
// the history with each gate's answer. Sending needs the duty officer's or admin's role and is audited.
import type { FastifyInstance } from 'fastify';
import type { Announcement } from '../../devices/voice/announcements.js';
import { parseAreas, type SentWord, type WordDesk, type WordDraft, WordError } from './downlinks.js';
import { OfficeError, type OfficeHelpers } from './routes.js';

function draftOf(b: Record<string, unknown>): WordDraft {
  const site = typeof b.site === 'string' ? b.site : '';
  if (!site) throw new OfficeError(400, 'VALIDATION', '请选择小区', 'Choose a compound (site)');
  if (b.kind === 'zone') return { site, kind: 'zone', level: typeof b.level === 'string' ? b.level : '' };
  if (b.kind === 'risk-areas') return { site, kind: 'risk-areas', areas: parseAreas(typeof b.areas === 'string' ? b.areas : Array.isArray(b.areas) ? b.areas.join('\n') : '') };
  // Checked against the gates' own schema by the preview.
  if (b.kind === 'announcements') return { site, kind: 'announcements', announcements: (Array.isArray(b.announcements) ? b.announcements : []) as Announcement[] };
  throw new OfficeError(400, 'VALIDATION', '未知的下发类型', 'kind must be zone, risk-areas or announcements');
}

const wordErrors = (err: Error): never => {
  if (err instanceof WordError) throw new OfficeError(400, 'VALIDATION', err.zh, err.message);
  throw err;
};

/** `changed`: an update was sent (the office screens look again; the declaration page takes a new risk-area list). */
export function wordRoutes(words: WordDesk, changed: (sent: SentWord) => void) {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.post('/office/api/word/preview', { bodyLimit: 1024 * 1024 }, async (req) => {
      await h.need(req, 'downlink.send');
      return words.preview(await Promise.resolve().then(() => draftOf((req.body ?? {}) as Record<string, unknown>)).catch(wordErrors)).catch(wordErrors);
    });
    app.post('/office/api/word/send', { bodyLimit: 1024 * 1024 }, async (req) => {
      const s = await h.need(req, 'downlink.send');
      const b = (req.body ?? {}) as Record<string, unknown>;
      const draft = await Promise.resolve().then(() => draftOf(b)).catch(wordErrors);
      const sent = await words.send(draft, typeof b.confirm === 'string' ? b.confirm : '', s.user.name).catch(wordErrors);
      await h.audit(req, s, 'downlink.send', `${sent.site}/${sent.kind}@${sent.version}`, { id: sent.id, summary: sent.summary, gates: sent.answers.map((a) => a.gate) });
      changed(sent);
      return sent;
    });
    app.get('/office/api/word/history', async (req) => {
      await h.need(req, 'view');
      const kind = (req.query as { kind?: unknown }).kind;
      return { updates: await words.history({ limit: 30, ...(typeof kind === 'string' && kind ? { kind } : {}) }) };
    });
    // The notices a compound's gates were sent last: the office edits that list and sends it whole.
    app.get('/office/api/word/announcements', async (req) => {
      await h.need(req, 'view');
      const site = (req.query as { site?: unknown }).site;
      if (typeof site !== 'string' || !site) throw new OfficeError(400, 'VALIDATION', '请选择小区', 'Choose a compound (site)');
      const last = await words.lastSent(site, 'announcements');
      return { site, version: last?.version ?? 0, sentBy: last?.sentBy ?? null, sentAt: last?.sentAt ?? null, announcements: (last?.body.announcements as Announcement[] | undefined) ?? [] };
    });
  };
}
