// The sync feature: one MQTT connection to the hub. Uplink drains the ledger's outbox; retained
// state and counts follow the bus; downlink updates go through DownlinkHandler into the ledger.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DeviceHealth } from '../devices/events.js';
import type { Feature } from '../kernel/feature.js';
import { VERSION } from '../kernel/version.js';
import type { SyncContext } from './events.js';
import { type Ledger, OutboxPriority, type TodayCounts } from '../store/api.js';
import { clientOptions } from './connect.js';
import { DownlinkHandler } from './downlink.js';
import type { ResultData } from './messages.js';
import { handleResend } from './resend.js';
import { OutboxDrain } from './drain.js';
import { discoveryMessages, haBirthTopic } from './home-assistant.js';
import { countsMessage, stateMessage, throttle } from './retained.js';
import { type DownlinkKind, topicTree } from './topics.js';

export type SyncLedger = Pick<
  Ledger,
  'outboxBatch' | 'outboxAck' | 'outboxDepth' | 'enqueue' | 'todayCounts' | 'rosterVersion' | 'applyRoster' | 'applyPolicy' | 'policyStates' | 'applyHealth' | 'policy' | 'passages' | 'checkLimits'
> &
  Partial<Pick<Ledger, 'outboxResend' | 'ledgerId'>>;

export interface SyncOptions {
  ctx: SyncContext;
  ledger: SyncLedger;
  /** Device health for the state message; default none. */
  devices?: () => DeviceHealth[];
  /** Today's counts; default ledger.todayCounts(). */
  counts?: () => TodayCounts;
  onDownlinkApplied?: (kind: DownlinkKind) => void;
  /** Broker URL instead of mqtt.url (e.g. the embedded broker's real port). */
  url?: string;
  /** Extra mqtt.js options (tests: a CA, a shorter reconnect). */
  clientOptions?: Partial<IClientOptions>;
}

export interface SyncState {
  enabled: boolean;
  connected: boolean;
  brokerUrl: string;
  outboxDepth: number;
  outboxFull: boolean;
  /** Messages published / rows acknowledged by the broker since start. */
  sent: number;
  acked: number;
  lastError?: string;
}

export interface Sync extends Feature {
  state(): SyncState;
}

/** At most this long to stop; less when the daemon's shutdown has less left (Feature.stop). */
const STOP_BUDGET_MS = 4000;

