// Updates from the hub: size → JSON → site → schema → version, then one atomic ledger call. A large
// update is parsed and validated in a worker thread (./downlink-offload.ts).
// Every update is answered with 'applied' or 'rejected' and the reasons; a rejected one changes nothing.
// There is deliberately no remote door opening (it would need a signed, audited command format).
import type { Logger } from 'pino';
import type { EventBus } from '../kernel/bus.js';
import type { LedgerEvents } from '../store/events.js';
import type { Reason } from '../gate/model.js';
import type { Ledger, PolicyKind, RosterChange } from '../store/api.js';
import { type Announcement, checkAnnouncements } from '../devices/voice/announcements.js';
import { checkDownlink, type DownlinkCheck, reason } from './downlink-check.js';
import { DownlinkOffload, OFFLOAD_BYTES } from './downlink-offload.js';
import type { Static } from 'typebox';
import { validateQuarantineChange } from '../store/quarantine.js';
import type { DeclarationsUpdate, QuarantineUpdate, ResultData } from './messages.js';
import { DOWNLINK_KINDS, type DownlinkKind, type TopicTree } from './topics.js';

export type DownlinkLedger = Pick<Ledger, 'rosterVersion' | 'applyRoster' | 'applyPolicy' | 'policyStates' | 'applyHealth' | 'file' | 'rosterReplaced' | 'writerSignal'> & Partial<Pick<Ledger, 'declarations' | 'person' | 'setQuarantine'>>;

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
  authorised: 'authorised',
  hours: 'hours',
  policy: 'thresholds',
  announcements: 'announcements',
  quarantine: 'quarantine',
};

const baseMismatch = (base: number | undefined, current: number) =>
  reason('version.base-mismatch', `增量基于版本 ${base ?? '?'}，本机为 ${current}，请发送完整名单`, `Delta is based on version ${base ?? '?'}, this gate has ${current}: send a full roster`);

export class DownlinkHandler {
  private readonly offload = new DownlinkOffload();
  private inFlight: Promise<ResultData | undefined> | undefined;
  private closed = false;
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

  /**
   * Checks and applies one update. A small one is done at once; a large one is parsed and validated
   * in a worker thread (the result is a promise), and the updates after it wait their turn, so that
   * they are still applied in the order they came.
   */
  handle(topic: string, payload: Buffer, retained: boolean): ResultData | undefined | Promise<ResultData | undefined> {
    if (this.inFlight) return this.track(this.inFlight.then(() => this.handleNow(topic, payload, retained)));
    return this.handleNow(topic, payload, retained);
  }

  /** Stops the worker thread (the daemon stops). */
  async close(): Promise<void> {
    this.closed = true;
    await this.offload.close();
  }

  private track(p: Promise<ResultData | undefined>): Promise<ResultData | undefined> {
    this.inFlight = p;
    void p.finally(() => {
      if (this.inFlight === p) this.inFlight = undefined;
    });
    return p;
  }

  private handleNow(topic: string, payload: Buffer, retained: boolean): ResultData | undefined | Promise<ResultData | undefined> {
    if (this.closed) return undefined;
    const parsed = this.o.topics.parseDownlink(topic);
    if (!parsed) return undefined;
    // An empty payload is how MQTT clears a retained message (the broker forwards the clearing
    // publish to subscribers): the hub took the command back. Nothing to apply, nothing to answer.
    if (payload.length === 0) {
      this.o.logger.debug({ topic }, 'retained hub command cleared');
      return undefined;
    }
    const ref: ResultData['ref'] = { topic };
    if (parsed.kind) ref.kind = parsed.kind;
    if (payload.length > this.o.maxBytes) {
      return this.reject(ref, [reason('payload.too-large', `消息过大（${payload.length} 字节，上限 ${this.o.maxBytes}）`, `Message too large (${payload.length} bytes, limit ${this.o.maxBytes})`)]);
    }
    if (!parsed.kind) return this.reject(ref, [reason('topic.unknown', '未知的指令主题', `Unknown command topic; expected one of …/cmd/{${DOWNLINK_KINDS.join(',')}}`)]);
    const kind = parsed.kind;
    if (payload.length >= OFFLOAD_BYTES) {
      // A roster or a delta goes into the ledger from the worker too, when the ledger is a file it can open.
      const file = (kind === 'roster' || kind === 'roster/delta') && this.o.ledger.rosterReplaced ? this.o.ledger.file?.() : undefined;
      const gate = this.o.ledger.writerSignal?.().buffer;
      const swap = file ? { path: file, now: Date.now(), actor: 'hub', ...(gate ? { gate } : {}) } : undefined;
      return this.track(
        this.offload.check(kind, payload, this.o.site, swap).then(
          (c) => this.afterCheck(ref, kind, c, retained),
          (err: Error) => this.reject(ref, [reason('payload.check-failed', '无法检查该消息，未做任何更改', `Could not check the update; nothing changed: ${err.message}`)]),
        ),
      );
    }
    return this.afterCheck(ref, kind, checkDownlink(kind, payload, this.o.site), retained);
  }

  private reject(ref: ResultData['ref'], reasons: Reason[], currentVersion?: number): ResultData | undefined {
    if (this.closed) return undefined;
    const r: ResultData = { ref, result: 'rejected', reasons };
    if (currentVersion !== undefined) r.currentVersion = currentVersion;
    this.o.logger.warn({ topic: ref.topic, reasons: reasons.map((x) => x.code), version: ref.version }, 'hub update rejected');
    this.o.answer(r);
    return r;
  }

