// The impure shell around the pure gate core: feeds it device and operator inputs, commits every
// decision to the ledger BEFORE the door moves or the screen shows it, then tells devices, kiosk
// and sync. Owns the one timer the core asks for (its next deadline).
import type { GateContext, GateInput, GateOutput, LaneStage, Policy, RosterView } from '../gate/contract.js';
import type { RulesConfig } from '../gate/config.js';
import type { Alert, Direction, Passage, Text } from '../gate/model.js';
import type { AppContext, Feature } from './feature.js';
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
  rosterView(): RosterView;
  policy(): Policy;
}

export interface GateRuntimeOptions {
  ctx: AppContext;
  core: GateCoreLike;
  ledger: RuntimeLedger;
  lanes: Array<{ id: string; name: string; direction: Direction | 'both' }>;
  devices: GateRuntimeApi['devices'];
  sync: GateRuntimeApi['sync'];
  /**
   * Group commit: calls back once what was committed is on stable storage. The runtime waits for it
   * before it moves the door or shows the decision. Absent: commits are durable when they return.
   */
  durable?: (cb: (err?: Error) => void) => void;
  /** The rules in force: configuration plus the thresholds policy; re-read with the roster and policy. */
  rules?: () => RulesConfig;
  /** Retry period for decisions that could not be committed (disk full, I/O error). */
  retryMs?: number;
}

type Pending = { kind: 'passage'; passage: Passage } | { kind: 'alert'; alert: Alert };

export class GateRuntime implements Feature, GateRuntimeApi {
  readonly name = 'gate';
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private snapshot: { roster: RosterView; policy: Policy } | undefined;
  private readonly pending: Pending[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private running = false;
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
    let outputs: GateOutput[];
    try {
      outputs = this.opts.core.handle(input, this.context());
    } catch (err) {
      // The core is property-tested never to throw; if it does, the input is logged and dropped, the daemon lives.
      this.opts.ctx.logger.error({ err, input: input.type, lane: 'lane' in input ? input.lane : undefined }, 'gate core failed on an input');
      return;
    }
    for (const out of outputs) this.apply(out);
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
        const seq = this.commit({ kind: 'passage', passage: p });
        const act = () => {
          if (p.actions.length) bus.emit('gate.actions', { lane: p.lane, actions: p.actions });
          if (seq !== undefined) this.announce(p, seq);
        };
        // The door moves whether or not the disk took the row: the gate keeps deciding (retried below).
        // A committed row is first made durable when the ledger asks for it (group commit).
        if (seq !== undefined && this.opts.durable) this.afterDurable(act);
        else act();
        logger.info({ passage: p.id, lane: p.lane, direction: p.direction, outcome: p.outcome, reasons: p.reasons.map((r) => r.code) }, 'passage decided');
        break;
      }
      case 'alert': {
        const seq = this.commit({ kind: 'alert', alert: out.alert });
        if (seq === undefined) break;
        const announce = () => bus.emit('alert.raised', { alert: out.alert });
        if (this.opts.durable) this.afterDurable(announce);
        else announce();
        break;
      }
      case 'ignored':
        logger.debug({ lane: out.lane, input: out.input, reason: out.reason.en }, 'input ignored');
        break;
    }
  }

  private afterDurable(then: () => void): void {
    const durable = this.opts.durable as NonNullable<GateRuntimeOptions['durable']>;
    durable((err) => {
      if (err) this.opts.ctx.logger.error({ err }, 'could not sync the ledger to disk; acting on the decision anyway');
      then();
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
