// Updates from the hub: size → JSON → site → schema → version, then one atomic ledger call.
// Every update is answered with 'applied' or 'rejected' and the reasons; a rejected one changes nothing.
// There is deliberately no remote door opening (it would need a signed, audited command format).
import type { Logger } from 'pino';
import type { EventBus } from '../kernel/bus.js';
import type { LedgerEvents } from '../store/events.js';
import type { Reason } from '../gate/model.js';
import type { Ledger, PolicyKind, RosterChange } from '../store/api.js';
import type { Static } from 'typebox';
import { type DeclarationsUpdate, DOWNLINK_SCHEMAS, type ResultData, schemaProblems } from './messages.js';
import type { DownlinkKind, TopicTree } from './topics.js';

export type DownlinkLedger = Pick<Ledger, 'rosterVersion' | 'applyRoster' | 'applyPolicy' | 'policyStates' | 'applyHealth'> & Partial<Pick<Ledger, 'declarations'>>;

export interface DownlinkOptions {
  ledger: DownlinkLedger;
  bus: EventBus<LedgerEvents>;
  topics: TopicTree;
  site: string;
  maxBytes: number;
  logger: Logger;
  /** Sends the result (through the outbox, so it carries a seq like every uplink message). */
  answer: (result: ResultData) => void;
  onApplied?: (kind: DownlinkKind) => void;
}

const POLICY_KIND: Partial<Record<DownlinkKind, PolicyKind>> = {
  'risk-areas': 'risk-areas',
  zone: 'zone-level',
  revocations: 'revocations',
  policy: 'thresholds',
};

function reason(code: string, zh: string, en: string): Reason {
  return { code, zh, en };
}

export class DownlinkHandler {
  constructor(private readonly o: DownlinkOptions) {}

  /** Versions currently applied, by downlink kind (for the state message and the checks). */
  versions(): Record<string, number> {
    const out: Record<string, number> = { roster: this.o.ledger.rosterVersion() };
    const states = this.o.ledger.policyStates();
    for (const [kind, pk] of Object.entries(POLICY_KIND)) out[kind] = states.find((s) => s.kind === pk)?.version ?? 0;
    const health = states.find((s) => (s.kind as string) === 'health');
    if (health) out.health = health.version;
    if (this.o.ledger.declarations) out.declarations = this.o.ledger.declarations.version();
    return out;
  }

