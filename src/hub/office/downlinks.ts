// The office's word to the gates: a compound's zone level, its risk-area list, the notices its
// loudspeakers play (announcements, docs/voice.md), revoked pass cards, policy thresholds, quarantine
// set/release and roster pushes (a spreadsheet checked by the gate's own roster rules), each a
// versioned update (the gates' own schemas in src/sync/messages.ts) previewed, then published
// retained on <root>/v1/<site>/cmd/<kind> (a gate away gets it on its return), with each gate's
// answer (applied / rejected with its reasons) kept beside it, and a history of who sent what. An
// online gate that has not answered the latest update of a kind is sent it again, on its own command
// topic, until it does (retry()).
import { createHash, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { type Announcement, checkAnnouncements } from '../../devices/voice/announcements.js';
import { DOWNLINK_SCHEMAS, schemaProblems } from '../../sync/messages.js';
import type { GateHistory } from '../storage/read.js';
import type { HubTables } from '../storage/tables.js';

export const ZONE_LEVELS = ['normal', 'precaution', 'controlled', 'sealed'] as const;
export const WORD_KINDS = ['zone', 'risk-areas', 'announcements', 'revocations', 'policy', 'quarantine', 'roster/delta'] as const;
export type WordKind = (typeof WORD_KINDS)[number];

export interface WordDraft {
  site: string;
  kind: WordKind;
  level?: string;
  areas?: string[];
  /** The whole list the gates' loudspeakers play (it replaces the list they have). */
  announcements?: Announcement[];
  /** revocations: the full list of revoked card ids (it replaces the gates' list). */
  cards?: string[];
  /** policy: the thresholds to set (the others stay as the gates have them). */
  thresholds?: Record<string, unknown>;
  /** quarantine: the persons' tiers to set or release (with the sign-off). */
  changes?: Array<Record<string, unknown>>;
  /** roster/delta: households, persons, cards and permits to add or update, from a checked spreadsheet. */
  roster?: { households?: unknown[]; persons?: unknown[]; cards?: unknown[]; vehiclePermits?: unknown[]; file?: string };
}

/** The key of a kind in the versions a gate reports (a delta moves the roster's version). */
export const versionKey = (kind: string) => (kind === 'roster/delta' ? 'roster' : kind);

export interface Preview {
  site: string;
  kind: WordKind;
  version: number;
  body: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** Each gate of the compound and what it has now. */
  gates: Array<{ gate: string; online: boolean; currentVersion: number; currentZone: string | null }>;
  /** Sent back with the second confirmation: the update confirmed is the update previewed. */
  confirm: string;
}

export interface SentWord {
  id: string;
  site: string;
  kind: string;
  version: number;
  summary: Record<string, unknown>;
  sentBy: string;
  sentAt: number;
  /** `resent`: how often the office sent it again to that gate (it had not answered), `resentAt` the last time. */
  answers: Array<{ gate: string; result: 'pending' | 'applied' | 'rejected'; reasons: Array<{ code: string; zh: string; en: string }>; at: number | null; resent: number; resentAt: number | null }>;
}

export class WordError extends Error {
  constructor(
    readonly zh: string,
    en: string,
  ) {
    super(en);
  }
}

/** The risk-area list as pasted: one area a line (or separated by ，、;), trimmed, repeats dropped. */
export function parseAreas(text: string): string[] {
  const out: string[] = [];
  const lines = text.split(/[\n\r;；，,、]+/).map((l) => l.trim()).filter(Boolean);
  lines.forEach((l, i) => {
    if (l.length > 128) throw new WordError(`第 ${i + 1} 行超过 128 个字符`, `Line ${i + 1} is longer than 128 characters`);
    if (!out.includes(l)) out.push(l);
  });
  if (out.length > 10_000) throw new WordError('风险地区最多 10000 条', 'At most 10,000 risk areas');
  return out;
}

/** Card ids as pasted: separated by lines, spaces or commas; repeats dropped. */
export function parseIds(text: string): string[] {
  const out = [...new Set(text.split(/[\s,，;；、]+/).map((l) => l.trim()).filter(Boolean))];
  const long = out.find((x) => x.length > 128);
  if (long) throw new WordError(`卡号过长：${long.slice(0, 20)}…`, `A card id is longer than 128 characters: ${long.slice(0, 20)}…`);
  return out;
}

function bodyOf(d: WordDraft, version: number): { body: Record<string, unknown>; summary: Record<string, unknown> } {
  const head = { site: d.site, version };
  switch (d.kind) {
    case 'zone':
      if (!ZONE_LEVELS.includes(d.level as (typeof ZONE_LEVELS)[number])) throw new WordError('请选择防控等级', `level must be one of ${ZONE_LEVELS.join(', ')}`);
      return { body: { ...head, level: d.level }, summary: { level: d.level } };
    case 'risk-areas': {
      const areas = d.areas ?? [];
      return { body: { ...head, areas }, summary: { areas: areas.length, sample: areas.slice(0, 5) } };
    }
    case 'announcements': {
      const list = d.announcements ?? [];
      return { body: { ...head, announcements: list }, summary: { announcements: list.length, sample: list.slice(0, 3).map((a) => a?.text?.zh) } };
    }
    case 'revocations': {
      const cards = d.cards ?? [];
      return { body: { ...head, cards }, summary: { cards: cards.length, sample: cards.slice(0, 5) } };
    }
    case 'policy': {
      const thresholds = d.thresholds ?? {};
      if (!Object.keys(thresholds).length) throw new WordError('请至少填写一项阈值', 'Fill in at least one threshold');
      return { body: { ...head, thresholds }, summary: { thresholds } };
    }
    case 'quarantine': {
      const changes = d.changes ?? [];
      if (!changes.length) throw new WordError('请填写要设置或解除隔离的人员', 'Name at least one person to set or release');
      return { body: { ...head, changes }, summary: { set: changes.filter((c) => c.next).length, released: changes.filter((c) => !c.next).length, persons: changes.slice(0, 5).map((c) => c.personId) } };
    }
    case 'roster/delta': {
      const { file, ...lists } = d.roster ?? {};
      const body: Record<string, unknown> = { ...head };
      for (const [k, v] of Object.entries(lists)) if (Array.isArray(v) && v.length) body[k] = v;
      const n = (k: keyof typeof lists) => lists[k]?.length ?? 0;
      if (!n('households') && !n('persons') && !n('cards') && !n('vehiclePermits')) throw new WordError('表格中没有可下发的行', 'The spreadsheet has no rows to send');
      return { body, summary: { file: file ?? null, households: n('households'), persons: n('persons'), cards: n('cards'), vehiclePermits: n('vehiclePermits') } };
    }
    default:
      throw new WordError('未知的下发类型', `kind must be one of ${WORD_KINDS.join(', ')}`);
  }
}

const hashOf = (body: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);

export class WordDesk {
  constructor(
    private readonly db: Kysely<HubTables>,
    private readonly o: { histories: () => Promise<GateHistory[]>; publish: (topic: string, body: string, opts?: { retain: boolean }) => Promise<void>; root: string; now?: () => number },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async preview(d: WordDraft): Promise<Preview> {
    const histories = (await this.o.histories()).filter((h) => h.site === d.site);
    const current = new Map<string, GateHistory>();
    for (const h of histories) {
      const c = current.get(h.gate);
      if (!c || h.lastSeen > c.lastSeen) current.set(h.gate, h);
    }
    if (!current.size) throw new WordError(`小区 ${d.site} 尚无卡口上报，无处下发`, `No gate of ${d.site} has reported yet: nobody to send it to`);
    const gates = [...current.values()].map((h) => {
      const versions = (h.state?.versions ?? {}) as Record<string, number>;
      return { gate: h.gate, online: h.state?.status === 'online', currentVersion: Number(versions[versionKey(d.kind)] ?? 0), currentZone: typeof h.state?.zoneLevel === 'string' ? h.state.zoneLevel : null };
    });
    const last = await this.db.selectFrom('downlinks').select('version').where('site', '=', d.site).where('kind', '=', d.kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    const version = Math.max(Number(last?.version ?? 0), ...gates.map((g) => g.currentVersion)) + 1;
    const { body, summary } = bodyOf(d, version);
    const problems = schemaProblems(DOWNLINK_SCHEMAS[d.kind], body);
    if (problems.length) throw new WordError(`格式错误：${problems[0]}`, `Not a valid update: ${problems.join('; ')}`);
    if (d.kind === 'announcements') {
      try {
        checkAnnouncements(d.announcements ?? []);
      } catch (err) {
        throw new WordError(`通知有误：${(err as Error).message}`, `Not a valid list of notices: ${(err as Error).message}`);
      }
    }
    return { site: d.site, kind: d.kind, version, body, summary, gates: gates.sort((a, b) => a.gate.localeCompare(b.gate)), confirm: hashOf(body) };
  }

  /** Sends what was previewed (the confirmation must match a fresh preview: nothing changed since). */
  async send(d: WordDraft, confirm: string, by: string): Promise<SentWord> {
    const p = await this.preview(d);
    if (confirm !== p.confirm) throw new WordError('预览之后情况有变（版本或内容），请重新预览并确认', 'Something changed since the preview (version or content): preview and confirm again');
    const id = randomUUID();
    const body = { ...p.body, id, issuedAt: this.now() };
    const at = this.now();
    await this.db
      .insertInto('downlinks')
      .values({ id, site: d.site, kind: d.kind, version: p.version, body: JSON.stringify(body), summary: JSON.stringify(p.summary), gates: JSON.stringify(p.gates.map((g) => g.gate)), sent_by: by, sent_at: at })
      .execute();
    // Stored first: an answer arriving before the publish returns finds its update. Not published
    // (broker away): taken back, so the history never shows an update no gate could get.
    try {
      await this.o.publish(`${this.o.root}/v1/${d.site}/cmd/${d.kind}`, JSON.stringify(body));
    } catch (err) {
      await this.db.deleteFrom('downlinks').where('id', '=', id).execute();
      throw new WordError(`未能发出（消息服务器不可用），未做任何更改：${(err as Error).message}`, `Not sent (broker unreachable); nothing changed: ${(err as Error).message}`);
    }
    return (await this.history({ id }))[0] as SentWord;
  }

  /**
   * A gate's answer (its result message): kept when it names an update of ours. A gate sent an update
   * again that it holds already answers "not newer" with that version as its current one: that is
   * its applied, and it never turns an applied answer into a rejection.
   */
  async answer(gate: string, data: Record<string, unknown>, at: number): Promise<boolean> {
    const ref = (data.ref ?? {}) as { id?: string };
    if (typeof ref.id !== 'string') return false;
    const known = await this.db.selectFrom('downlinks').select(['id', 'version']).where('id', '=', ref.id).executeTakeFirst();
    if (!known) return false;
    const got = Array.isArray(data.reasons) ? (data.reasons.slice(0, 20) as Array<{ code?: string }>) : [];
    const holdsIt = data.result !== 'applied' && got.length > 0 && got.every((r) => r?.code === 'version.old') && Number(data.currentVersion) === Number(known.version);
    const result = data.result === 'applied' || holdsIt ? 'applied' : 'rejected';
    const reasons = JSON.stringify(holdsIt ? [] : got);
    if (result === 'rejected' && got.every((r) => r?.code === 'version.old')) {
      const before = await this.db.selectFrom('downlink_answers').select('result').where('downlink_id', '=', ref.id).where('gate', '=', gate).executeTakeFirst();
      if (before?.result === 'applied') return true;
    }
    await this.db
      .insertInto('downlink_answers')
      .values({ downlink_id: ref.id, gate, result, reasons, at })
      .onConflict((oc) => oc.columns(['downlink_id', 'gate']).doUpdateSet({ result, reasons, at }))
      .execute();
    return true;
  }

  /**
   * Sends the latest update of each compound and kind again to every online gate that has not
   * answered it, on that gate's own command topic (not retained: the site's retained copy stays the
   * one a returning gate gets). Older updates are not resent: the latest replaced them. Returns what
   * was sent, as site/gate/kind@version.
   */
  async retry(o: { sinceMs?: number } = {}): Promise<string[]> {
    const since = this.now() - (o.sinceMs ?? 86_400_000);
    const rows = await this.db.selectFrom('downlinks').selectAll().where('sent_at', '>=', since).orderBy('sent_at', 'desc').limit(500).execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const k = `${r.site}\u0000${versionKey(r.kind)}`;
      const l = latest.get(k);
      if (!l || Number(r.version) > Number(l.version)) latest.set(k, r);
    }
    if (!latest.size) return [];
    const online = new Set((await this.o.histories()).filter((h) => h.state?.status === 'online').map((h) => `${h.site}\u0000${h.gate}`));
    const ids = [...latest.values()].map((r) => r.id);
    const answered = new Set((await this.db.selectFrom('downlink_answers').select(['downlink_id', 'gate']).where('downlink_id', 'in', ids).execute()).map((a) => `${a.downlink_id}\u0000${a.gate}`));
    const sent: string[] = [];
    for (const r of latest.values()) {
      for (const gate of JSON.parse(r.gates) as string[]) {
        if (answered.has(`${r.id}\u0000${gate}`) || !online.has(`${r.site}\u0000${gate}`)) continue;
        try {
          await this.o.publish(`${this.o.root}/v1/${r.site}/${gate}/cmd/${r.kind}`, r.body, { retain: false });
          sent.push(`${r.site}/${gate}/${r.kind}@${r.version}`);
          const at = this.now();
          await this.db
            .insertInto('downlink_resends')
            .values({ downlink_id: r.id, gate, count: 1, last_at: at })
            .onConflict((oc) => oc.columns(['downlink_id', 'gate']).doUpdateSet({ count: sql`downlink_resends.count + 1`, last_at: at }))
            .execute();
        } catch {
          // The broker is away: the next round tries again.
        }
      }
    }
    return sent;
  }

  /** retry() every `everyMs` until stopped. */
  startRetry(everyMs: number, onError: (err: Error) => void): () => void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      this.retry()
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, everyMs);
    t.unref();
    return () => clearInterval(t);
  }

  /** The body of the last update of a kind sent to a compound (what its gates were told last), or null. */
  async lastSent(site: string, kind: WordKind): Promise<{ version: number; body: Record<string, unknown>; sentBy: string; sentAt: number } | null> {
    const r = await this.db.selectFrom('downlinks').select(['version', 'body', 'sent_by', 'sent_at']).where('site', '=', site).where('kind', '=', kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r ? { version: Number(r.version), body: JSON.parse(r.body) as Record<string, unknown>, sentBy: r.sent_by, sentAt: Number(r.sent_at) } : null;
  }

  async history(o: { id?: string; kind?: string; limit?: number } = {}): Promise<SentWord[]> {
    let q = this.db.selectFrom('downlinks').selectAll();
    if (o.id) q = q.where('id', '=', o.id);
    if (o.kind) q = q.where('kind', '=', o.kind);
    const rows = await q.orderBy('sent_at', 'desc').limit(Math.max(1, Math.min(200, o.limit ?? 30))).execute();
    if (!rows.length) return [];
    const answers = await this.db.selectFrom('downlink_answers').selectAll().where('downlink_id', 'in', rows.map((r) => r.id)).execute();
    const resends = await this.db.selectFrom('downlink_resends').selectAll().where('downlink_id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => {
      const mine = answers.filter((a) => a.downlink_id === r.id);
      const gates = JSON.parse(r.gates) as string[];
      for (const a of mine) if (!gates.includes(a.gate)) gates.push(a.gate);
      return {
        id: r.id,
        site: r.site,
        kind: r.kind,
        version: Number(r.version),
        summary: JSON.parse(r.summary) as Record<string, unknown>,
        sentBy: r.sent_by,
        sentAt: Number(r.sent_at),
        answers: gates.map((g) => {
          const a = mine.find((x) => x.gate === g);
          const re = resends.find((x) => x.downlink_id === r.id && x.gate === g);
          const resent = { resent: re ? Number(re.count) : 0, resentAt: re ? Number(re.last_at) : null };
          return a ? { gate: g, result: a.result as 'applied' | 'rejected', reasons: JSON.parse(a.reasons), at: Number(a.at), ...resent } : { gate: g, result: 'pending' as const, reasons: [], at: null, ...resent };
        }),
      };
    });
  }
}
