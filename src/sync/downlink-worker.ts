// Worker thread for large hub updates: parses and validates off the event loop (./downlink-check.ts)
// and swaps a roster or a large delta into the ledger on a connection of its own (src/store/roster-swap.ts), so
// that neither the parsing nor the rows reach the event loop.
import { parentPort } from 'node:worker_threads';
import type { RosterChange } from '../store/api.js';
import { swapRoster } from '../store/roster-swap.js';
import { checkDownlink, type DownlinkCheck, reason } from './downlink-check.js';
import type { DownlinkKind } from './topics.js';

interface Request {
  id: number;
  kind: DownlinkKind;
  payload: Uint8Array;
  site: string;
  /** A roster or a roster delta: swap it into this ledger file. */
  swap?: { path: string; now: number; actor: string; gate?: SharedArrayBuffer };
}

/** Answers once: a swapped roster as soon as the swap committed, before the old tables are emptied. */
function run(m: Request, answer: (r: DownlinkCheck) => void): void {
  const c = checkDownlink(m.kind, m.payload, m.site);
  if (!c.ok || !m.swap || (m.kind !== 'roster' && m.kind !== 'roster/delta') || !('body' in c)) {
    answer(c);
    return;
  }
  const { site: _s, version, id: _i, issuedAt: _a, baseVersion, ...rest } = c.body as unknown as RosterChange & { site: string; version: number; id?: string; issuedAt?: number; baseVersion?: number };
  const { body: _b, ...head } = c;
  try {
    const swapped = swapRoster({
      path: m.swap.path,
      change: m.kind === 'roster' ? { ...rest, full: true } : rest,
      version,
      ...(baseVersion !== undefined ? { baseVersion } : {}),
      actor: m.swap.actor,
      now: m.swap.now,
      ...(m.swap.gate ? { gate: m.swap.gate } : {}),
      swapped: (r) => answer({ ...head, swapped: r }),
    });
    if (swapped.result !== 'applied') answer({ ...head, swapped });
  } catch (err) {
    answer({ ...head, ok: false, reasons: [reason('apply.failed', '写入本地台账失败，未做任何更改', `Could not apply it to the ledger; nothing changed: ${(err as Error).message}`)] });
  }
}

parentPort?.on('message', (m: Request) => {
  let answered = false;
  const answer = (result: DownlinkCheck) => {
    if (answered) return;
    answered = true;
    parentPort?.postMessage({ id: m.id, result });
  };
  try {
    run(m, answer);
  } catch (err) {
    answer({ ok: false, reasons: [reason('payload.check-failed', '无法检查该消息', `Could not check the update: ${(err as Error).message}`)] });
  }
});
