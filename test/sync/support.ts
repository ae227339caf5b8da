
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { validateConfig } from '../../src/config/load.js';
import type { Passage } from '../../src/gate/model.js';
import type { Ledger } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { tempDir } from '../helpers/temp-dir.js';

export const SITE = 'test-site';

export function makeCtx(over: { gate?: string; mqtt?: Record<string, unknown>; lanes?: unknown[] } = {}): AppContext {
  const { config, problems } = validateConfig({
    site: { id: SITE, name: '测试村' },
    gate: { id: over.gate ?? 'gate-a', name: '东门' },
    lanes: over.lanes ?? [],
    mqtt: { countsDebounceMs: 50, reconnectMs: 200, ...over.mqtt },
  });
  if (!config) throw new Error(`test config invalid: ${problems.join('; ')}`);
  return {
    config,
    bus: new EventBus<AppEvents>((event, err) => {
      throw new Error(`listener of ${event} failed: ${String(err)}`);
    }),
    logger: pino({ level: process.env.SYNC_TEST_LOG ?? 'silent' }),
    clock: { now: () => Date.now(), mono: () => performance.now(), synced: () => true },
    dataDir: tmpdir(),
  };
}

export function openTestLedger(opts: { gate?: string; path?: string; outboxCap?: number; bus?: EventBus<AppEvents> } = {}): Ledger & { path: string } {
  const path = opts.path ?? join(tempDir('sync-ledger-'), 'gate.db');
  const ledger = openLedger({
    path,
    clock: { now: () => Date.now(), synced: () => true },
    gateId: opts.gate ?? 'gate-a',
    siteId: SITE,
    synchronous: 'NORMAL',
    ...(opts.outboxCap ? { outboxCap: opts.outboxCap } : {}),
    timeZone: 'Asia/Shanghai',
    // As the store feature wires it in the daemon.
    ...(opts.bus
      ? {
          onChange: (what: 'counts' | 'visitors' | 'roster' | 'policy' | 'alerts' | 'outbox') => opts.bus?.emit('ledger.changed', { what }),
          onAlert: (alert: import('../../src/gate/model.js').Alert) => opts.bus?.emit('alert.raised', { alert }),
        }
      : {}),
  });
  return Object.assign(ledger, { path });
}

let n = 0;
export function passage(over: Partial<Passage> = {}): Passage {
  n++;
  const now = Date.now();
  return {
    id: `p-${process.pid}-${n}`,
    lane: 'main',
    direction: 'in',
    subject: { kind: 'person', id: `card-${n % 50}`, personId: `person-${n % 50}`, householdId: 'hh-1', name: '张三', idTail: '123X' },
    temperatures: [{ celsius: 36.5, source: 'device', at: now }],
    colour: 'green',
    colourSource: 'operator',
    mask: true,
    maskSource: 'sensor',
    outcome: 'admitted',
    reasons: [{ code: 'ok', zh: '通过', en: 'Admitted' }],
    startedAt: now,
    decidedAt: now,
    clockSynced: true,
    actions: [],
    alerts: [],
    flags: [],
    zoneLevel: 'normal',
    ...over,
  };
}

export async function connectClient(url: string, opts: Partial<IClientOptions>): Promise<MqttClient> {
  const c = mqtt.connect(url, { reconnectPeriod: 200, connectTimeout: 5000, ...opts } as IClientOptions);
  await new Promise<void>((resolve, reject) => {
    // Only the first connection may fail the call; later errors (an outage) are retried by mqtt.js.
    const fail = (err: Error) => {
      c.end(true);
      reject(err);
    };
    c.once('error', fail);
    c.once('connect', () => {
      c.off('error', fail);
      resolve();
    });
  });
  c.on('error', () => undefined);
  return c;
}

/** What a hub does with outbox topics: drop (gate, seq) it has seen; notice gaps and reordering. */
export class DedupHub {
  readonly seen = new Map<string, Set<number>>();
  /** Highest seq per gate among messages that were new. */
  readonly last = new Map<string, number>();
  /** Arrival order of new messages: [gate, kind, seq]. */
  readonly order: Array<{ gate: string; kind: string; seq: number }> = [];
  unique = 0;
  duplicates = 0;
  readonly problems: string[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  /** `strict`: every new seq of a gate must be the previous one + 1 (a stream of one kind). */
  constructor(private readonly strict = true) {}

  take(_topic: string, payload: Buffer): void {
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    const gate = String(body.gate);
    const seq = body.seq as number;
    let set = this.seen.get(gate);
    if (!set) {
      set = new Set();
      this.seen.set(gate, set);
    }
    if (set.has(seq)) {
      this.duplicates++;
      return;
    }
    set.add(seq);
    const last = this.last.get(gate);
    if (this.strict && last !== undefined && seq !== last + 1 && this.problems.length < 20) this.problems.push(`gate ${gate}: seq ${seq} after ${last}`);
    if (last === undefined || seq > last) this.last.set(gate, seq);
    this.order.push({ gate, kind: String(body.kind), seq });
    this.unique++;
    for (const w of this.waiters.filter((x) => this.unique >= x.n)) w.resolve();
    this.waiters = this.waiters.filter((x) => this.unique < x.n);
  }

  until(n: number, ms: number): Promise<void> {
    if (this.unique >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`hub got ${this.unique} of ${n} unique messages in ${ms} ms (duplicates ${this.duplicates}, problems ${this.problems.join('; ')})`)), ms);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }
}

/**
 * A TCP pass-through to the broker: dropAll() cuts the gate's connection without a DISCONNECT (as a
 * pulled cable does); holdToGate() keeps what the broker sends the gate (its PUBACKs) until
 * releaseToGate(), as a link that stalls one way.
 */
export async function tcpProxy(targetPort: number): Promise<{ port: number; held: boolean; dropAll(): void; holdToGate(): void; releaseToGate(): void; close(): Promise<void> }> {
  const toGate = { held: false, queue: [] as Array<() => void> };
  const sockets = new Set<Socket>();
  const state = { held: false };
  const server = createServer((inbound) => {
    // Held: the link is down, connections are refused as a dead network would.
    if (state.held) {
      inbound.destroy();
      return;
    }
    const outbound = netConnect(targetPort, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => {
      const send = () => inbound.writable && inbound.write(chunk);
      if (toGate.held) toGate.queue.push(send);
      else send();
    });
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0,
    get held() {
      return state.held;
    },
    set held(v: boolean) {
      state.held = v;
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    holdToGate() {
      toGate.held = true;
    },
    releaseToGate() {
      toGate.held = false;
      for (const send of toGate.queue.splice(0)) send();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves with the first message on `topic` that satisfies `pred`. */
export function nextMessage(client: MqttClient, pred: (topic: string, body: Record<string, unknown>, retain: boolean) => boolean, ms = 5000): Promise<{ topic: string; body: Record<string, unknown>; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      client.off('message', on);
      reject(new Error(`no matching message within ${ms} ms`));
    }, ms);
    const on = (topic: string, payload: Buffer, packet: { retain: boolean }) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      if (!pred(topic, body, packet.retain)) return;
      clearTimeout(t);
      client.off('message', on);
      resolve({ topic, body, retain: packet.retain });
    };
    client.on('message', on);
  });
}
