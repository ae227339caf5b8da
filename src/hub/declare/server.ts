// The public declaration page (健康申报) as a fastify plugin: the form, its submit, the result by its
// unguessable id, reopening from the same phone. Nothing lists declarations; unknown ids are counted
// per address and refused past a limit; every full view is audited (storage.ts).

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issueDeclarationCodes, newDeclarationId } from '../../gate/credentials/declaration.js';
import { declarationOutcome, OUTCOME_TEXT } from '../../gate/declaration-outcome.js';
import { packageDir } from '../../kernel/package-dir.js';
import type { DeclarationRecord } from '../../store/declaration-types.js';
import type { DeclareConfig } from './config.js';
import type { RiskAreaList } from './risk-areas.js';
import { checkForm, SYMPTOMS } from './form.js';
import { WindowLimit } from './limits.js';
import { notFoundPage, resultPage } from './result-page.js';
import type { DeclarationStore } from './storage.js';

export interface DeclarePluginOptions {
  config: DeclareConfig;
  site: string;
  store: DeclarationStore;
  keys: { kid: string; privateKey: KeyObject; publicKeyRaw: string };
  now?: () => number;
  /** The risk areas the outcome is told from (risk-areas.ts: the office's last list); default the config's. */
  riskAreas?: () => Promise<RiskAreaList>;
  /** A declaration was stored: the gates should get it (publish.ts). */
  onCreated?: (d: DeclarationRecord) => void;
}

export const PAGE_DIR = join(packageDir(), 'src', 'hub', 'declare', 'public');
const ID = /^[A-Za-z0-9_-]{16,32}$/;
const COOKIE = 'declared';
const MINUTE = 60_000;

function cookieIds(req: FastifyRequest): string[] {
  const raw = req.headers.cookie ?? '';
  const m = raw.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
  return m ? m.slice(COOKIE.length + 1).split('.').filter((x) => ID.test(x)) : [];
}

/** The codes of a stored declaration, signed with the page's key: the household's (when it fits) and each person's. */
export function declarationCodes(d: DeclarationRecord, site: string, keys: { kid: string; privateKey: KeyObject }): { household?: string; persons: string[] } {
  const claims = { d: d.id, k: d.kind === 'visit' ? ('v' as const) : ('r' as const), site, kid: keys.kid, iat: Math.floor(d.issuedAt / 1000), exp: Math.floor(d.expiresAt / 1000), m: d.members.map((m): [string, string] => [m.name, m.idNumber.slice(-4)]) };
  return issueDeclarationCodes(claims, keys.privateKey);
}

