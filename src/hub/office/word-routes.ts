// Routes of the word to the gates: preview an update, send it with the preview's confirmation,
// the history with each gate's answer. Sending needs the duty officer's or admin's role and is audited.
// A roster push comes as the spreadsheet itself (raw body): checked by the gate's roster rules on
// every call, so what is sent is exactly what was checked and previewed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Announcement } from '../../devices/voice/announcements.js';
import { parseAreas, parseIds, type SentWord, type WordDesk, type WordDraft, WordError, WORD_KINDS } from './downlinks.js';
import { checkRosterSheet, problemsText, SheetError } from './roster-push.js';
import { OfficeError, type OfficeHelpers } from './routes.js';

const listText = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join('\n') : '');

function draftOf(b: Record<string, unknown>): WordDraft {
  const site = typeof b.site === 'string' ? b.site : '';
  if (!site) throw new OfficeError(400, 'VALIDATION', '请选择小区', 'Choose a compound (site)');
  switch (b.kind) {
    case 'zone':
      return { site, kind: 'zone', level: typeof b.level === 'string' ? b.level : '' };
    case 'risk-areas':
      return { site, kind: 'risk-areas', areas: parseAreas(listText(b.areas)) };
    case 'revocations':
      return { site, kind: 'revocations', cards: parseIds(listText(b.cards)) };
    case 'policy':
      if (!b.thresholds || typeof b.thresholds !== 'object' || Array.isArray(b.thresholds)) throw new OfficeError(400, 'VALIDATION', '请填写阈值', 'thresholds must be an object');
      return { site, kind: 'policy', thresholds: b.thresholds as Record<string, unknown> };
    case 'quarantine':
      if (!Array.isArray(b.changes)) throw new OfficeError(400, 'VALIDATION', '请填写隔离人员', 'changes must be a list');
      return { site, kind: 'quarantine', changes: b.changes as Array<Record<string, unknown>> };
    // Checked against the gates' own schema by the preview.
    case 'announcements':
      return { site, kind: 'announcements', announcements: (Array.isArray(b.announcements) ? b.announcements : []) as Announcement[] };
    default:
      throw new OfficeError(400, 'VALIDATION', '未知的下发类型', `kind must be one of ${WORD_KINDS.filter((k) => k !== 'roster/delta').join(', ')} (a roster goes to /office/api/word/roster)`);
  }
}

const wordErrors = (err: Error): never => {
  if (err instanceof WordError || err instanceof SheetError) throw new OfficeError(400, 'VALIDATION', err.zh, err.message);
  throw err;
};

/** `changed`: an update was sent (the office screens look again; the declaration page takes a new risk-area list). */
export function wordRoutes(words: WordDesk, changed: (sent: SentWord) => void, now: () => number = Date.now) {
  return (app: FastifyInstance, h: OfficeHelpers) => {
    app.addContentTypeParser(['application/octet-stream', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));

    const sendAndAudit = async (req: FastifyRequest, draft: WordDraft, confirm: unknown): Promise<SentWord> => {
      const s = await h.need(req, 'downlink.send');
      const sent = await words.send(draft, typeof confirm === 'string' ? confirm : '', s.user.name).catch(wordErrors);
      await h.audit(req, s, 'downlink.send', `${sent.site}/${sent.kind}@${sent.version}`, { id: sent.id, summary: sent.summary, gates: sent.answers.map((a) => a.gate) });
      changed(sent);
      return sent;
    };

    app.post('/office/api/word/preview', { bodyLimit: 1024 * 1024 }, async (req) => {
      await h.need(req, 'downlink.send');
      return words.preview(await Promise.resolve().then(() => draftOf((req.body ?? {}) as Record<string, unknown>)).catch(wordErrors)).catch(wordErrors);
    });
    app.post('/office/api/word/send', { bodyLimit: 1024 * 1024 }, async (req) => {
      await h.need(req, 'downlink.send');
      const b = (req.body ?? {}) as Record<string, unknown>;
      const draft = await Promise.resolve().then(() => draftOf(b)).catch(wordErrors);
      return sendAndAudit(req, draft, b.confirm);
    });
    // The spreadsheet: without `confirm`, its check (problems by row) and, when it has none, the
    // preview; with the preview's `confirm`, sent.
    app.post('/office/api/word/roster', { bodyLimit: 20 * 1024 * 1024 }, async (req) => {
      await h.need(req, 'downlink.send');
      const q = req.query as Record<string, string | undefined>;
      if (!q.site) throw new OfficeError(400, 'VALIDATION', '请选择小区', 'Choose a compound (site)');
      if (!Buffer.isBuffer(req.body)) throw new OfficeError(400, 'VALIDATION', '请上传 XLSX 或 CSV 文件', 'Upload the spreadsheet as the body (XLSX or CSV)');
      const file = (q.filename ?? 'roster.csv').slice(0, 200);
      const check = await checkRosterSheet(req.body, file, { now: now() }).catch(wordErrors);
      const draft: WordDraft = { site: q.site, kind: 'roster/delta', ...(check.roster ? { roster: check.roster } : {}) };
      const { roster: _r, ...report } = check;
      if (!q.confirm) return { check: report, preview: check.roster ? await words.preview(draft).catch(wordErrors) : null };
      if (!check.roster) {
        const t = problemsText(check.problems);
        throw new OfficeError(400, 'VALIDATION', t.zh, t.en);
      }
      return sendAndAudit(req, draft, q.confirm);
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
    app.get('/office/api/word/last', async (req) => {
      await h.need(req, 'view');
      const q = req.query as Record<string, string | undefined>;
      const kind = WORD_KINDS.find((k) => k === q.kind);
      if (!q.site || !kind) throw new OfficeError(400, 'VALIDATION', '请选择小区和类型', 'site and kind are needed');
      return { body: (await words.lastSent(q.site, kind))?.body ?? null };
    });
  };
}
