// The passages ledger on both engines: pages of 50 from the server by cursor, names masked; the full
// view is the admin's only and audited.
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordMsg } from '../../src/hub/classify.js';
import { maskName, maskPlate } from '../../src/hub/office/mask.js';
import { officeOn, signIn } from './office-support.js';
import { ENGINES, passage } from './support.js';

const DAY0 = new Date('2026-12-06T08:00:00').getTime();
function event(table: RecordMsg['table'], gate: string, seq: number, at: number, data: Record<string, unknown>): RecordMsg {
  return { ...passage(seq, { gate, at }), table, data, dataJson: JSON.stringify(data) };
}

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
    expect((await viewer.get('/office/api/passages?card=pc-7')).json().items.map((p: { seq: number }) => p.seq)).toEqual([8]);
    expect((await viewer.get('/office/api/passages?idTail=0023&limit=200')).json().items).toHaveLength(120);
    expect((await viewer.get('/office/api/passages?idTail=9999')).json().items).toHaveLength(0);
    expect((await viewer.get('/office/api/passages?full=1')).json()).toMatchObject({ code: 'FORBIDDEN' });
    const admin = await signIn(off.app, 'admin', off.adminPassword);
    const full = (await admin.get('/office/api/passages?full=1&limit=5')).json();
    expect(full.items[0].subject).toMatchObject({ name: '张桂兰', vehiclePlate: '浙A·12345' });
    expect(await off.accounts.auditLog(5, 'passages.full-view')).toEqual([expect.objectContaining({ user: 'admin', target: 'all', detail: expect.objectContaining({ rows: 5 }) })]);
  });

  it('reads a day as the villages\' day (office.timeZone), and fills a page even when most rows fail a filter the database cannot apply', async () => {
    const off = await officeOn(engine, { now: () => Date.UTC(2026, 11, 7, 4) });
    closers.push(off.close);
    // 01:00 in Shanghai on 6 and on 7 December: the evening before in UTC.
    const early6 = Date.UTC(2026, 11, 5, 17);
    const early7 = Date.UTC(2026, 11, 6, 17);
    const records: RecordMsg[] = [passage(1, { at: early6 }), passage(2, { at: early7 })];
    // 30 quarantine changes, every tenth a release; 10 deliveries, the third collected.
    for (let i = 1; i <= 30; i++) {
      const release = i % 10 === 0;
      records.push(event('quarantine_changes', 'g1', 100 + i, early7 + i * 60_000, { type: 'quarantine-change', personId: `p-${i}`, cause: release ? 'release' : 'report', previous: release ? { kind: 'home', until: early7 } : null, next: release ? null : { kind: 'home', until: early7 + 86_400_000 }, at: early7 + i * 60_000, nameMasked: '钱**' }));
    }
    for (let i = 1; i <= 10; i++) records.push(event('visitor_events', 'g1', 200 + i, early7 + i * 60_000, { type: 'delivery-recorded', id: `d-${i}`, at: early7 + i * 60_000, company: '顺丰', parcels: 1, householdId: 'A-01' }));
    records.push(event('visitor_events', 'g1', 300, early7 + 20 * 60_000, { type: 'delivery-collected', id: 'd-3', at: early7 + 20 * 60_000, householdId: 'A-01', collectedAt: early7 + 20 * 60_000, collectedBy: 'duty1' }));
    await off.writer.write({ records, states: [], rejects: [] });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));
    expect((await viewer.get('/office/api/passages?day=2026-12-06')).json().items.map((p: { seq: number }) => p.seq)).toEqual([1]);
    expect((await viewer.get('/office/api/passages?day=2026-12-07')).json().items.map((p: { seq: number }) => p.seq)).toEqual([2]);
    const released = (await viewer.get('/office/api/quarantine?outcome=released&limit=2&window=all')).json();
    expect(released.items.map((x: { personId: string }) => x.personId)).toEqual(['p-30', 'p-20']);
    const rest = (await viewer.get(`/office/api/quarantine?outcome=released&limit=2&window=all&cursor=${released.next}`)).json();
    expect(rest.items.map((x: { personId: string }) => x.personId)).toEqual(['p-10']);
    expect((await viewer.get('/office/api/quarantine?day=2026-12-07&outcome=released')).json().items).toHaveLength(3);
    expect((await viewer.get('/office/api/deliveries?outcome=collected&limit=1&window=all')).json().items.map((x: { id: string }) => x.id)).toEqual(['d-3']);
  });

  it('keeps visitors (where they went, signed out or not), deliveries and the quarantine register across gates: filtered, paged, masked, the full view audited', async () => {
    const off = await officeOn(engine, { now: () => DAY0 + 3_600_000 });
    closers.push(off.close);
    const visitor = (i: number) => ({ type: 'visitor-registered', id: `v-${i}`, name: '赵志强', idTail: i === 3 ? '004X' : '1234', origin: '湖北省武汉市', travel: ['湖北省武汉市'], hostHouseholdId: `A-0${i}`, plate: '鄂A·88888', registeredAt: DAY0 + i * 60_000, reason: '探亲' });
    const records: RecordMsg[] = [];
    for (let i = 1; i <= 60; i++) records.push(event('visitor_events', i % 2 ? 'g1' : 'g2', i, DAY0 + i * 60_000, visitor(i)));
    // v-1 and v-3 signed out (at g1, later); the others are still inside.
    records.push(event('visitor_events', 'g1', 101, DAY0 + 90 * 60_000, { ...visitor(1), type: 'visitor-signed-out', signedOutAt: DAY0 + 90 * 60_000, signedOutBy: 'gate' }));
    records.push(event('visitor_events', 'g1', 102, DAY0 + 91 * 60_000, { ...visitor(3), type: 'visitor-signed-out', signedOutAt: DAY0 + 91 * 60_000, signedOutBy: 'duty1' }));
    records.push(event('visitor_events', 'g1', 103, DAY0 + 5 * 60_000, { type: 'delivery-recorded', id: 'd-1', at: DAY0 + 5 * 60_000, company: '顺丰', parcels: 3, householdId: 'A-01', recordedBy: 'duty1' }));
    records.push(event('visitor_events', 'g1', 104, DAY0 + 6 * 60_000, { type: 'delivery-recorded', id: 'd-2', at: DAY0 + 6 * 60_000, company: '京东', parcels: 1, householdId: 'A-02' }));
    records.push(event('visitor_events', 'g1', 105, DAY0 + 30 * 60_000, { type: 'delivery-collected', id: 'd-1', at: DAY0 + 5 * 60_000, company: '顺丰', parcels: 3, householdId: 'A-01', collectedAt: DAY0 + 30 * 60_000, collectedBy: 'duty2' }));
    const until = DAY0 + 14 * 86_400_000;
    records.push(event('quarantine_changes', 'g1', 106, DAY0 + 7 * 60_000, { type: 'quarantine-change', personId: 'p-1', cause: 'report', previous: null, next: { kind: 'home', until }, at: DAY0 + 7 * 60_000, nameMasked: '钱**', idTail: '0023', householdId: 'A-01' }));
    records.push(event('quarantine_changes', 'g2', 107, DAY0 + 8 * 60_000, { type: 'quarantine-change', personId: 'p-2', cause: 'release', previous: { kind: 'home', until }, next: null, signOff: { signedBy: ['村医 王', '村支书 李'], tests: [DAY0 - 6 * 86_400_000, DAY0 - 86_400_000] }, note: '第5、11天核酸阴性', at: DAY0 + 8 * 60_000, nameMasked: '孙*', idTail: '7788' }));
    await off.writer.write({ records, states: [], rejects: [] });
    const viewer = await signIn(off.app, 'viewer1', await off.user('viewer1', 'viewer'));

    const v1 = (await viewer.get('/office/api/visitors')).json();
    expect(v1.items).toHaveLength(50);
    expect(v1.items[0]).toMatchObject({ id: 'v-60', gate: 'g2', name: '赵**', host: 'A-060', plate: '鄂A·***88', signedOutAt: null });
    expect(JSON.stringify(v1)).not.toContain('赵志强');
    const v2 = (await viewer.get(`/office/api/visitors?cursor=${v1.next}`)).json();
    expect(v2.next).toBeNull();
    expect(v2.items.map((v: { id: string }) => v.id).slice(-3)).toEqual(['v-3', 'v-2', 'v-1']);
    expect(v2.items.find((v: { id: string }) => v.id === 'v-1')).toMatchObject({ signedOutAt: DAY0 + 90 * 60_000, signedOutBy: 'gate' });
    const out = (await viewer.get('/office/api/visitors?outcome=signed-out')).json();
    expect(out.items.map((v: { id: string }) => v.id)).toEqual(['v-3', 'v-1']);
    expect((await viewer.get('/office/api/visitors?outcome=inside&gate=v1/g1')).json().items).toHaveLength(28);
    expect((await viewer.get('/office/api/visitors?idTail=004x')).json().items.map((v: { id: string }) => v.id)).toEqual(['v-3']);
    expect((await viewer.get('/office/api/visitors?card=v-7')).json().items.map((v: { id: string }) => v.id)).toEqual(['v-7']);
    expect((await viewer.get('/office/api/visitors?day=2026-12-05')).json().items).toEqual([]);
    expect((await viewer.get('/office/api/visitors?idTail=12%25')).statusCode).toBe(400);

    const d = (await viewer.get('/office/api/deliveries')).json();
    expect(d.items).toMatchObject([{ id: 'd-2', company: '京东', collectedAt: null }, { id: 'd-1', parcels: 3, collectedAt: DAY0 + 30 * 60_000, collectedBy: 'duty2' }]);
    expect((await viewer.get('/office/api/deliveries?outcome=waiting')).json().items.map((x: { id: string }) => x.id)).toEqual(['d-2']);

    const q = (await viewer.get('/office/api/quarantine')).json();
    expect(q.items).toMatchObject([
      { personId: 'p-2', name: '孙*', released: true, tier: null, signedBy: ['村医 王', '村支书 李'], tests: [DAY0 - 6 * 86_400_000, DAY0 - 86_400_000], note: '第5、11天核酸阴性' },
      { personId: 'p-1', name: '钱**', idTail: '0023', tier: 'home', until, cause: 'report', released: false },
    ]);
    expect((await viewer.get('/office/api/quarantine?outcome=released')).json().items.map((x: { personId: string }) => x.personId)).toEqual(['p-2']);
    expect((await viewer.get('/office/api/quarantine?card=p-1')).json().items).toHaveLength(1);

    expect((await viewer.get('/office/api/visitors?full=1')).json()).toMatchObject({ code: 'FORBIDDEN' });
    const admin = await signIn(off.app, 'admin', off.adminPassword);
    const full = (await admin.get('/office/api/visitors?full=1&limit=2&gate=v1/g1')).json();
    expect(full.items[0]).toMatchObject({ name: '赵志强', plate: '鄂A·88888' });
    expect(await off.accounts.auditLog(5, 'visitors.full-view')).toEqual([expect.objectContaining({ user: 'admin', target: 'v1/g1', detail: expect.objectContaining({ rows: 2 }) })]);
  });

  it('masks names and plates of any length', () => {
    expect([maskName('李'), maskName('欧阳娜娜'), maskName(undefined)]).toEqual(['李*', '欧***', undefined]);
    expect([maskPlate('浙A·12345'), maskPlate('AB1')]).toEqual(['浙A·***45', '***']);
  });
});
