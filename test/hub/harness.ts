// A hub in this process against a real broker, with its log captured, and waits that follow the
// hub's own commits (never a sleep).
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { validateAgainst } from '../../src/config/load.js';
import { type HubConfig, HubConfigSchema } from '../../src/hub/config.js';
import { type RunningHub, startHub } from '../../src/hub/hub.js';
import type { TestBroker } from '../helpers/mosquitto.js';

export const SITE = 'test-site';

export function hubConfig(over: Record<string, unknown>): HubConfig {
  const { config, problems } = validateAgainst<HubConfig>(HubConfigSchema, over);
  if (!config) throw new Error(`test hub config: ${problems.join('; ')}`);
  return config;
}

export interface TestHub extends RunningHub {
  logLines(): Array<Record<string, unknown>>;
  /** Resolves when `pred` holds, looked at after each committed burst; fails after `ms`. */
  until(pred: () => Promise<boolean> | boolean, what: string, ms?: number): Promise<void>;
}

export async function startTestHub(o: { broker: TestBroker; dataDir: string; url?: string; over?: Record<string, unknown>; name?: string }): Promise<TestHub> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const over = o.over ?? {};
  const config = hubConfig({
    ...over,
    hub: { name: o.name ?? 'test', sites: [SITE], ...(over.hub as object), storage: { dataDir: o.dataDir, ...(o.url ? { url: o.url } : {}), ...((over.hub as { storage?: object } | undefined)?.storage ?? {}) } },
    mqtt: { url: o.broker.url, username: 'hub', ...(o.broker.caFile ? { tls: { ca: o.broker.caFile } } : {}), reconnectMs: 200, ...(over.mqtt as object) },
    api: { port: 0, ...(over.api as object) },
  });
  const logger = pino({ level: 'info' }, sink);
  const hub = await startHub({ config, logger, clientOptions: { password: (o.broker.options('hub').password as string) ?? '' } });
  await hub.receiver.subscribed();
  return Object.assign(hub, {
    logLines: () => lines,
    async until(pred: () => Promise<boolean> | boolean, what: string, ms = 20_000) {
      if (await pred()) return;
      await new Promise<void>((resolve, reject) => {
        let checking = false;
        const check = async () => {
          if (checking) return;
          checking = true;
          try {
            if (stopped) return;
            if (await pred()) {
              off();
              clearTimeout(t);
              clearInterval(tick);
              resolve();
            }
          } catch (err) {
            stop();
            reject(err);
          } finally {
            checking = false;
          }
        };
        const off = hub.ingest.onCommitted(() => void check());
        // A condition that is not about a commit (a gate answering) is looked at once a second too.
        const tick = setInterval(() => void check(), 1000);
        let stopped = false;
        const stop = () => {
          stopped = true;
          off();
          clearInterval(tick);
          clearTimeout(t);
        };
        const t = setTimeout(() => {
          stop();
          const tail = lines.slice(-15).map((l) => JSON.stringify(l)).join('\n');
          reject(new Error(`timed out after ${ms} ms waiting for: ${what}\nlast hub log lines:\n${tail}`));
        }, ms);
      });
    },
  });
}

/** A raw MQTT client as a gate user (its own topics only). */
export async function gateClient(broker: TestBroker, gate: string, extra: Partial<IClientOptions> = {}): Promise<MqttClient> {
  const c = mqtt.connect(broker.url, { ...broker.options(gate), clientId: `raw-${gate}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`, reconnectPeriod: 200, ...extra });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

export function outboxMessage(gate: string, seq: number, o: { site?: string; kind?: string; ledger?: string; data?: Record<string, unknown> } = {}): string {
  return JSON.stringify({ v: 1, site: o.site ?? SITE, gate, seq, ...(o.ledger ? { ledger: o.ledger } : {}), kind: o.kind ?? 'passage', at: 1_765_000_000_000 + seq, clockSynced: true, data: o.data ?? { type: 'passage', id: `p-${seq}`, lane: 'main', direction: 'in', outcome: 'admitted' } });
}

export const uplink = (gate: string, leaf = 'passages', site = SITE) => `checkpoint/v1/${site}/${gate}/${leaf}`;
