// The impure shell around the pure gate core: feeds it device and operator inputs, commits every
// decision to the ledger BEFORE the door moves, and tells kiosk, counts and sync only once the
// commit is on stable storage (docs/storage.md, the power-cut rule). Owns the one timer the core
// asks for (its next deadline).
import type { GateContext, GateInput, GateOutput, LaneStage, Policy, RosterView } from '../gate/contract.js';
import type { RulesConfig } from '../gate/config.js';
import { isDeclarationText } from '../gate/credentials/declaration.js';
import type { Action, Alert, Direction, Passage, Text } from '../gate/model.js';
import type { LedgerDecision } from '../store/api.js';
import type { Feature } from '../kernel/feature.js';
import type { RuntimeContext } from './events.js';
import type { GateRuntimeApi, LaneView } from './runtime-api.js';

export interface GateCoreLike {
  handle(input: GateInput, ctx: GateContext): GateOutput[];
  /** New thresholds (from the hub or an admin), in force from the next input. */
  setRules?(rules: RulesConfig): void;
  nextDeadline(): number | undefined;
  lanes(): Array<{ id: string; stage: LaneStage; passage?: Partial<Passage> & { id: string }; prompt?: Text }>;
}

export interface RuntimeLedger {
  recordPassage(p: Passage): { seq: number };
  recordAlert(a: Alert): { seq: number };
  /** Several decisions in one transaction (group commit); all or none. */
  recordDecisions(items: ReadonlyArray<LedgerDecision>): number[];
  /** False while another connection's transaction holds the writer lock (Ledger.writerFree). */
  writerFree?(): boolean;
  rosterView(): RosterView;
  policy(): Policy;
}

export interface GateRuntimeOptions {
  ctx: RuntimeContext;
  core: GateCoreLike;
  ledger: RuntimeLedger;
  lanes: Array<{ id: string; name: string; direction: Direction | 'both' }>;
  devices: GateRuntimeApi['devices'];
  /** The lane's devices act on a committed decision (DeviceManager.act): the end of the scan's fast path. */
  door: (lane: string, actions: Action[], passageId?: string) => void;
  sync: GateRuntimeApi['sync'];
  /**
   * Group commit: calls back once what was committed is on stable storage. The runtime then commits
   * the decisions of one turn of the event loop in one transaction, moves the door as soon as that
   * transaction is committed, and waits for this before it shows or announces them (kiosk, counts,
   * hub). Absent: each decision is committed alone, durable when it returns.
   */
  durable?: (cb: (err?: Error) => void) => void;
  /** The rules in force: configuration plus the thresholds policy; re-read with the roster and policy. */
  rules?: () => RulesConfig;
  /** Retry period for decisions that could not be committed (disk full, I/O error). */
  retryMs?: number;
}

type Pending = LedgerDecision;
/** A decision waiting for the end of the turn's transaction, and what to do once it may be acted on. */
type Queued = { item: Pending; door: () => void; then: (seq: number | undefined) => void };

export class GateRuntime implements Feature, GateRuntimeApi {
  readonly name = 'gate';
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A turn's commit waiting for the downlink worker to end its transaction. */
  private writerWait: NodeJS.Timeout | undefined;
  private snapshot: { roster: RosterView; policy: Policy } | undefined;
  private readonly pending: Pending[] = [];
  private readonly turn: Queued[] = [];
  private turnCommit: NodeJS.Immediate | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private running = false;
  /** Decisions stored or being stored whose actions (door, announcement) have not run yet. */
  private unsettled = 0;
  private settledWaiters: Array<() => void> = [];
  decided = 0;

  constructor(private readonly opts: GateRuntimeOptions) {}

  start(): void {
    const { bus } = this.opts.ctx;
    this.running = true;
    this.refresh();
    this.unsubscribe.push(
      bus.on('device.input', (input) => this.input(input)),
      bus.on('ledger.changed', ({ what }) => {
        if (what === 'roster' || what === 'policy') this.refresh();
      }),
    );
  }

  stop(): void {
    this.running = false;
    for (const u of this.unsubscribe.splice(0)) u();
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.commitTurn();
    this.flushPending();
  }

  /** Re-read the roster and policy snapshots the core decides with. */
  refresh(): void {
    this.snapshot = { roster: this.opts.ledger.rosterView(), policy: this.opts.ledger.policy() };
    if (this.opts.rules && this.opts.core.setRules) this.opts.core.setRules(this.opts.rules());
  }