  handle(topic: string, payload: Buffer, retained: boolean): ResultData | undefined {
    const parsed = this.o.topics.parseDownlink(topic);
    if (!parsed) return undefined;
    const ref: ResultData['ref'] = { topic };
    if (parsed.kind) ref.kind = parsed.kind;
    const reject = (reasons: Reason[], currentVersion?: number): ResultData => {
      const r: ResultData = { ref, result: 'rejected', reasons };
      if (currentVersion !== undefined) r.currentVersion = currentVersion;
      this.o.logger.warn({ topic, reasons: reasons.map((x) => x.code), version: ref.version }, 'hub update rejected');
      this.o.answer(r);
      return r;
    };
    if (payload.length > this.o.maxBytes) {
      return reject([reason('payload.too-large', `消息过大（${payload.length} 字节，上限 ${this.o.maxBytes}）`, `Message too large (${payload.length} bytes, limit ${this.o.maxBytes})`)]);
    }
    if (!parsed.kind) return reject([reason('topic.unknown', '未知的指令主题', `Unknown command topic; expected one of …/cmd/{roster,roster/delta,health,risk-areas,zone,revocations,policy,declarations}`)]);
    const kind = parsed.kind;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return reject([reason('payload.malformed', '消息不是有效的 JSON', `Not valid JSON: ${(err as Error).message}`)]);
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      if (typeof b.id === 'string') ref.id = b.id.slice(0, 128);
      if (Number.isSafeInteger(b.version)) ref.version = b.version as number;
      if (typeof b.site === 'string' && b.site !== this.o.site) {
        return reject([reason('site.wrong', `消息属于其他小区（${b.site.slice(0, 64)}）`, `Update is for site "${b.site.slice(0, 64)}", this gate belongs to "${this.o.site}"`)]);
      }
    }
    const problems = schemaProblems(DOWNLINK_SCHEMAS[kind], body);
    if (problems.length > 0) {
      return reject(problems.map((p) => reason('payload.schema', `格式错误：${p}`, `Schema: ${p}`)));
    }
    const version = (body as { version: number }).version;
    const current = this.versions()[kind === 'roster/delta' ? 'roster' : kind] ?? 0;
    if (version <= current) {
      // A retained snapshot we already hold comes back on every reconnect: not worth an answer.
      if (retained && version === current) return undefined;
      return reject([reason('version.old', `版本 ${version} 不比已应用的版本 ${current} 新`, `Version ${version} is not newer than the applied version ${current}`)], current);
    }
    try {
      const outcome = this.apply(kind, body, version);
      if (outcome !== 'applied') return reject([outcome], this.versions()[kind === 'roster/delta' ? 'roster' : kind]);
    } catch (err) {
      this.o.logger.error({ err, topic }, 'hub update failed to apply; nothing changed');
      return reject([reason('apply.failed', '写入本地台账失败，未做任何更改', `Could not apply it to the ledger; nothing changed: ${(err as Error).message}`)]);
    }
    const applied: ResultData = { ref, result: 'applied', reasons: [], currentVersion: version };
    this.o.logger.info({ topic, version }, 'hub update applied');
    this.o.answer(applied);
    if (kind !== 'declarations') this.o.bus.emit('ledger.changed', { what: kind === 'roster' || kind === 'roster/delta' || kind === 'health' ? 'roster' : 'policy' });
    this.o.onApplied?.(kind);
    return applied;
  }

  private apply(kind: DownlinkKind, body: unknown, version: number): 'applied' | Reason {
    const stale = reason('version.old', `版本 ${version} 已过时`, `Version ${version} is not newer than the applied one`);
    const l = this.o.ledger;
    switch (kind) {
      case 'roster':
      case 'roster/delta': {
        const { site: _s, version: _v, id: _i, issuedAt: _a, baseVersion, ...change } = body as RosterChange & { site: string; version: number; id?: string; issuedAt?: number; baseVersion?: number };
        if (baseVersion !== undefined && baseVersion !== l.rosterVersion()) {
          return reason('version.base-mismatch', `增量基于版本 ${baseVersion}，本机为 ${l.rosterVersion()}，请发送完整名单`, `Delta is based on version ${baseVersion}, this gate has ${l.rosterVersion()}: send a full roster`);
        }
        const r = l.applyRoster(kind === 'roster' ? { ...change, full: true } : change, { version, actor: 'hub' });
        return r.result === 'applied' ? 'applied' : stale;
      }
      case 'health': {
        if (!l.applyHealth) return reason('kind.unsupported', '本机台账暂不支持健康码更新', 'This gate\'s ledger cannot store health updates yet');
        const { statuses } = body as { statuses: Array<{ personId: string; colour: 'green' | 'yellow' | 'red'; at: number }> };
        const r = l.applyHealth(statuses, { version, actor: 'hub' });
        if (r.result !== 'applied') return stale;
        if (r.unknown.length > 0) this.o.logger.warn({ unknown: r.unknown.length }, 'health update names persons not on the roster');
        return 'applied';
      }
      case 'declarations': {
        if (!l.declarations) return reason('kind.unsupported', '本机台账暂不支持健康申报', 'This gate\'s ledger cannot store declarations yet');
        return l.declarations.apply((body as Static<typeof DeclarationsUpdate>).declarations, version) === 'applied' ? 'applied' : stale;
      }
      default: {
        const pk = POLICY_KIND[kind] as PolicyKind;
        const b = body as Record<string, unknown>;
        const payload = kind === 'risk-areas' ? b.areas : kind === 'zone' ? b.level : kind === 'revocations' ? b.cards : b.thresholds;
        return l.applyPolicy(pk, version, payload, 'hub') === 'applied' ? 'applied' : stale;
      }
    }
  }
}
