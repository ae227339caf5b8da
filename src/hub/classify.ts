// What one MQTT message is to the hub: a record for one of its tables, a gate's retained state or
// counts, or a reject with its reason. Pure: validation uses the message schemas the gate is held to
// (src/sync/messages.ts), so the hub and the gates cannot disagree on what a message is.
import { isUtf8 } from 'node:buffer';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { CountsMessage, OutboxMessage, StateMessage, schemaProblems } from '../sync/messages.js';
import { TOPIC_VERSION } from '../sync/topics.js';
import { compactMember } from './json-span.js';
import { readPassage } from './passage-bytes.js';
import type { RecordTable } from './storage/tables.js';
import { topicParts } from './topic-parts.js';

/** The leaves the hub subscribes to (retained device lists and door contacts are part 2's). */
export const INGEST_LEAVES = ['passages', 'alerts', 'reports', 'corrections', 'events', 'visitors', 'result', 'state', 'counts'] as const;

export type RejectReason = 'payload.too-large' | 'payload.malformed' | 'payload.schema' | 'topic.unknown' | 'site.wrong' | 'gate.unknown' | 'gate.mismatch' | 'flood' | 'overload';

export interface Rejected {
  type: 'reject';
  reason: RejectReason;
  detail: string;
  topic: string;
  site?: string;
  gate?: string;
  seq?: number;
  bytes: number;
  excerpt: string;
}

export interface RecordMsg {
  type: 'record';
  table: RecordTable;
  site: string;
  gate: string;
  ledger: string;
  seq: number;
  at: number;
  clockSynced: boolean;
  /**
   * What the hub reads of the record's `data`: all of it for the rare kinds; for a passage only the
   * fields of its columns (a queued passage stays small: fewer bytes for the collector to copy).
   */
  data: Record<string, unknown>;
  /**
   * The whole `data` as JSON text, as stored: the bytes of the payload that hold it (UTF-8, a view
   * of the payload, not a copy) when they could be found, else a string made with JSON.stringify.
   */
  dataJson: string | Buffer;
}

export interface GateStateMsg {
  type: 'state' | 'counts';
  site: string;
  gate: string;
  ledger: string;
  /** The highest seq the gate says it committed. */
  highest: number;
  json: string;
  online?: boolean;
}

export type Classified = RecordMsg | GateStateMsg | Rejected;

export interface ClassifyOptions {
  root: string;
  sites: ReadonlySet<string>;
  /** "site/gate"; empty = any gate. */
  gates: ReadonlySet<string>;
  maxBytes: number;
}

// `data` is Record(String, Unknown), which any object meets; TypeBox checks that key by key
// (Object.entries per message, most of the check's garbage): checked here as the object it is.
// Problems are still described with OutboxMessage itself.
const checkOutbox = Compile(Type.Object({ ...OutboxMessage.properties, data: Type.Object({}) }));
const checkState = Compile(StateMessage);
const checkCounts = Compile(CountsMessage);

/** Which table a record goes to: by kind, and for gate events by their `data.type`. */
export function tableFor(kind: string, data: Record<string, unknown>): RecordTable {
  const type = typeof data.type === 'string' ? data.type : '';
  switch (kind) {
    case 'passage':
      return 'passages';
    case 'alert':
      return 'alerts';
    case 'report':
      return 'daily_reports';
    case 'correction':
      return 'corrections';
    case 'roster-ack':
      return 'downlink_results';
    default:
      // Deliveries (无接触配送) are kept beside the visitors: both are who came to the gate from outside.
      if (type.startsWith('visitor') || type.startsWith('delivery')) return 'visitor_events';
      if (type.startsWith('quarantine')) return 'quarantine_changes';
      return 'device_events';
  }
}

export function excerpt(payload: Buffer): string {
  return payload.subarray(0, 256).toString('utf8').replace(/\uFFFD+$/, '');
}

