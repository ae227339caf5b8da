// The passages ledger on both engines: pages of 50 from the server by cursor, names masked; the full
// view is the admin's only and audited.
import { afterEach, describe, expect, it } from 'vitest';
import { maskName, maskPlate } from '../../src/hub/office/ledger-routes.js';
import { officeOn, signIn } from './office-support.js';
import { ENGINES, passage } from './support.js';

describe.each(ENGINES)('office passages ledger on %s', (engine) => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('pages by cursor with names masked; the full view is the admin\'s and audited', async () => {
    const off = await officeOn(engine);
    closers.push(off.close);
    const records = Array.from({ length: 120 }, (_, i) => {
      const r = passage(i + 1, { outcome: i % 10 === 0 ? 'refused' : 'admitted' });
      const data = { ...r.data, subject: { kind: 'person', id: `pc-${i}`, name: '张桂兰', idTail: '0023', vehiclePlate: '浙A·12345' } };
      return { ...r, data, dataJson: JSON.stringify(data) };
    });
    await off.writer.write({ records, states: [], rejects: [] });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    const p1 = (await viewer.get('/office/api/passages')).json();
    expect(p1.items).toHaveLength(50);
    expect(p1.items[0]).toMatchObject({ seq: 120, subject: { name: '张**', idTail: '0023', vehiclePlate: '浙A·***45' } });
    expect(JSON.stringify(p1)).not.toContain('张桂兰');
    const p2 = (await viewer.get(`/office/api/passages?cursor=${p1.next}`)).json();
    const p3 = (await viewer.get(`/office/api/passages?cursor=${p2.next}`)).json();
    expect([...p1.items, ...p2.items, ...p3.items].map((p: { seq: number }) => p.seq)).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
    expect(p3.next).toBeNull();
    expect((await viewer.get('/office/api/passages?outcome=refused&gate=v1/g1')).json().items).toHaveLength(12);
    expect((await viewer.get('/office/api/passages?day=yesterday')).statusCode).toBe(400);
    expect((await viewer.get('/office/api/passages?full=1')).json()).toMatchObject({ code: 'FORBIDDEN' });
    const admin = await signIn(off.app, 'admin', off.adminPassword);
    const full = (await admin.get('/office/api/passages?full=1&limit=5')).json();
    expect(full.items[0].subject).toMatchObject({ name: '张桂兰', vehiclePlate: '浙A·12345' });
    expect(await off.accounts.auditLog(5, 'passages.full-view')).toEqual([expect.objectContaining({ user: 'admin', target: 'all', detail: expect.objectContaining({ rows: 5 }) })]);
  });

  it('masks names and plates of any length', () => {
    expect([maskName('李'), maskName('欧阳娜娜'), maskName(undefined)]).toEqual(['李*', '欧***', undefined]);
    expect([maskPlate('浙A·12345'), maskPlate('AB1')]).toEqual(['浙A·***45', '***']);
  });
});
