import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { type GateCoreLike, GateRuntime, type RuntimeLedger } from '../../src/runtime/gate-runtime.js';
import { validateConfig } from '../../src/config/load.js';
import type { GateInput, GateOutput } from '../../src/gate/contract.js';
import type { RulesConfig } from '../../src/gate/config.js';
import type { Action, Passage } from '../../src/gate/model.js';

function passage(id: string): Passage {
  return {
    id, lane: 'main', direction: 'in', subject: null, temperatures: [], colour: 'green', colourSource: 'operator', mask: true, maskSource: 'operator',
    outcome: 'admitted', reasons: [{ code: 'ok', zh: '通过', en: 'Admitted' }], startedAt: 0, decidedAt: 0, clockSynced: true,
    actions: [{ kind: 'relay', lane: 'main', pulseMs: 3000 }], alerts: [], flags: [], zoneLevel: 'normal',
  };
}

function setup(opts: { failWrites?: () => boolean; deadline?: () => number | undefined; durable?: (cb: (err?: Error) => void) => void; core?: GateCoreLike; writerFree?: () => boolean } = {}) {
  const log: string[] = [];
  const bus = new EventBus<AppEvents>();
  const ctx: AppContext = {
    config: validateConfig({}).config!, bus, logger: pino({ level: 'silent' }), dataDir: '/tmp',
    clock: { now: () => Date.now(), mono: () => performance.now(), synced: () => true },
  };
  const inputs: GateInput[] = [];
  let n = 0;
  const core: GateCoreLike = opts.core ?? {
    handle(input) {
      inputs.push(input);
      if (input.type === 'scan') return [{ type: 'decided', passage: passage(`p${++n}`) }] as GateOutput[];
      return [];
    },
    nextDeadline: () => opts.deadline?.(),
    lanes: () => [{ id: 'main', stage: 'idle' }],
  };
  let seq = 0;
  const ledger: RuntimeLedger = {
    recordPassage(p) {
      if (opts.failWrites?.()) throw new Error('SQLITE_FULL: database or disk is full');
      log.push(`commit ${p.id}`);
      return { seq: ++seq };
    },
    recordAlert: () => ({ seq: ++seq }),
    recordDecisions(items) {
      if (opts.failWrites?.()) throw new Error('SQLITE_FULL: database or disk is full');
      log.push(`commit ${items.map((d) => (d.kind === 'passage' ? d.passage.id : d.alert.id)).join('+')}`);
      return items.map(() => ++seq);
    },
    ...(opts.writerFree ? { writerFree: opts.writerFree } : {}),
    rosterView: () => ({ person: () => undefined, personByIdNumber: () => undefined, household: () => undefined, card: () => undefined, visitor: () => undefined, members: () => [] }),
    policy: () => ({ version: 1, zoneLevel: 'normal', riskAreas: [], revokedCards: [], authorised: [] }),
  };
  bus.on('passage.decided', ({ passage: p, seq: s }) => log.push(`decided ${p.id} #${s}`));
  const door = (_lane: string, actions: Action[]) => log.push(`actions ${actions.map((a) => a.kind).join(',')}`);
  const rt = new GateRuntime({ ctx, core, ledger, door, lanes: [{ id: 'main', name: '主通道', direction: 'both' }], devices: () => [], sync: () => ({ enabled: false, connected: false, outboxDepth: 0 }), retryMs: 1000, ...(opts.durable ? { durable: opts.durable } : {}) });
  return { rt, bus, log, inputs };
}

function setupWithRules() {
  const bus = new EventBus<AppEvents>();
  const ctx: AppContext = {
    config: validateConfig({}).config!, bus, logger: pino({ level: 'silent' }), dataDir: '/tmp',
    clock: { now: () => Date.now(), mono: () => performance.now(), synced: () => true },
  };
  const rulesSeen: RulesConfig[] = [];
  const state = { nextFever: 37.3 };
  const core: GateCoreLike = { handle: () => [], nextDeadline: () => undefined, lanes: () => [], setRules: (r) => rulesSeen.push(r) };
  const ledger: RuntimeLedger = {
    recordPassage: () => ({ seq: 1 }),
    recordAlert: () => ({ seq: 1 }),
    recordDecisions: (items) => items.map(() => 1),
    rosterView: () => ({ person: () => undefined, personByIdNumber: () => undefined, household: () => undefined, card: () => undefined, visitor: () => undefined, members: () => [] }),
    policy: () => ({ version: 1, zoneLevel: 'normal', riskAreas: [], revokedCards: [], authorised: [] }),
  };
  const rt = new GateRuntime({ ctx, core, ledger, door: () => {}, lanes: [], devices: () => [], sync: () => ({ enabled: false, connected: false, outboxDepth: 0 }), rules: () => ({ ...ctx.config.rules, feverThreshold: state.nextFever }) });
  return { bus, rt, rulesSeen, state };
}