export function classify(topic: string, payload: Buffer, o: ClassifyOptions): Classified {
  const reject = (reason: RejectReason, detail: string, who: { site?: string; gate?: string; seq?: number } = {}): Rejected => ({ type: 'reject', reason, detail, topic: topic.slice(0, 512), ...who, bytes: payload.length, excerpt: reason === 'payload.too-large' ? '' : excerpt(payload) });
  const { root, version, site, gate, leaf } = topicParts(topic);
  if (root !== o.root || version !== TOPIC_VERSION || !site || !gate || !leaf || !(INGEST_LEAVES as readonly string[]).includes(leaf)) {
    return reject('topic.unknown', `not an uplink topic of ${o.root}/${TOPIC_VERSION}/<site>/<gate>/{${INGEST_LEAVES.join(',')}}`);
  }
  if (payload.length > o.maxBytes) return reject('payload.too-large', `${payload.length} bytes, limit ${o.maxBytes}`, { site, gate });
  if (!o.sites.has(site)) return reject('site.wrong', `site "${site}" is not served by this hub`, { site, gate });
  if (o.gates.size > 0 && !o.gates.has(`${site}/${gate}`)) return reject('gate.unknown', `gate "${site}/${gate}" is not on the hub's allow-list`, { site, gate });
  if (leaf === 'passages') {
    // A passage as the gates write it, read from its bytes (passage-bytes.ts); anything else is parsed.
    const p = readPassage(payload, site, gate);
    if (p) return { type: 'record', table: 'passages', site: intern(site), gate: intern(gate), ledger: intern(p.ledger), seq: p.seq, at: p.at, clockSynced: p.clockSynced, data: p.fields, dataJson: payload.subarray(p.dataStart, p.dataEnd) };
  }
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return reject('payload.malformed', `not JSON: ${(err as Error).message.slice(0, 200)}`, { site, gate });
  }
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const seqOf = Number.isSafeInteger(b.seq) ? { seq: b.seq as number } : {};
  if (b.site !== site || b.gate !== gate) {
    const reason = b.site !== site ? 'site.wrong' : 'gate.mismatch';
    return reject(reason, `the topic says ${site}/${gate}, the message ${String(b.site).slice(0, 64)}/${String(b.gate).slice(0, 64)}`, { site, gate, ...seqOf });
  }
  const ledger = typeof b.ledger === 'string' ? b.ledger : '';
  // PostgreSQL's text cannot hold NUL: such a ledger id would fail every burst it is in.
  if (ledger.includes('\u0000')) return reject('payload.schema', '/ledger: contains a NUL character', { site, gate, ...seqOf });
  if (leaf === 'state' || leaf === 'counts') {
    const ok = leaf === 'state' ? checkState.Check(body) : checkCounts.Check(body);
    if (!ok) return reject('payload.schema', schemaProblems(leaf === 'state' ? StateMessage : CountsMessage, body, 3).join('; '), { site, gate });
    const msg: GateStateMsg = { type: leaf, site, gate, ledger, highest: b.seq as number, json: payload.toString('utf8') };
    if (leaf === 'state') msg.online = b.status === 'online';
    return msg;
  }
  if (!checkOutbox.Check(body)) return reject('payload.schema', schemaProblems(OutboxMessage, body, 3).join('; '), { site, gate, ...seqOf });
  const m = body as OutboxMessage;
  if (m.seq < 1) return reject('payload.schema', '/seq: must be >= 1 for a record', { site, gate, seq: m.seq });
  const table = tableFor(m.kind, m.data);
  return {
    type: 'record',
    table,
    site: intern(site),
    gate: intern(gate),
    ledger: intern(ledger),
    seq: m.seq,
    at: m.at,
    clockSynced: m.clockSynced,
    data: table === 'passages' ? passageFields(m.data) : m.data,
    dataJson: dataText(payload, m.data),
  };
}

/**
 * The record's data as stored: the payload's own bytes when they are what JSON.stringify would write
 * for the parsed data (json-span.ts: what the gates send) and valid UTF-8 (else JSON.parse read
 * U+FFFD in their place, and PostgreSQL would refuse them); JSON.stringify of the parsed data
 * otherwise. The bytes are a view of the payload, not a copy.
 */
function dataText(payload: Buffer, data: Record<string, unknown>): string | Buffer {
  const span = compactMember(payload, 'data');
  if (span && payload[span[0]] === 0x7b) {
    const bytes = payload.subarray(span[0], span[1]);
    if (isUtf8(bytes)) return bytes;
  }
  return JSON.stringify(data);
}

/** The fields of a passage the hub's columns hold. */
function passageFields(d: Record<string, unknown>): Record<string, unknown> {
  const subject = d.subject && typeof d.subject === 'object' ? (d.subject as Record<string, unknown>) : undefined;
  return { id: d.id, lane: d.lane, direction: d.direction, outcome: d.outcome, subject: subject ? { kind: subject.kind } : undefined };
}

/** One string per site, gate and ledger id while thousands of queued records name them (bounded). */
const interned = new Map<string, string>();
function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size >= 10_000) interned.clear();
  interned.set(s, s);
  return s;
}
