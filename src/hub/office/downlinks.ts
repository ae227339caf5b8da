// The office's word to the gates: a compound's zone level, its risk-area list and the notices its
// loudspeakers play (announcements, docs/voice.md), each a versioned
// update (the gates' own schemas in src/sync/messages.ts) previewed, then published retained on
// <root>/v1/<site>/cmd/<kind> (a gate away gets it on its return), with each gate's answer
// (applied / rejected with its reasons) kept beside it, and a history of who sent what.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Announcement, checkAnnouncements } from '../../devices/voice/announcements.js';
import { DOWNLINK_SCHEMAS, schemaProblems } from '../../sync/messages.js';
import type { GateHistory } from '../storage/read.js';
import type { HubTables } from '../storage/tables.js';

export const ZONE_LEVELS = ['normal', 'precaution', 'controlled', 'sealed'] as const;
export type WordKind = 'zone' | 'risk-areas' | 'announcements';

export interface WordDraft {
  site: string;
  kind: WordKind;
  level?: string;
  areas?: string[];
  /** The whole list the gates' loudspeakers play (it replaces the list they have). */
  announcements?: Announcement[];
}

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
  answers: Array<{ gate: string; result: 'pending' | 'applied' | 'rejected'; reasons: Array<{ code: string; zh: string; en: string }>; at: number | null }>;
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

const hashOf = (body: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);

export class WordDesk {
  constructor(
    private readonly db: Kysely<HubTables>,
    private readonly o: { histories: () => Promise<GateHistory[]>; publish: (topic: string, body: string) => Promise<void>; root: string; now?: () => number },
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
      return { gate: h.gate, online: h.state?.status === 'online', currentVersion: Number(versions[d.kind] ?? 0), currentZone: typeof h.state?.zoneLevel === 'string' ? h.state.zoneLevel : null };
    });
    const last = await this.db.selectFrom('downlinks').select('version').where('site', '=', d.site).where('kind', '=', d.kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    const version = Math.max(Number(last?.version ?? 0), ...gates.map((g) => g.currentVersion)) + 1;
    let body: Record<string, unknown>;
    let summary: Record<string, unknown>;
    if (d.kind === 'zone') {
      if (!ZONE_LEVELS.includes(d.level as (typeof ZONE_LEVELS)[number])) throw new WordError('请选择防控等级', `level must be one of ${ZONE_LEVELS.join(', ')}`);
      body = { site: d.site, version, level: d.level };
      summary = { level: d.level };
    } else if (d.kind === 'announcements') {
      const list = d.announcements ?? [];
      body = { site: d.site, version, announcements: list };
      summary = { announcements: list.length, sample: list.slice(0, 3).map((a) => a?.text?.zh) };
    } else {
      const areas = d.areas ?? [];
      body = { site: d.site, version, areas };
      summary = { areas: areas.length, sample: areas.slice(0, 5) };
    }
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

  /** A gate's answer (its result message): kept when it names an update of ours. */
  async answer(gate: string, data: Record<string, unknown>, at: number): Promise<boolean> {
    const ref = (data.ref ?? {}) as { id?: string };
    if (typeof ref.id !== 'string') return false;
    const known = await this.db.selectFrom('downlinks').select('id').where('id', '=', ref.id).executeTakeFirst();
    if (!known) return false;
    const result = data.result === 'applied' ? 'applied' : 'rejected';
    const reasons = JSON.stringify(Array.isArray(data.reasons) ? data.reasons.slice(0, 20) : []);
    await this.db
      .insertInto('downlink_answers')
      .values({ downlink_id: ref.id, gate, result, reasons, at })
      .onConflict((oc) => oc.columns(['downlink_id', 'gate']).doUpdateSet({ result, reasons, at }))
      .execute();
    return true;
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
          return a ? { gate: g, result: a.result as 'applied' | 'rejected', reasons: JSON.parse(a.reasons), at: Number(a.at) } : { gate: g, result: 'pending' as const, reasons: [], at: null };
        }),
      };
    });
  }
}
