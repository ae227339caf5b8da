// The checks of a hub update that need its body: JSON, site, schema. Pure and synchronous, so that
// it runs on the event loop for a small update and in a worker thread for a large one
// (./downlink-offload.ts): JSON.parse and the schema walk of a 3.6 MB roster took over a second.
// A compiled validator decides; the slower walk that names the problems runs only on a bad update.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Reason } from '../gate/model.js';
import type { RosterSwapResult } from '../store/roster-swap.js';
import { DOWNLINK_SCHEMAS, schemaProblems } from './messages.js';
import type { DownlinkKind } from './topics.js';

export type DownlinkCheck =
  | { ok: true; body: Record<string, unknown>; id?: string; version?: number }
  /** A roster or delta the worker swapped into the ledger itself (src/store/roster-swap.ts): no body comes back. */
  | { ok: true; swapped: RosterSwapResult; id?: string; version?: number }
  | { ok: false; reasons: Reason[]; id?: string; version?: number };

export function reason(code: string, zh: string, en: string): Reason {
  return { code, zh, en };
}

const validators = new Map<DownlinkKind, { Check(v: unknown): boolean }>();
function validator(kind: DownlinkKind): { Check(v: unknown): boolean } {
  let v = validators.get(kind);
  if (!v) {
    v = Compile(DOWNLINK_SCHEMAS[kind] as TSchema);
    validators.set(kind, v);
  }
  return v;
}

export function checkDownlink(kind: DownlinkKind, payload: Uint8Array, site: string): DownlinkCheck {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    return { ok: false, reasons: [reason('payload.malformed', '消息不是有效的 JSON', `Not valid JSON: ${(err as Error).message}`)] };
  }
  const head: { id?: string; version?: number } = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.id === 'string') head.id = b.id.slice(0, 128);
    if (Number.isSafeInteger(b.version)) head.version = b.version as number;
    if (typeof b.site === 'string' && b.site !== site) {
      return { ok: false, ...head, reasons: [reason('site.wrong', `消息属于其他小区（${b.site.slice(0, 64)}）`, `Update is for site "${b.site.slice(0, 64)}", this gate belongs to "${site}"`)] };
    }
  }
  if (!validator(kind).Check(body)) {
    const problems = schemaProblems(DOWNLINK_SCHEMAS[kind], body);
    // The compiled check and the walk should agree; if the walk finds nothing, still refuse.
    const lines = problems.length > 0 ? problems : ['/: does not match the schema'];
    return { ok: false, ...head, reasons: lines.map((p) => reason('payload.schema', `格式错误：${p}`, `Schema: ${p}`)) };
  }
  return { ok: true, ...head, body: body as Record<string, unknown> };
}
