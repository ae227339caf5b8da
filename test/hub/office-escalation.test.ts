// Escalation on both engines: a critical alert unacknowledged past the limit is escalated once
// (marked, audited, posted to a real HTTP webhook); an acknowledged one or a warning never; a dead
// webhook is logged and changes nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/hub/office/accounts.js';
import { AlertDesk } from '../../src/hub/office/alerts.js';
import { Escalator } from '../../src/hub/office/escalation.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { alertRecord } from './office-support.js';
import { ENGINES, openFresh } from './support.js';

describe.each(ENGINES)('escalation on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('escalates an unacknowledged critical alert once, to the audit log and the webhook; never an acknowledged one or a warning', async () => {
    const o = await openFresh(engine);
    closers.push(o.close);
    const posted: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        posted.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const writer = new HubWriter(o.db, o.engine, { batchRows: 100, rejectsMax: 100 });
    await writer.write({ records: [alertRecord(1), alertRecord(2), alertRecord(3, { severity: 'warning', kind: 'override' })], states: [], rejects: [] });
    const desk = new AlertDesk(o.db);
    const accounts = new Accounts(o.db, { idleMs: 60_000 });
    await desk.ack({ site: 'v1', gate: 'g1', history: 1, seq: 2 }, 'duty1', 'seen', Date.now());
    let changed = 0;
    const now = Date.now();
    const esc = (at: number, webhook: string) => new Escalator({ desk, accounts, afterMs: 5 * 60_000, webhook, logger: pino({ level: 'silent' }), changed: () => changed++, now: () => at });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    expect(await esc(now + 60_000, url).look()).toEqual([]);
    const due = await esc(now + 6 * 60_000, url).look();
    expect(due.map((a) => a.seq)).toEqual([1]);
    expect(posted).toEqual([expect.objectContaining({ event: 'alert.escalated', site: 'v1', gate: 'g1', alert: 'v1/g1/1/1', kind: 'fever', afterMinutes: 5 })]);
    expect(changed).toBe(1);
    expect((await desk.get({ site: 'v1', gate: 'g1', history: 1, seq: 1 }))?.escalatedAt).toBe(now + 6 * 60_000);
    expect(await esc(now + 20 * 60_000, url).look()).toEqual([]);
    expect(posted).toHaveLength(1);
    expect((await accounts.auditLog(10, 'alert.escalate')).map((e) => e.target)).toEqual(['v1/g1/1/1']);
    // A dead webhook: escalated all the same, logged, nothing thrown.
    await writer.write({ records: [alertRecord(4)], states: [], rejects: [] });
    expect((await esc(now + 30 * 60_000, 'http://127.0.0.1:1/nothing-here').look()).map((a) => a.seq)).toEqual([4]);
  });
});
