// The hub's read-only JSON API over its real storage (SQLite): token, gates with missing ranges,
// alerts, passages page by page, rejects, status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/hub/api.js';
import { HubReader } from '../../src/hub/storage/read.js';
import { HubWriter } from '../../src/hub/storage/write.js';
import { openFresh, passage } from './support.js';

const TOKEN = 'a-long-enough-test-token';
let api: ReturnType<typeof buildApi>;
let close: () => Promise<void>;

beforeAll(async () => {
  const o = await openFresh('sqlite');
  close = o.close;
  const w = new HubWriter(o.db, o.engine, { batchRows: 1000, rejectsMax: 100 });
  const alert = { ...passage(4), table: 'alerts' as const, data: { id: 'a1', kind: 'fever', severity: 'critical' }, dataJson: '{"id":"a1","kind":"fever","severity":"critical"}' };
  await w.write({
    records: [...[1, 2, 3, 5, 6].map((s) => passage(s, { outcome: s === 6 ? 'refused' : 'admitted' })), alert],
    states: [{ type: 'state', site: 'v1', gate: 'g1', ledger: 'L1', highest: 9, json: JSON.stringify({ status: 'online' }), online: true }],
    rejects: [{ type: 'reject', reason: 'payload.schema', detail: '/kind: bad', topic: 't', bytes: 5, excerpt: '{}' }],
  });
  api = buildApi({ reader: new HubReader(o.db), token: TOKEN, status: () => ({ hub: 'test' }) });
});
afterAll(async () => {
  await api?.close();
  await close?.();
});

const get = (url: string, token: string | null = TOKEN) => api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('hub API', () => {
  it('answers 401 without the token or with a wrong one, and /healthz without', async () => {
    expect((await get('/api/v1/gates', null)).statusCode).toBe(401);
    expect((await get('/api/v1/gates', 'wrong-token-of-some-length')).statusCode).toBe(401);
    expect((await get('/healthz', null)).statusCode).toBe(200);
  });

  it('shows each gate: online, held and missing seq ranges, histories', async () => {
    const r = await get('/api/v1/gates');
    expect(r.statusCode).toBe(200);
    const [g] = r.json().gates;
    expect(g).toMatchObject({ site: 'v1', gate: 'g1', online: true, highest: 9, held: 6, missing: [[7, 9]], missingCount: 3 });
    expect(g.histories).toHaveLength(1);
  });

  it('lists alerts and passages (filtered, paginated), rejects and status', async () => {
    expect((await get('/api/v1/alerts')).json().alerts[0]).toMatchObject({ kind: 'fever', severity: 'critical', gate: 'g1' });
    const p1 = (await get('/api/v1/passages?limit=3')).json();
    expect(p1.items.map((p: { seq: number }) => p.seq)).toEqual([6, 5, 3]);
    const p2 = (await get(`/api/v1/passages?limit=3&cursor=${p1.next}`)).json();
    expect(p2.items.map((p: { seq: number }) => p.seq)).toEqual([2, 1]);
    expect(p2.next).toBeNull();
    expect((await get('/api/v1/passages?outcome=refused')).json().items).toHaveLength(1);
    expect((await get('/api/v1/passages?cursor=bogus')).statusCode).toBe(400);
    expect((await get('/api/v1/rejects')).json().byReason).toEqual({ 'payload.schema': 1 });
    expect((await get('/api/v1/status')).json()).toEqual({ hub: 'test' });
  });
});
