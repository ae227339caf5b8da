// The gate's answer to the hub's `<gate>/cmd/resend`: the asked seqs go back in the outbox from what
// the ledger keeps of every sent message, and are drained like any other (so a restart mid-resend
// loses nothing); the result names how many and the seqs purged since (docs/hub.md).
import type { Logger } from 'pino';
import type { Ledger } from '../store/api.js';
import { ResendRequest, type ResultData, schemaProblems } from './messages.js';

/** Seqs one request may put back at most (a hub asks again for the rest). */
export const RESEND_MAX = 50_000;

export interface ResendOptions {
  ledger: Pick<Ledger, 'outboxResend' | 'ledgerId'>;
  site: string;
  gate: string;
  maxBytes: number;
  logger: Logger;
  answer(result: ResultData): void;
  /** Rows came back behind the drain's read position. */
  rewind(): void;
}

export function handleResend(topic: string, payload: Buffer, o: ResendOptions): ResultData | undefined {
  const ref: ResultData['ref'] = { topic, kind: 'resend' };
  const reject = (code: string, zh: string, en: string): ResultData => {
    o.logger.warn({ topic, code }, 'resend request rejected');
    const r: ResultData = { ref, result: 'rejected', reasons: [{ code, zh, en }] };
    o.answer(r);
    return r;
  };
  if (payload.length > o.maxBytes) return reject('payload.too-large', '消息过大', 'Message too large');
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return reject('payload.malformed', '消息不是有效的 JSON', `Not valid JSON: ${(err as Error).message}`);
  }
  const problems = schemaProblems(ResendRequest, body, 3);
  if (problems.length) return reject('payload.schema', `格式错误：${problems.join('; ')}`, `Schema: ${problems.join('; ')}`);
  const req = body as ResendRequest;
  if (req.id) ref.id = req.id;
  if (req.site !== o.site || req.gate !== o.gate) return reject('gate.wrong', '请求属于其他卡口', `The request is for ${req.site}/${req.gate}, this gate is ${o.site}/${o.gate}`);
  // A request meant for this gate's previous ledger (wiped since): those seqs are not ours to send.
  if (req.ledger && req.ledger !== o.ledger.ledgerId()) return reject('ledger.other', '请求针对本卡口以前的台账', 'The request is for a ledger this gate no longer has');
  let requeued = 0;
  let left = RESEND_MAX;
  const gone: Array<[number, number]> = [];
  for (const [from, asked] of req.ranges) {
    if (asked < from || left <= 0) continue;
    const to = Math.min(asked, from + left - 1);
    left -= to - from + 1;
    const r = o.ledger.outboxResend(from, to);
    requeued += r.requeued;
    gone.push(...r.gone);
  }
  o.logger.info({ ranges: req.ranges.length, requeued, gone: gone.length }, 'the hub asked for messages again; they are queued');
  const result: ResultData = { ref, result: 'applied', reasons: [], requeued, gone };
  o.answer(result);
  if (requeued > 0) o.rewind();
  return result;
}
