// Worker thread for large hub updates: parses and validates off the event loop (./downlink-check.ts).
import { parentPort } from 'node:worker_threads';
import { checkDownlink } from './downlink-check.js';
import type { DownlinkKind } from './topics.js';

parentPort?.on('message', (m: { id: number; kind: DownlinkKind; payload: Uint8Array; site: string }) => {
  let result: ReturnType<typeof checkDownlink>;
  try {
    result = checkDownlink(m.kind, m.payload, m.site);
  } catch (err) {
    result = { ok: false, reasons: [{ code: 'payload.check-failed', zh: '无法检查该消息', en: `Could not check the update: ${(err as Error).message}` }] };
  }
  parentPort?.postMessage({ id: m.id, result });
});
