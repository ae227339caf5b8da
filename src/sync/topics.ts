// The versioned topic tree (docs/mqtt.md, docs/asyncapi.yaml). One function builds every topic
// so the gate, the tests and the documentation cannot drift apart.
import type { OutboxKind } from '../store/api.js';

export const TOPIC_VERSION = 'v1';

export const DOWNLINK_KINDS = ['roster', 'roster/delta', 'health', 'risk-areas', 'zone', 'revocations', 'authorised', 'hours', 'policy', 'quarantine', 'announcements', 'declarations'] as const;
export type DownlinkKind = (typeof DOWNLINK_KINDS)[number];

/** Uplink topic (leaf under the gate) for each outbox kind. */
export const OUTBOX_TOPIC: Record<OutboxKind, string> = {
  passage: 'passages',
  alert: 'alerts',
  report: 'reports',
  correction: 'corrections',
  state: 'events',
  'roster-ack': 'result',
  visitor: 'visitors',
};

/** Every topic leaf a gate publishes under `<root>/v1/<site>/<gate>/` (door contacts are `door/<lane>`). */
export const UPLINK_LEAVES = [...new Set(Object.values(OUTBOX_TOPIC)), 'state', 'counts', 'devices'] as const;

export interface TopicTree {
  /** `<root>/v1/<site>/<gate>` */
  gateBase: string;
  /** `<root>/v1/<site>` */
  siteBase: string;
  state: string;
  counts: string;
  devices: string;
  result: string;
  uplink(kind: OutboxKind): string;
  /** Filters the gate subscribes to: site-wide and per-gate commands. */
  downlinkFilters: string[];
  /** The downlink kind of a command topic, or undefined when it is not one of ours. */
  parseDownlink(topic: string): { kind: DownlinkKind; scope: 'site' | 'gate' } | { kind: undefined; scope: 'site' | 'gate' } | undefined;
}

const LEVEL = /^[^/#+$][^/#+]*$/;

export function topicTree(opts: { root: string; site: string; gate: string }): TopicTree {
  for (const [name, value] of [['site id', opts.site], ['gate id', opts.gate]] as const) {
    if (!LEVEL.test(value)) throw new Error(`The ${name} "${value}" cannot be an MQTT topic level: use letters, digits, - and _`);
  }
  if (!opts.root || /[#+]/.test(opts.root) || opts.root.startsWith('$') || opts.root.startsWith('/') || opts.root.endsWith('/')) {
    throw new Error(`mqtt.topicRoot "${opts.root}" is not a valid topic prefix: no #, +, leading $ or surrounding /`);
  }
  const siteBase = `${opts.root}/${TOPIC_VERSION}/${opts.site}`;
  const gateBase = `${siteBase}/${opts.gate}`;
  const siteCmd = `${siteBase}/cmd/`;
  const gateCmd = `${gateBase}/cmd/`;
  return {
    siteBase,
    gateBase,
    state: `${gateBase}/state`,
    counts: `${gateBase}/counts`,
    devices: `${gateBase}/devices`,
    result: `${gateBase}/result`,
    uplink: (kind) => `${gateBase}/${OUTBOX_TOPIC[kind]}`,
    downlinkFilters: [`${siteCmd}#`, `${gateCmd}#`],
    parseDownlink(topic) {
      const scope = topic.startsWith(gateCmd) ? 'gate' : topic.startsWith(siteCmd) ? 'site' : undefined;
      if (!scope) return undefined;
      const rest = topic.slice((scope === 'gate' ? gateCmd : siteCmd).length);
      const kind = (DOWNLINK_KINDS as readonly string[]).includes(rest) ? (rest as DownlinkKind) : undefined;
      return { kind, scope };
    },
  };
}
