// No-contact deliveries (无接触配送): couriers hand parcels over at the gate and never enter. Each is a
// row of its own ledger — time, company, parcel count, for which household when known — counted apart
// from passages (a courier is not a 劝返), with a pickup list the kiosk marks collected. Each delivery
// and its collection go up to the hub (kind 'state', type 'delivery-recorded' / 'delivery-collected'),
// in the same transaction, for the office's delivery ledger.
import { randomUUID } from 'node:crypto';
import type { Delivery, DeliveryForm } from './practice-types.js';
import type { StoreCtx } from './db.js';
import { type Outbox, OutboxPriority } from './outbox.js';



type Row = { id: string; at: number; company: string | null; parcels: number; household_id: string | null; note: string | null; recorded_by: string | null; collected_at: number | null; collected_by: string | null };

function toDelivery(r: Row): Delivery {
  const d: Delivery = { id: r.id, at: r.at, parcels: r.parcels };
  if (r.company) d.company = r.company;
  if (r.household_id) d.householdId = r.household_id;
  if (r.note) d.note = r.note;
  if (r.recorded_by) d.recordedBy = r.recorded_by;
  if (r.collected_at !== null) d.collectedAt = r.collected_at;
  if (r.collected_by) d.collectedBy = r.collected_by;
  return d;
}

export function validateDelivery(f: DeliveryForm): void {
  if (f.parcels !== undefined && !(Number.isInteger(f.parcels) && f.parcels >= 1 && f.parcels <= 200)) throw new Error('The parcel count is a whole number from 1 to 200');
  for (const k of ['company', 'householdId', 'note'] as const) if (f[k] !== undefined && (typeof f[k] !== 'string' || f[k].length > 200)) throw new Error(`"${k}" must be text of at most 200 characters`);
}

export function createDeliveries(ctx: StoreCtx, outbox?: Outbox) {
  const { db } = ctx;
  const ins = db.prepare('INSERT INTO deliveries (id, at, company, parcels, household_id, note, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const get = db.prepare<[string], Row>('SELECT * FROM deliveries WHERE id = ?');
  const waiting = db.prepare<[number], Row>('SELECT * FROM deliveries WHERE collected_at IS NULL ORDER BY at LIMIT ?');
  const between = db.prepare<[number, number, number], Row>('SELECT * FROM deliveries WHERE at >= ? AND at < ? ORDER BY at LIMIT ?');
  const collect = db.prepare('UPDATE deliveries SET collected_at = ?, collected_by = ? WHERE id = ? AND collected_at IS NULL');
  const count = db.prepare<[number, number], { n: number; parcels: number | null }>('SELECT count(*) AS n, sum(parcels) AS parcels FROM deliveries WHERE at >= ? AND at < ?');

  return {
    record(f: DeliveryForm): Delivery {
      validateDelivery(f);
      const id = `d-${randomUUID()}`;
      ins.run(id, ctx.now(), f.company?.trim() || null, f.parcels ?? 1, f.householdId?.trim() || null, f.note?.trim() || null, f.operatorId ?? null);
      const d = toDelivery(get.get(id) as Row);
      outbox?.insert('state', { type: 'delivery-recorded', ...d }, OutboxPriority.passage);
      return d;
    },
    /** The pickup list (not collected yet), or the deliveries of a time range. */
    list: (q: { waitingOnly?: boolean; from?: number; to?: number; limit?: number } = {}) =>
      (q.waitingOnly ? waiting.all(q.limit ?? 200) : between.all(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? 500)).map(toDelivery),
    collect: (id: string, operatorId: string) => {
      const done = collect.run(ctx.now(), operatorId, id).changes > 0;
      if (done) outbox?.insert('state', { type: 'delivery-collected', ...toDelivery(get.get(id) as Row) }, OutboxPriority.passage);
      return done;
    },
    counts: (from: number, to: number) => {
      const r = count.get(from, to);
      return { deliveries: r?.n ?? 0, parcels: r?.parcels ?? 0 };
    },
  };
}

export type Deliveries = ReturnType<typeof createDeliveries>;
