// Live push to the kiosk page over Server-Sent Events. EventSource reconnects by itself; after a
// reconnect the page re-reads /api/live, so nothing shown depends on an event not being missed.
import type { ServerResponse } from 'node:http';
import type { EventBus } from '../kernel/bus.js';
import type { KioskEventMap } from './events.js';
import type { Ledger } from '../store/api.js';
import { alertView, deviceView, passageView } from './views.js';

interface Client {
  res: ServerResponse;
  /** False once the session behind the stream is locked or gone. */
  alive(): boolean;
}

export interface LiveHubOptions {
  bus: EventBus<KioskEventMap>;
  ledger: Pick<Ledger, 'todayCounts'>;
  keepAliveMs?: number;
  /** Counts are re-read at most this often (a busy gate changes them many times a second). */
  countsEveryMs?: number;
}

export class LiveHub {
  private readonly clients = new Set<Client>();
  private readonly off: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private countsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LiveHubOptions) {}

  start(): void {
    const { bus } = this.o;
    this.off.push(
      bus.on('passage.progress', (e) => this.send('progress', { lane: e.lane, stage: e.stage, passage: passageView(e.passage), prompt: e.prompt })),
      bus.on('passage.decided', (e) => this.send('decided', passageView(e.passage, e.seq))),
      bus.on('alert.raised', (e) => this.send('alert', alertView(e.alert))),
      bus.on('gate.ignored', (e) => this.send('ignored', { lane: e.lane, input: e.input, zh: e.reason.zh, en: e.reason.en })),
      bus.on('alert.acknowledged', (e) => this.send('ack', { alertId: e.alertId })),
      bus.on('device.health', (h) => this.send('device', deviceView(h))),
      bus.on('sync.state', (s) => this.send('sync', s)),
      bus.on('ledger.changed', ({ what }) => {
        if (what === 'counts') this.scheduleCounts();
        else if (what !== 'outbox') this.send('changed', { what });
      }),
    );
    this.timer = setInterval(() => this.keepAlive(), this.o.keepAliveMs ?? 15_000);
    this.timer.unref?.();
  }

  stop(): void {
    for (const f of this.off.splice(0)) f();
    clearInterval(this.timer);
    clearTimeout(this.countsTimer);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a response: headers, a retry hint, and events until the client goes. */
  attach(res: ServerResponse, alive: () => boolean): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const client: Client = { res, alive };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
  }

  private scheduleCounts(): void {
    if (this.countsTimer) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      try {
        this.send('counts', this.o.ledger.todayCounts());
      } catch {
        // The ledger is unwell (disk full); the page keeps the last counts and the alert says why.
      }
    }, this.o.countsEveryMs ?? 200);
    this.countsTimer.unref?.();
  }

  private keepAlive(): void {
    for (const c of this.clients) {
      if (!c.alive()) {
        c.res.write('event: locked\ndata: {}\n\n');
        c.res.end();
        this.clients.delete(c);
      } else c.res.write(': keep-alive\n\n');
    }
  }

  send(event: string, data: unknown): void {
    if (!this.clients.size) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) {
      if (!c.alive()) {
        c.res.write('event: locked\ndata: {}\n\n');
        c.res.end();
        this.clients.delete(c);
        continue;
      }
      // A screen that stopped reading (a hung tab, a dead link) is dropped rather than buffered without end.
      if (c.res.writableLength > 1_000_000) {
        c.res.destroy();
        this.clients.delete(c);
        continue;
      }
      c.res.write(frame);
    }
  }
}