describe('GateRuntime', () => {
  afterEach(() => vi.useRealTimers());

  it('gives the core the rules in force again whenever the policy changes', () => {
    const { rt, bus, rulesSeen, state } = setupWithRules();
    rt.start();
    expect(rulesSeen.at(-1)?.feverThreshold).toBe(37.3);
    state.nextFever = 37.0;
    bus.emit('ledger.changed', { what: 'policy' });
    expect(rulesSeen.at(-1)?.feverThreshold).toBe(37.0);
  });

  it('with group commit, commits the decisions of a turn together, moves the doors at the commit and tells the kiosk only once the ledger says they are on disk', async () => {
    const syncs: Array<(err?: Error) => void> = [];
    const { rt, bus, log } = setup({ durable: (cb) => syncs.push(cb) });
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.y' });
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.z' });
    expect(log).toEqual([]);
    await new Promise((r) => setImmediate(r));
    // Both decided and committed in one transaction, one sync asked for and held back by the test:
    // the doors moved already, the kiosk bus has heard nothing.
    expect(log).toEqual(['commit p1+p2', 'actions relay', 'actions relay']);
    expect(syncs).toHaveLength(1);
    syncs.shift()?.();
    expect(log).toEqual(['commit p1+p2', 'actions relay', 'actions relay', 'decided p1 #1', 'decided p2 #2']);
    // A failed sync is logged; the decision is still shown (the gate never waits for a broken disk).
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.w' });
    await new Promise((r) => setImmediate(r));
    expect(log.slice(-2)).toEqual(['commit p3', 'actions relay']);
    syncs.shift()?.(new Error('EIO'));
    expect(log.at(-1)).toBe('decided p3 #3');
    // Stopping commits what the turn holds at once.
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.v' });
    rt.stop();
    expect(log.slice(-2)).toEqual(['commit p4', 'actions relay']);
  });

  it('with group commit, a sync that never returns holds back the kiosk bus but not the relay', async () => {
    const { rt, bus, log } = setup({ durable: () => {} });
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.y' });
    // The turn's commit runs at its end (setImmediate); this one comes after it.
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['commit p1', 'actions relay']);
    let settled = false;
    void rt.settled(60_000).then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(log.some((l) => l.startsWith('decided'))).toBe(false);
    rt.stop();
  });

  it('with group commit, waits for the downlink worker to end its transaction without blocking, then commits; at a stop it commits at once', async () => {
    let free = false;
    const asked: boolean[] = [];
    const { rt, bus, log } = setup({
      durable: (cb) => cb(),
      writerFree: () => {
        asked.push(free);
        return free;
      },
    });
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.y' });
    // The worker is inside a transaction: the turn is not committed and the door waits, and the
    // event loop goes on (the gate asks again on a timer).
    await vi.waitUntil(() => asked.length >= 3, { timeout: 10_000, interval: 1 });
    expect(log).toEqual([]);
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.z' });
    free = true;
    await vi.waitUntil(() => log.length >= 5, { timeout: 10_000, interval: 1 });
    expect(log).toEqual(['commit p1+p2', 'actions relay', 'actions relay', 'decided p1 #1', 'decided p2 #2']);
    // Stopping with the worker in a transaction: the last decisions are committed, waiting for the lock.
    free = false;
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.w' });
    rt.stop();
    expect(log).toContain('commit p3');
  });

  it('says when every decision so far has been acted on (settled), however long the sync takes', async () => {
    const syncs: Array<(err?: Error) => void> = [];
    const { rt, bus, log } = setup({ durable: (cb) => syncs.push(cb) });
    rt.start();
    await rt.settled(50); // nothing decided yet: at once
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.y' });
    let settled = false;
    const waiting = rt.settled(5000).then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    // Committed and the door moved, the sync not back yet: not settled.
    expect(log).toEqual(['commit p1', 'actions relay']);
    expect(settled).toBe(false);
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.z' });
    await new Promise((r) => setImmediate(r));
    syncs.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // p2's sync is still out
    syncs.shift()?.();
    await waiting;
    expect(log.filter((l) => l.startsWith('decided'))).toEqual(['decided p1 #1', 'decided p2 #2']);
    rt.stop();
  });

  it('with group commit and a full disk, acts at once, holds the decisions, and commits them in order later', async () => {
    vi.useFakeTimers();
    let full = true;
    const syncs: Array<(err?: Error) => void> = [];
    const { rt, bus, log } = setup({ failWrites: () => full, durable: (cb) => syncs.push(cb) });
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'a' });
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'b' });
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['actions relay', 'actions relay']);
    expect(rt.pendingCount()).toBe(2);
    expect(syncs).toHaveLength(0);
    full = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(rt.pendingCount()).toBe(0);
    expect(log.slice(2)).toEqual(['commit p1', 'decided p1 #1', 'commit p2', 'decided p2 #2']);
    rt.stop();
  });

  it('commits the passage before the door moves and before anyone is told', () => {
    const { rt, bus, log } = setup();
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'GP1.x.y' });
    expect(log).toEqual(['commit p1', 'actions relay', 'decided p1 #1']);
    rt.stop();
  });

  it('keeps deciding when the disk is full, holds the decisions, and commits them in order later', async () => {
    vi.useFakeTimers();
    let full = true;
    const { rt, bus, log } = setup({ failWrites: () => full });
    rt.start();
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'a' });
    bus.emit('device.input', { type: 'scan', lane: 'main', text: 'b' });
    expect(log).toEqual(['actions relay', 'actions relay']);
    expect(rt.pendingCount()).toBe(2);
    full = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(rt.pendingCount()).toBe(0);
    expect(log.slice(2)).toEqual(['commit p1', 'decided p1 #1', 'commit p2', 'decided p2 #2']);
    rt.stop();
  });

  it('ticks the core at its next deadline', async () => {
    vi.useFakeTimers();
    let deadline: number | undefined = Date.now() + 60_000;
    const { rt, bus, inputs } = setup({ deadline: () => deadline });
    rt.start();
    bus.emit('device.input', { type: 'temperature', lane: 'main', celsius: 36.5, source: 'device' });
    deadline = undefined;
    await vi.advanceTimersByTimeAsync(59_999);
    expect(inputs.map((i) => i.type)).toEqual(['temperature']);
    await vi.advanceTimersByTimeAsync(1);
    expect(inputs.map((i) => i.type)).toEqual(['temperature', 'tick']);
    rt.stop();
  });

  it('sounds the lane buzzer when a scanned card is not taken (someone else is being checked), not for the kiosk camera', () => {
    const busy: GateCoreLike = { handle: (input) => [{ type: 'ignored', lane: 'main', input: input.type, reason: { zh: '上一位还在核验', en: 'busy' } }] as GateOutput[], nextDeadline: () => undefined, lanes: () => [{ id: 'main', stage: 'idle' }] };
    const { rt, bus, log } = setup({ core: busy });
    const ignored: string[] = [];
    bus.on('gate.ignored', (e) => ignored.push(`${e.input}: ${e.reason.zh}`));
    rt.start();
    rt.input({ type: 'scan', lane: 'main', text: 'GP1.x', deviceId: 'scanner-1' });
    rt.input({ type: 'scan', lane: 'main', text: 'GP1.y', deviceId: 'kiosk-camera' });
    rt.input({ type: 'colour', lane: 'main', colour: 'green', source: 'operator' });
    rt.stop();
    expect(log).toEqual(['actions buzzer']);
    expect(ignored).toEqual(['scan: 上一位还在核验', 'scan: 上一位还在核验', 'colour: 上一位还在核验']);
  });

  it('survives a core that throws', () => {
    const { rt, bus } = setup();
    (rt as unknown as { opts: { core: GateCoreLike } }).opts.core.handle = () => {
      throw new Error('boom');
    };
    rt.start();
    expect(() => bus.emit('device.input', { type: 'scan', lane: 'main', text: 'x' })).not.toThrow();
    rt.stop();
  });
});