export function createSync(options: SyncOptions): Sync {
  const { ctx, ledger } = options;
  const cfg = ctx.config.mqtt;
  const site = ctx.config.site.id;
  const gate = ctx.config.gate.id;
  const log = ctx.logger.child({ feature: 'sync' });
  const topics = topicTree({ root: cfg.topicRoot, site, gate });
  const resendTopic = `${topics.gateBase}/cmd/resend`;
  const ledgerId = ledger.ledgerId?.();
  const url = options.url ?? cfg.url;
  const devices = options.devices ?? (() => []);
  const counts = options.counts ?? (() => ledger.todayCounts(ctx.clock.now()));
  let client: MqttClient | undefined;
  let connected = false;
  let lastError: string | undefined;
  let lastSeq = 0;
  let outboxFull = false;
  let limitsTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const offs: Array<() => void> = [];

  const orElse = <T>(what: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      log.error({ err }, `sync: could not read ${what} for the state message`);
      return fallback;
    }
  };
  const facts = () => ({
    site,
    gate,
    ...(ledgerId ? { ledger: ledgerId } : {}),
    seq: lastSeq,
    at: ctx.clock.now(),
    clockSynced: ctx.clock.synced(),
    outboxDepth: ledger.outboxDepth(),
    // The state message (and the last will) must be built even when the ledger cannot be read.
    zoneLevel: orElse('the zone level', () => ledger.policy().zoneLevel, undefined),
    versions: orElse('the applied versions', () => downlink.versions(), {}),
    devices: orElse('the device health', devices, []),
    software: VERSION,
  });
  const publishRetained = (topic: string, body: unknown) => {
    if (!client?.connected) return;
    client.publish(topic, JSON.stringify(body), { qos: 1, retain: true }, (err) => {
      if (err) log.debug({ err, topic }, 'retained publish not acknowledged');
    });
  };
  const emitState = (detail?: string) => {
    const s: { connected: boolean; outboxDepth: number; detail?: string } = { connected, outboxDepth: ledger.outboxDepth() };
    const d = detail ?? (outboxFull ? 'outbox-full' : lastError);
    if (d) s.detail = d;
    ctx.bus.emit('sync.state', s);
  };
  const stateThrottle = throttle(cfg.countsDebounceMs, () => {
    if (stopping) return;
    try {
      publishRetained(topics.state, stateMessage('online', 'update', facts()));
    } catch (err) {
      log.error({ err }, 'could not build the gate state message');
    }
  });
  const countsThrottle = throttle(cfg.countsDebounceMs, () => {
    if (stopping) return;
    try {
      publishRetained(topics.counts, countsMessage(counts(), { site, gate, seq: lastSeq, at: ctx.clock.now(), ...(ledgerId ? { ledger: ledgerId } : {}) }));
    } catch (err) {
      log.error({ err }, 'could not read today\'s counts');
    }
  });

  // The TCP or TLS socket under mqtt.js (a WebSocket stream may not cork: then nothing is held).
  const corkable = (): { cork(): void; uncork(): void } | undefined => {
    const stream = client?.stream as Partial<{ cork(): void; uncork(): void }> | undefined;
    return typeof stream?.cork === 'function' && typeof stream.uncork === 'function' ? (stream as { cork(): void; uncork(): void }) : undefined;
  };
  const drain = new OutboxDrain({
    ledger,
    // Never hand mqtt.js a message while it is offline: it would keep it in its own store and replay
    // it on reconnect interleaved with ours (the outbox is the only store; STYLE.md on mqtt.js).
    client: {
      publish: (topic, message, opts, cb) => (client?.connected ? client.publish(topic, message, opts, cb) : cb(new Error('not connected'))),
      cork: () => corkable()?.cork(),
      uncork: () => corkable()?.uncork(),
    },
    topics,
    site,
    gate,
    batch: cfg.drain.batch,
    inflight: cfg.drain.inflight,
    sendPersonalData: cfg.sendPersonalData,
    ...(ledgerId ? { ledgerId } : {}),
    logger: log,
    onAcked: (_n, seq) => {
      if (seq > lastSeq) lastSeq = seq;
      stateThrottle.schedule();
      // The hub is back: clear the outbox-full alarm as soon as the backlog is under the cap.
      if (outboxFull) limitsThrottle.schedule();
    },
  });
  /** Results go through the outbox, so they carry a seq like every uplink message. */
  const answer = (result: ResultData) => {
    ledger.enqueue('roster-ack', result as unknown as Record<string, unknown>, OutboxPriority.alert);
    drain.wake();
  };
  const downlink = new DownlinkHandler({
    ledger,
    bus: ctx.bus,
    topics,
    site,
    maxBytes: cfg.downlink.maxBytes,
    logger: log,
    answer,
    onApplied: (kind) => {
      stateThrottle.schedule();
      options.onDownlinkApplied?.(kind);
    },
  });

  const limitsThrottle = throttle(250, () => checkLimits());
  const cancelTimers = () => {
    stateThrottle.cancel();
    countsThrottle.cancel();
    limitsThrottle.cancel();
  };

  const announce = () => {
    if (!cfg.homeAssistant.enabled || !client?.connected) return;
    const lanes = ctx.config.lanes.map((l) => l.id);
    for (const m of discoveryMessages({ prefix: cfg.homeAssistant.prefix, topics, site, siteName: ctx.config.site.name, gate, gateName: ctx.config.gate.name, lanes, software: VERSION })) {
      client.publish(m.topic, m.payload, { qos: 1, retain: true });
    }
  };

  const checkLimits = () => {
    try {
      const h = ledger.checkLimits();
      if (h.outboxFull !== outboxFull) {
        outboxFull = h.outboxFull;
        if (outboxFull) log.error({ outboxDepth: h.outboxDepth }, 'outbox is at its cap: the hub is unreachable for long; nothing is dropped, the ledger keeps growing');
        else log.info({ outboxDepth: h.outboxDepth }, 'outbox is below its cap again');
        ctx.bus.emit('ledger.changed', { what: 'alerts' });
        emitState();
      }
    } catch (err) {
      log.error({ err }, 'could not check the outbox cap');
    }
  };

  /** A step of a connect/close handler: a failure is logged and the next steps still run (the drain above all). */
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      log.error({ err }, `sync: ${what} failed`);
    }
  };

  function onConnect() {
    connected = true;
    lastError = undefined;
    log.info({ url }, 'connected to the hub broker');
    guard('the online state', () => publishRetained(topics.state, stateMessage('online', 'connected', facts())));
    countsThrottle.cancel();
    guard('the counts', () => publishRetained(topics.counts, countsMessage(counts(), { site, gate, seq: lastSeq, at: ctx.clock.now(), ...(ledgerId ? { ledger: ledgerId } : {}) })));
    const subs = [...(cfg.downlink.enabled ? topics.downlinkFilters : [resendTopic]), ...(cfg.homeAssistant.enabled ? [haBirthTopic(cfg.homeAssistant.prefix)] : [])];
    if (subs.length > 0 && client) {
      client.subscribe(subs, { qos: 1 }, (err, granted) => {
        if (err) log.error({ err }, 'could not subscribe to hub commands (check the broker ACL)');
        else if (granted?.some((g) => g.qos === 128)) log.error({ refused: granted.filter((g) => g.qos === 128).map((g) => g.topic) }, 'the broker refused a subscription (check its ACL)');
      });
    }
    guard('the Home Assistant announcement', announce);
    drain.connected();
    guard('the link state', () => emitState());
  }

  function onClose() {
    if (connected) log.warn({ url }, 'lost the hub broker; passages wait in the outbox');
    connected = false;
    drain.disconnected();
    guard('the link state', () => emitState());
  }

  return {
    name: 'sync',
    start() {
      if (!cfg.enabled) return;
      stopping = false;
      lastSeq = ledger.passages({ limit: 1 })[0]?.seq ?? 0;
      const opts: IClientOptions = {
        ...clientOptions({ mqtt: cfg, site, gate, will: { topic: topics.state, payload: JSON.stringify(stateMessage('offline', 'lost', facts())) } }),
        ...options.clientOptions,
      };
      client = mqtt.connect(url, opts);
      client.on('connect', onConnect);
      client.on('close', onClose);
      client.on('error', (err) => {
        lastError = err.message;
        log.warn({ err: err.message }, 'hub broker error');
        guard('the link state', () => emitState());
      });
      client.on('message', (topic, payload, packet) => {
        try {
          if (cfg.homeAssistant.enabled && topic === haBirthTopic(cfg.homeAssistant.prefix)) {
            if (payload.toString() === 'online') announce();
            return;
          }
          if (topic === resendTopic && ledger.outboxResend && ledger.ledgerId) {
            // A request, not a snapshot: a retained one (left by mistake) is not acted on again.
            if (!packet.retain) {
              const { outboxResend, ledgerId: id } = ledger;
              handleResend(topic, payload, {
                ledger: { outboxResend, ledgerId: id },
                site,
                gate,
                maxBytes: cfg.downlink.maxBytes,
                logger: log,
                answer,
                rewind: () => drain.rewind(),
              });
            }
            return;
          }
          if (!cfg.downlink.enabled) return;
          const r = downlink.handle(topic, payload, packet.retain);
          if (r instanceof Promise) r.catch((err: unknown) => log.error({ err, topic }, 'hub message handling failed; nothing was changed'));
        } catch (err) {
          log.error({ err, topic }, 'hub message handling failed; nothing was changed');
        }
      });
      offs.push(
        ctx.bus.on('passage.decided', ({ seq }) => {
          if (seq > lastSeq) lastSeq = seq;
          drain.wake();
          countsThrottle.schedule();
          if (!connected) limitsThrottle.schedule();
        }),
        ctx.bus.on('alert.raised', () => drain.wake()),
        ctx.bus.on('ledger.changed', ({ what }) => {
          if (what === 'outbox' || what === 'alerts') drain.wake();
          if (what === 'counts' || what === 'visitors') countsThrottle.schedule();
          if (what === 'policy') stateThrottle.schedule();
        }),
        ctx.bus.on('device.health', () => stateThrottle.schedule()),
        ctx.bus.on('device.signal', (s) => {
          if (s.signal === 'door-contact') publishRetained(`${topics.gateBase}/door/${s.lane}`, { v: 1, site, gate, seq: lastSeq, lane: s.lane, open: s.active, at: ctx.clock.now() });
        }),
      );
      limitsTimer = setInterval(checkLimits, 10_000);
      limitsTimer.unref();
      checkLimits();
    },
    async stop(budgetMs = STOP_BUDGET_MS) {
      stopping = true;
      for (const off of offs.splice(0)) off();
      if (limitsTimer) clearInterval(limitsTimer);
      const c = client;
      if (!c) {
        cancelTimers();
        return downlink.close();
      }
      // Done within the slot the daemon gives: after it the store closes the ledger.
      const deadline = Date.now() + Math.min(STOP_BUDGET_MS, budgetMs - 100);
      /** `p`, or nothing once only `spare` ms are left before the deadline. */
      const until = async (p: Promise<unknown>, spare: number) => {
        let t: NodeJS.Timeout | undefined;
        await Promise.race([p, new Promise((r) => (t = setTimeout(r, Math.max(0, deadline - Date.now() - spare))))]);
        clearTimeout(t);
      };
      // The shutdown state goes out first, before a slow link spends the budget on the drain's last
      // PUBACKs: the hub then sees "offline/shutdown", not the will's "offline/lost". The drain takes
      // no new row from here on.
      const drained = drain.stop(STOP_BUDGET_MS);
      const shutdown = c.connected
        ? c.publishAsync(topics.state, JSON.stringify(stateMessage('offline', 'shutdown', facts())), { qos: 1, retain: true }).catch(() => undefined)
        : Promise.resolve();
      await until(Promise.all([drained, shutdown]), 300);
      // The last PUBACKs may have scheduled a state update: none may run once the ledger closes.
      cancelTimers();
      await until(c.endAsync(false).catch(() => undefined), 0);
      if (!c.disconnected) c.end(true);
      // Acknowledgements are written before the ledger closes (the store stops after sync); later
      // ones are not written at all. A large update still in the worker is dropped (the hub resends).
      drain.close();
      await downlink.close();
      client = undefined;
      connected = false;
    },
    state() {
      const s: SyncState = { enabled: cfg.enabled, connected, brokerUrl: url, outboxDepth: ledger.outboxDepth(), outboxFull, sent: drain.sent, acked: drain.acked };
      if (lastError) s.lastError = lastError;
      return s;
    },
  };
}
