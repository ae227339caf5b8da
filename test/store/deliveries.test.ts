// 无接触配送: a courier's delivery is its own ledger row, counted apart from passages (never a 劝返),
// with a pickup list the kiosk marks collected.
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';

const T0 = Date.UTC(2026, 10, 23, 2);
function open() {
  let now = T0;
  const ledger = openLedger({ path: ':memory:', clock: { now: () => now, synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai' });
  return { ledger, set: (ms: number) => (now = ms) };
}

describe('deliveries (无接触配送)', () => {
  it('records time, company, parcels and household; counted apart, not as refusals or passages', () => {
    const { ledger } = open();
    const d = ledger.recordDelivery({ company: '顺丰', parcels: 3, householdId: 'hh-1', operatorId: 'vol' });
    ledger.recordDelivery({ company: '美团外卖', operatorId: 'vol' });
    expect(d).toMatchObject({ at: T0, company: '顺丰', parcels: 3, householdId: 'hh-1', recordedBy: 'vol' });
    expect(ledger.todayCounts()).toMatchObject({ refusals: 0, entries: 0, deliveries: 2, parcels: 4 });
    expect(ledger.passages()).toEqual([]);
    expect(ledger.dailyReport('2026-11-23')).toMatchObject({ refusals: 0, deliveries: 2, parcels: 4, zeroReport: true });
    expect(ledger.auditLog({ action: 'delivery' })).toHaveLength(2);
    expect(() => ledger.recordDelivery({ parcels: 0 })).toThrow(/parcel count/);
  });

  it('keeps a pickup list that is marked collected', () => {
    const { ledger, set } = open();
    const d = ledger.recordDelivery({ company: '中通', householdId: 'hh-2' });
    expect(ledger.deliveries({ waitingOnly: true }).map((x) => x.id)).toEqual([d.id]);
    set(T0 + 3_600_000);
    expect(ledger.collectDelivery(d.id, 'vol')).toBe(true);
    expect(ledger.collectDelivery(d.id, 'vol')).toBe(false);
    expect(ledger.deliveries({ waitingOnly: true })).toEqual([]);
    expect(ledger.deliveries()).toEqual([expect.objectContaining({ id: d.id, collectedAt: T0 + 3_600_000, collectedBy: 'vol' })]);
    // Both go up to the hub's delivery ledger, once each.
    const up = ledger.outboxBatch(100).filter((r) => r.kind === 'state').map((r) => r.payload);
    expect(up).toEqual([
      expect.objectContaining({ type: 'delivery-recorded', id: d.id, company: '中通', householdId: 'hh-2' }),
      expect.objectContaining({ type: 'delivery-collected', id: d.id, collectedAt: T0 + 3_600_000, collectedBy: 'vol' }),
    ]);
  });
});