  private context(): GateContext {
    if (!this.snapshot) this.refresh();
    const s = this.snapshot as { roster: RosterView; policy: Policy };
    return { clock: this.opts.ctx.clock, roster: s.roster, policy: s.policy };
  }

  input(input: GateInput): void {
    if (!this.running) return;
    // A health declaration's code opens the kiosk's visitor registration; it is not a passage (docs/declare.md).
    if (input.type === 'scan' && isDeclarationText(input.text)) {
      this.opts.ctx.bus.emit('declaration.scanned', { lane: input.lane, text: input.text.trim() });
      return;
    }
    let outputs: GateOutput[];
    try {
      outputs = this.opts.core.handle(input, this.context());
    } catch (err) {
      // The core is property-tested never to throw; if it does, the input is logged and dropped, the daemon lives.
      this.opts.ctx.logger.error({ err, input: input.type, lane: 'lane' in input ? input.lane : undefined }, 'gate core failed on an input');
      return;
    }
    for (const out of outputs) this.apply(out);
    // A card the lane did not take (someone else is being checked) is answered at the gate too, where
    // the person holding it stands: the lane's buzzer calls for attention (the kiosk says why).
    if (input.type === 'scan' && input.deviceId !== 'kiosk-camera' && outputs.some((o) => o.type === 'ignored' && o.input === 'scan')) {
      this.opts.door(input.lane, [{ kind: 'buzzer', lane: input.lane, pattern: 'attention' }]);
    }
    this.schedule();
  }

  private apply(out: GateOutput): void {
    const { bus, logger } = this.opts.ctx;
    switch (out.type) {
      case 'progress':
        bus.emit('passage.progress', { lane: out.lane, stage: out.stage, passage: out.passage, prompt: out.prompt });
        break;
      case 'decided': {
        const p = out.passage;
        this.decided++;
        // The door moves once the row is committed (before its sync), or when the disk refused it:
        // the gate keeps deciding (retried below). Kiosk, counts and hub hear of it after the sync.
        const door = () => {
          if (p.actions.length) this.opts.door(p.lane, p.actions, p.id);
        };
        this.record({ kind: 'passage', passage: p }, door, (seq) => {
          if (seq !== undefined) this.announce(p, seq);
        });
        logger.info({ passage: p.id, lane: p.lane, direction: p.direction, outcome: p.outcome, reasons: p.reasons.map((r) => r.code) }, 'passage decided');
        break;
      }
      case 'alert': {
        const alert = out.alert;
        this.record({ kind: 'alert', alert }, () => {}, (seq) => {
          if (seq !== undefined) bus.emit('alert.raised', { alert });
        });
        break;
      }
      case 'ignored':
        logger.debug({ lane: out.lane, input: out.input, reason: out.reason.en }, 'input ignored');
        if (out.input !== 'tick') bus.emit('gate.ignored', { lane: out.lane, input: out.input, reason: out.reason });
        break;
    }
  }

  /**
   * Stores a decision; calls `door` once it is committed (or refused), then `act` with its seq once
   * it may be shown, or with undefined when the ledger refused it (held and retried; the gate acts anyway).
   * Without group commit the decision is committed now and both run now. With group commit, the
   * decisions of one turn of the event loop are committed together at its end, in one transaction;
   * the doors move right after that commit, and the decisions are shown once the WAL holding them is
   * on disk: under load one commit and one sync serve many decisions, a lone decision's door waits
   * only for the end of its turn, and a slow sync never holds a door (docs/storage.md).
   */
  private record(item: Pending, door: () => void, act: (seq: number | undefined) => void): void {
    if (!this.opts.durable) {
      const seq = this.commit(item);
      door();
      act(seq);
      return;
    }
    this.unsettled++;
    const then = (seq: number | undefined) => {
      try {
        act(seq);
      } finally {
        if (--this.unsettled === 0) for (const w of this.settledWaiters.splice(0)) w();
      }
    };
    this.turn.push({ item, door, then });
    this.turnCommit ??= setImmediate(() => this.commitTurn());
  }