export async function declarePlugin(app: FastifyInstance, o: DeclarePluginOptions): Promise<void> {
  const cfg = o.config;
  const now = o.now ?? Date.now;
  const riskAreas = o.riskAreas ?? (async (): Promise<RiskAreaList> => ({ areas: cfg.riskAreas, source: 'config' }));
  const perAddress = new WindowLimit(cfg.limits.perAddressPerMinute, MINUTE);
  const perPhone = new WindowLimit(cfg.limits.perPhonePerHour, 60 * MINUTE);
  const unknownIds = new WindowLimit(cfg.limits.unknownIdsPerAddressPer10Min, 10 * MINUTE);
  const assets = Object.fromEntries(
    [
      ['/', 'form.html', 'text/html; charset=utf-8'],
      ['/declare.js', 'declare.js', 'application/javascript; charset=utf-8'],
      ['/declare.css', 'declare.css', 'text/css; charset=utf-8'],
    ].map(([path, file, type]) => [path, { body: readFileSync(join(PAGE_DIR, file as string), 'utf8'), type }]),
  ) as Record<string, { body: string; type: string }>;

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err.statusCode === 413) return reply.code(413).send({ error: 'too-large', zh: '提交的内容太多', en: 'The form is too large' });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: 'invalid', errors: [{ field: 'form', zh: '表单无法读取，请刷新页面重填', en: `The form could not be read: ${err.message}` }] });
    app.log.error({ err }, 'declaration page failed');
    return reply.code(500).send({ error: 'internal', zh: '系统出错，请稍后再试', en: 'Something went wrong; try again shortly' });
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
  });
  const tooMany = (reply: FastifyReply, seconds: number) => {
    const [zh, en] = seconds >= 120 ? [`${Math.ceil(seconds / 60)} 分钟`, `${Math.ceil(seconds / 60)} minutes`] : [`${seconds} 秒`, `${seconds} s`];
    return reply.code(429).header('retry-after', String(seconds)).send({ error: 'rate-limited', zh: `提交太频繁，请 ${zh}后再试`, en: `Too many at once; try again in ${en}`, retryAfter: seconds });
  };

  const withMine = (assets['/']?.body ?? '').replace('id="mine" class="banner info" hidden', 'id="mine" class="banner info"');
  for (const [path, a] of Object.entries(assets)) {
    app.get(path, async (req, reply) => {
      // The same phone comes back: its cookie names its declarations (the page's local storage does too).
      const mine = path === '/' && cookieIds(req).length > 0 && !(req.query as { new?: string }).new;
      return reply.type(a.type).header('cache-control', 'no-cache').send(mine ? withMine : a.body);
    });
  }
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/key', async () => ({ kid: o.keys.kid, publicKey: o.keys.publicKeyRaw }));

  app.get('/api/form', async () => {
    const risk = await riskAreas();
    return {
      siteName: cfg.siteName,
      areas: [...new Set([...cfg.areas, ...risk.areas])].sort((a, b) => a.localeCompare(b, 'zh-CN')),
      riskAreas: risk.areas,
      riskAreasFrom: risk.source,
      lookbackDays: cfg.riskAreaLookbackDays,
      escortRequired: cfg.escortRequired,
      testMaxAgeDays: cfg.testMaxAgeDays,
      vaccinationRequired: cfg.vaccinationRequired,
      validHours: cfg.validHours,
      retentionDays: cfg.retentionDays,
      symptoms: Object.entries(SYMPTOMS).map(([code, t]) => ({ code, ...t })),
      outcomes: OUTCOME_TEXT,
      consent: {
        zh: `为防控疫情，${cfg.siteName}卡口需要核对进入人员的身份和健康情况（《个人信息保护法》第十三条）。您填写的姓名、身份证号、手机号、行程和症状只发给本村卡口，供值守人员核对后登记；申报码${cfg.validHours}小时内有效，记录在过期后${cfg.retentionDays}天内删除。只有卡口值守人员和村疫情防控工作人员能看到，不作其他用途。每次打开申报结果都会留下记录。`,
        en: `To control the epidemic, the ${cfg.siteName} checkpoint checks who enters and their health (PIPL art. 13). Your name, ID number, phone, travel and symptoms go only to this village's gates, where a volunteer checks and registers you; the code is valid ${cfg.validHours} hours and the record is deleted ${cfg.retentionDays} days after it expires. Only the gate volunteers and the village's epidemic staff see it, for nothing else. Every opening of the result is logged.`,
      },
    };
  });

  app.post('/api/declarations', { bodyLimit: cfg.limits.bodyBytes }, async (req, reply) => {
    const t = now();
    if (!perAddress.take(req.ip, t)) return tooMany(reply, perAddress.retryAfter(req.ip, t));
    const checked = checkForm(req.body, cfg, t, cfg.timeZone);
    if (!checked.ok) return reply.code(400).send({ error: 'invalid', errors: checked.errors });
    const { value } = checked;
    if (!perPhone.take(value.phone, t)) return tooMany(reply, perPhone.retryAfter(value.phone, t));
    const d: DeclarationRecord = { id: newDeclarationId(), kind: value.kind, issuedAt: t, expiresAt: t + cfg.validHours * 3_600_000, members: value.members };
    await o.store.insert(o.site, d, req.ip);
    o.onCreated?.(d);
    const ids = [d.id, ...cookieIds(req).filter((x) => x !== d.id)].slice(0, 5);
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${COOKIE}=${ids.join('.')}; Path=/; Max-Age=${cfg.validHours * 3600}; HttpOnly; SameSite=Lax${secure}`);
    return reply.code(201).send({ id: d.id, url: `/d/${d.id}`, expiresAt: d.expiresAt });
  });

  app.get('/d/:id', async (req, reply) => {
    const t = now();
    const id = (req.params as { id: string }).id;
    if (unknownIds.spent(req.ip, t)) return tooMany(reply, unknownIds.retryAfter(req.ip, t));
    const d = ID.test(id) ? await o.store.view(id, req.ip, t) : undefined;
    if (!d || d.site !== o.site) {
      unknownIds.take(req.ip, t);
      return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
    }
    const risk = (await riskAreas()).areas;
    const outcomes = d.members.map((m) => declarationOutcome(d.kind, [m.origin, ...m.travel], risk, cfg.escortRequired));
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(resultPage({ siteName: cfg.siteName, declaration: d, codes: declarationCodes(d, o.site, o.keys), outcomes, timeZone: cfg.timeZone }));
  });

  // Reopening from the same phone: the cookie names its declarations (the page's local storage too).
  app.get('/mine', async (req, reply) => {
    const ids = cookieIds(req);
    return reply.redirect(ids[0] ? `/d/${ids[0]}` : '/?new=1', 303);
  });
}
