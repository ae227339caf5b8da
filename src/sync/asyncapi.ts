// Builds docs/asyncapi.yaml from the topic tree and the TypeBox payload schemas, so the document,
// the gate and the tests cannot drift apart. Regenerate: `npx tsx src/sync/asyncapi.ts > docs/asyncapi.yaml`
// (test/sync/asyncapi.test.ts fails when the file is out of date).
import { pathToFileURL } from 'node:url';
import type { TSchema } from 'typebox';
import { stringify } from 'yaml';
import { VERSION } from '../kernel/version.js';
import { CountsMessage, DOWNLINK_SCHEMAS, DoorMessage, OutboxMessage, ResendRequest, ResultData, StateMessage, VisitorData } from './messages.js';
import { OUTBOX_TOPIC, TOPIC_VERSION } from './topics.js';
import { Type } from 'typebox';

const plain = (s: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;

const HaDiscovery = Type.Object(
  {
    unique_id: Type.String(),
    object_id: Type.String(),
    name: Type.String(),
    state_topic: Type.String(),
    device: Type.Object({ identifiers: Type.Array(Type.String(), { minItems: 1 }), name: Type.String(), manufacturer: Type.String() }),
  },
  { description: 'Home Assistant MQTT discovery config (only the keys the gate always sets are required)' },
);

const ResultMessage = Type.Object({ ...OutboxMessage.properties, kind: Type.Literal('roster-ack'), data: ResultData });

const VisitorMessage = Type.Object({ ...OutboxMessage.properties, kind: Type.Literal('visitor'), data: VisitorData });

const outboxKinds: Record<string, string> = {
  passages: 'A passage (person crossing the gate), minimised: ids and ID tails, no names unless mqtt.sendPersonalData',
  alerts: 'Fever, health-code, quarantine-breach, device and storage alerts; sent ahead of any backlog',
  reports: 'The daily report (日报), with the zero report (零报告) flag',
  corrections: 'A correction of an earlier passage (operator override after the fact)',
  events: 'Other gate events recorded in the outbox',
};

export function asyncApiDocument(): Record<string, unknown> {
  const gateParams = {
    site: { description: 'Site (village, compound) id: config site.id', schema: { type: 'string' } },
    gate: { description: 'Gate id: config gate.id; also the broker user name of the gate', schema: { type: 'string' } },
  };
  const prefix = `checkpoint/${TOPIC_VERSION}/{site}`;
  const channels: Record<string, unknown> = {};
  const up = (leaf: string, description: string, message: string, retain: boolean, extra: Record<string, unknown> = {}) => {
    channels[`${prefix}/{gate}/${leaf}`] = {
      description,
      parameters: { ...gateParams, ...extra },
      subscribe: {
        operationId: `receive-${leaf.replace(/[^a-z]/g, '')}`,
        summary: 'The gate publishes; the hub subscribes',
        bindings: { mqtt: { qos: 1, retain, bindingVersion: '0.1.0' } },
        message: { $ref: `#/components/messages/${message}` },
      },
    };
  };
  for (const [kind, leaf] of Object.entries(OUTBOX_TOPIC)) {
    if (kind === 'roster-ack' || kind === 'visitor') continue;
    up(leaf, `${outboxKinds[leaf] ?? 'Outbox message'}. At least once, in ledger order (priority, then seq): deduplicate by (gate, seq).`, 'Outbox', false);
  }
  up(OUTBOX_TOPIC['roster-ack'], 'The answer to every hub update: applied or rejected, with reasons (zh-CN and en). Also carries an outbox seq.', 'Result', false);
  up(
    OUTBOX_TOPIC.visitor,
    'Visitor registrations and sign-outs (由县区、镇街掌握去向): masked name, ID tail, origin, 14-day travel, host household. At least once, in ledger order: deduplicate by (gate, seq).',
    'Visitor',
    false,
  );
  up('state', 'Gate state, retained: "online" on every connect and on changes (device health, versions, outbox depth); the last will and a clean stop leave "offline".', 'State', true);
  up('counts', "Today's counts, retained: a lone change at once, then at most once per mqtt.countsDebounceMs.", 'Counts', true);
  up('door/{lane}', 'Door contact of a lane, retained.', 'Door', true, { lane: { description: 'Lane id', schema: { type: 'string' } } });

  const down = (scope: 'site' | 'gate', kind: string) => {
    const name = `${scope === 'gate' ? `${prefix}/{gate}` : prefix}/cmd/${kind}`;
    channels[name] = {
      description: `${scope === 'site' ? 'Site-wide' : 'Per-gate'} ${kind} update from the hub. Validated, versioned (an older version never replaces a newer), applied atomically, answered on …/{gate}/result. Retained snapshots are fine: one already applied is not answered again.`,
      parameters: scope === 'gate' ? gateParams : { site: gateParams.site },
      publish: {
        operationId: `send-${scope}-${kind.replace(/[^a-z]/g, '')}`,
        summary: 'The hub publishes; the gate subscribes',
        bindings: { mqtt: { qos: 1, bindingVersion: '0.1.0' } },
        message: { $ref: `#/components/messages/${downName(kind)}` },
      },
    };
  };
  for (const kind of Object.keys(DOWNLINK_SCHEMAS)) {
    down('site', kind);
    down('gate', kind);
  }
  channels[`${prefix}/{gate}/cmd/resend`] = {
    description: 'The hub asks the gate to send the seqs from..to again: a request, not a versioned snapshot (not retained). The gate puts them back in its outbox from its ledger and answers on …/{gate}/result with ref.kind "resend", how many it requeued and the seq ranges it no longer has (gone). See docs/hub.md.',
    parameters: gateParams,
    publish: { operationId: 'send-gate-resend', summary: 'The hub publishes; the gate subscribes', bindings: { mqtt: { qos: 1, bindingVersion: '0.1.0' } }, message: { $ref: '#/components/messages/ResendCommand' } },
  };
  channels['homeassistant/{component}/{nodeId}/{objectId}/config'] = {
    description: 'Home Assistant MQTT discovery (mqtt.homeAssistant.enabled), retained; re-sent when homeassistant/status says "online". The prefix is mqtt.homeAssistant.prefix.',
    parameters: {
      component: { schema: { type: 'string', enum: ['sensor', 'binary_sensor'] } },
      nodeId: { description: 'checkpoint_<site>_<gate>', schema: { type: 'string' } },
      objectId: { schema: { type: 'string' } },
    },
    subscribe: { operationId: 'receive-ha-discovery', bindings: { mqtt: { qos: 1, retain: true, bindingVersion: '0.1.0' } }, message: { $ref: '#/components/messages/HaDiscovery' } },
  };
  channels['homeassistant/status'] = {
    description: "Home Assistant's birth and will message; \"online\" makes every gate announce itself again.",
    publish: { operationId: 'send-ha-status', message: { $ref: '#/components/messages/HaStatus' } },
  };

  const messages: Record<string, unknown> = {
    Outbox: { name: 'Outbox', contentType: 'application/json', payload: { $ref: '#/components/schemas/OutboxMessage' } },
    Visitor: { name: 'Visitor', contentType: 'application/json', payload: { $ref: '#/components/schemas/VisitorMessage' } },
    Result: { name: 'Result', contentType: 'application/json', payload: { $ref: '#/components/schemas/ResultMessage' } },
    State: { name: 'State', contentType: 'application/json', payload: { $ref: '#/components/schemas/StateMessage' } },
    Counts: { name: 'Counts', contentType: 'application/json', payload: { $ref: '#/components/schemas/CountsMessage' } },
    Door: { name: 'Door', contentType: 'application/json', payload: { $ref: '#/components/schemas/DoorMessage' } },
    HaDiscovery: { name: 'HaDiscovery', contentType: 'application/json', payload: { $ref: '#/components/schemas/HaDiscovery' } },
    HaStatus: { name: 'HaStatus', contentType: 'text/plain', payload: { type: 'string', enum: ['online', 'offline'] } },
  };
  const schemas: Record<string, unknown> = {
    OutboxMessage: plain(OutboxMessage),
    ResultMessage: plain(ResultMessage),
    VisitorMessage: plain(VisitorMessage),
    StateMessage: plain(StateMessage),
    CountsMessage: plain(CountsMessage),
    DoorMessage: plain(DoorMessage),
    HaDiscovery: plain(HaDiscovery),
    ResendCommand: plain(ResendRequest),
  };
  messages.ResendCommand = { name: 'ResendCommand', contentType: 'application/json', payload: { $ref: '#/components/schemas/ResendCommand' } };
  for (const [kind, schema] of Object.entries(DOWNLINK_SCHEMAS)) {
    const n = downName(kind);
    messages[n] = { name: n, contentType: 'application/json', payload: { $ref: `#/components/schemas/${n}` } };
    schemas[n] = plain(schema);
  }
  return {
    asyncapi: '2.6.0',
    info: {
      title: 'Checkpoint gate ↔ village hub',
      version: VERSION,
      description:
        'The versioned MQTT topic tree between a checkpoint gate (卡口) and its village hub. Topics start with mqtt.topicRoot ("checkpoint" by default) and the tree version (v1). Every uplink message carries the gate id and a per-gate sequence number. See docs/mqtt.md.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      hub: { url: 'hub.example:8883', protocol: 'mqtts', protocolVersion: '3.1.1', description: 'The hub broker (Mosquitto, EMQX, …); TLS, one user per gate, ACL per docs/mqtt.md' },
      embedded: { url: '127.0.0.1:1883', protocol: 'mqtt', protocolVersion: '3.1.1', description: 'The embedded aedes broker of the simulation' },
    },
    channels,
    components: { messages, schemas },
  };
}

function downName(kind: string): string {
  return `${kind.replace(/(^|[-/])([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}Command`;
}

export function asyncApiYaml(): string {
  return `# Generated by src/sync/asyncapi.ts — do not edit by hand; regenerate with\n#   npx tsx src/sync/asyncapi.ts > docs/asyncapi.yaml\n${stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(asyncApiYaml());