  /**
   * Resolves once every decision made so far has been acted on (with group commit, after its WAL
   * sync), or after `timeoutMs`. For callers that report what a burst of inputs decided (`gate sim play`).
   */
  settled(timeoutMs = 10_000): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.settledWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private commitTurn(): void {
    if (this.turnCommit) clearImmediate(this.turnCommit);
    clearTimeout(this.writerWait);
    this.turnCommit = undefined;
    this.writerWait = undefined;
    // The downlink worker is inside a transaction (a roster being written): it ends it within a row
    // now that the gate has asked, so the turn is committed a millisecond later rather than waited
    // for on the event loop (src/store/writer-signal.ts). Not when stopping: then it waits.
    if (this.running && this.turn.length && this.pending.length === 0 && this.opts.ledger.writerFree?.() === false) {
      this.writerWait = setTimeout(() => this.commitTurn(), 1);
      return;
    }
    const queued = this.turn.splice(0);
    if (queued.length === 0) return;
    let seqs: number[] | undefined;
    if (this.pending.length === 0) {
      try {
        seqs = this.opts.ledger.recordDecisions(queued.map((q) => q.item));
      } catch (err) {
        this.opts.ctx.logger.error({ err, decisions: queued.length }, 'ledger write failed; holding decisions in memory and retrying');
      }
    }
    if (!seqs) {
      // Held in order behind any decisions already held; acted on now.
      for (const q of queued) this.pending.push(q.item);
      this.opts.ctx.bus.emit('ledger.changed', { what: 'alerts' });
      this.scheduleRetry();
      for (const q of queued) {
        q.door();
        q.then(undefined);
      }
      return;
    }
    for (const q of queued) q.door();
    const committed = seqs;
    const durable = this.opts.durable as NonNullable<GateRuntimeOptions['durable']>;
    durable((err) => {
      if (err) this.opts.ctx.logger.error({ err }, 'could not sync the ledger to disk; showing the decisions anyway');
      for (const [i, q] of queued.entries()) q.then(committed[i]);
    });
  }

  private announce(p: Passage, seq: number): void {
    const { bus } = this.opts.ctx;
    bus.emit('passage.decided', { passage: p, seq });
    for (const alert of p.alerts) bus.emit('alert.raised', { alert });
    bus.emit('ledger.changed', { what: 'counts' });
  }

  private commit(item: Pending): number | undefined {
    if (this.pending.length) {
      this.pending.push(item);
      return undefined;
    }
    try {
      return item.kind === 'passage' ? this.opts.ledger.recordPassage(item.passage).seq : this.opts.ledger.recordAlert(item.alert).seq;
    } catch (err) {
      this.opts.ctx.logger.error({ err }, 'ledger write failed; holding decisions in memory and retrying');
      this.pending.push(item);
      this.opts.ctx.bus.emit('ledger.changed', { what: 'alerts' });
      this.scheduleRetry();
      return undefined;
    }
  }

  /** An alert from outside the gate core (a device gone, a full disk): committed, then announced. */
  raiseAlert(alert: Alert): void {
    this.apply({ type: 'alert', alert });
  }

  /** Decisions held because the ledger refused them (e.g. disk full). */
  pendingCount(): number {
    return this.pending.length;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flushPending();
      if (this.pending.length) this.scheduleRetry();
    }, this.opts.retryMs ?? 5000);
  }

  private flushPending(): void {
    while (this.pending.length) {
      const item = this.pending[0] as Pending;
      try {
        if (item.kind === 'passage') this.announce(item.passage, this.opts.ledger.recordPassage(item.passage).seq);
        else {
          this.opts.ledger.recordAlert(item.alert);
          this.opts.ctx.bus.emit('alert.raised', { alert: item.alert });
        }
        this.pending.shift();
      } catch {
        return;
      }
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const deadline = this.opts.core.nextDeadline();
    if (deadline === undefined) return;
    const delay = Math.max(0, Math.min(deadline - this.opts.ctx.clock.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => this.input({ type: 'tick' }), delay);
  }

  lanes(): LaneView[] {
    const states = new Map(this.opts.core.lanes().map((l) => [l.id, l]));
    return this.opts.lanes.map((l) => {
      const s = states.get(l.id);
      const view: LaneView = { id: l.id, name: l.name, direction: l.direction, stage: s?.stage ?? 'idle' };
      if (s?.passage) view.passage = s.passage;
      if (s?.prompt) view.prompt = s.prompt;
      return view;
    });
  }

  devices(): ReturnType<GateRuntimeApi['devices']> {
    return this.opts.devices();
  }

  sync(): ReturnType<GateRuntimeApi['sync']> {
    return this.opts.sync();
  }
}