  private afterCheck(ref: ResultData['ref'], kind: DownlinkKind, c: DownlinkCheck, retained: boolean): ResultData | undefined {
    // Stopped while the worker checked it: the ledger may be closing; the hub sends it again.
    if (this.closed) return undefined;
    if (c.id !== undefined) ref.id = c.id;
    if (c.version !== undefined) ref.version = c.version;
    if (!c.ok) return this.reject(ref, c.reasons);
    if ('swapped' in c && c.swapped.result === 'applied') {
      this.o.ledger.rosterReplaced?.();
      return this.applied(ref, kind, c.swapped.version);
    }
    if ('swapped' in c && c.swapped.result === 'base-mismatch') return this.reject(ref, [baseMismatch(c.swapped.baseVersion, c.swapped.version)], c.swapped.version);
    const version = 'swapped' in c ? (c.version as number) : (c.body.version as number);
    const current = this.versions()[kind === 'roster/delta' ? 'roster' : kind] ?? 0;
    if (version <= current) {
      // A retained snapshot we already hold comes back on every reconnect: not worth an answer.
      if (retained && version === current) return undefined;
      return this.reject(ref, [reason('version.old', `版本 ${version} 不比已应用的版本 ${current} 新`, `Version ${version} is not newer than the applied version ${current}`)], current);
    }
    if (!('body' in c)) return this.reject(ref, [reason('version.old', `版本 ${version} 已过时`, `Version ${version} is not newer than the applied one`)], current);
    try {
      const outcome = this.apply(kind, c.body, version);
      if (outcome !== 'applied') return this.reject(ref, [outcome], this.versions()[kind === 'roster/delta' ? 'roster' : kind]);
    } catch (err) {
      this.o.logger.error({ err, topic: ref.topic }, 'hub update failed to apply; nothing changed');
      return this.reject(ref, [reason('apply.failed', '写入本地台账失败，未做任何更改', `Could not apply it to the ledger; nothing changed: ${(err as Error).message}`)]);
    }
    return this.applied(ref, kind, version);
  }

  private applied(ref: ResultData['ref'], kind: DownlinkKind, version: number): ResultData {
    const applied: ResultData = { ref, result: 'applied', reasons: [], currentVersion: version };
    this.o.logger.info({ topic: ref.topic, version }, 'hub update applied');
    this.o.answer(applied);
    if (kind !== 'declarations') this.o.bus.emit('ledger.changed', { what: kind === 'roster' || kind === 'roster/delta' || kind === 'health' || kind === 'quarantine' ? 'roster' : 'policy' });
    this.o.onApplied?.(kind);
    return applied;
  }

  /** Every change checked first (a known person, a future end, a complete sign-off): none is made when one is wrong. */
  private applyQuarantine(changes: Static<typeof QuarantineUpdate>['changes'], version: number): 'applied' | Reason {
    const l = this.o.ledger;
    if (!l.setQuarantine || !l.person) return reason('kind.unsupported', '本机台账暂不支持隔离管理', 'This gate\'s ledger cannot store quarantine changes yet');
    const now = Date.now();
    for (const [i, c] of changes.entries()) {
      if (!l.person(c.personId)) return reason('quarantine.unknown-person', `第 ${i + 1} 条：花名册中没有此人（${c.personId}），未做任何更改`, `Change ${i + 1}: no person ${c.personId} on this gate's roster; nothing changed`);
      try {
        validateQuarantineChange(c.next, { cause: c.next ? 'admin' : 'release', ...(c.signOff ? { signOff: c.signOff } : {}) }, now);
      } catch (err) {
        return reason('quarantine.invalid', `第 ${i + 1} 条不符合解除/设置要求（需签字及第5、11天两次阴性检测），未做任何更改：${(err as Error).message}`, `Change ${i + 1}: ${(err as Error).message}; nothing changed`);
      }
    }
    if (l.applyPolicy('quarantine', version, { changes }, 'hub') !== 'applied') return reason('version.old', `版本 ${version} 已过时`, `Version ${version} is not newer than the applied one`);
    for (const c of changes) l.setQuarantine(c.personId, c.next, { cause: c.next ? 'admin' : 'release', ...(c.signOff ? { signOff: c.signOff } : {}), ...(c.note ? { note: c.note } : {}) }, 'hub');
    return 'applied';
  }

  private apply(kind: DownlinkKind, body: unknown, version: number): 'applied' | Reason {
    const stale = reason('version.old', `版本 ${version} 已过时`, `Version ${version} is not newer than the applied one`);
    const l = this.o.ledger;
    switch (kind) {
      case 'roster':
      case 'roster/delta': {
        const { site: _s, version: _v, id: _i, issuedAt: _a, baseVersion, ...change } = body as RosterChange & { site: string; version: number; id?: string; issuedAt?: number; baseVersion?: number };
        if (baseVersion !== undefined && baseVersion !== l.rosterVersion()) return baseMismatch(baseVersion, l.rosterVersion());
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
      case 'quarantine':
        return this.applyQuarantine((body as Static<typeof QuarantineUpdate>).changes, version);
      default: {
        const pk = POLICY_KIND[kind] as PolicyKind;
        const b = body as Record<string, unknown>;
        const payload = kind === 'risk-areas' ? b.areas : kind === 'zone' ? b.level : kind === 'revocations' || kind === 'authorised' ? b.cards : kind === 'hours' ? { outsiderHours: b.outsiderHours } : kind === 'announcements' ? b.announcements : b.thresholds;
        if (kind === 'announcements') {
          try {
            checkAnnouncements(b.announcements as Announcement[]);
          } catch (err) {
            return reason('payload.schema', `通知格式错误：${(err as Error).message}`, `Schema: ${(err as Error).message}`);
          }
        }
        return l.applyPolicy(pk, version, payload, 'hub') === 'applied' ? 'applied' : stale;
      }
    }
  }
}
