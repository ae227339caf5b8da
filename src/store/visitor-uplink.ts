// Visitors reported upward (由县区、镇街掌握去向): each registration and each sign-out is an outbox
// row of its own kind, so the township knows where outsiders went. Masked as the passages are:
// the name masked unless storage.uplinkNames, never the ID number or the phone (only the ID tail).
import { maskName } from './mask.js';
import type { VisitorRow } from './visitors.js';

export type VisitorEvent = 'registered' | 'signed-out';

export function visitorPayload(r: VisitorRow, event: VisitorEvent, uplinkNames: boolean): Record<string, unknown> {
  const travel = JSON.parse(r.travel) as string[];
  return {
    type: `visitor-${event}`,
    id: r.id,
    // A masked name under its own key: the drain drops `name` unless mqtt.sendPersonalData, but keeps the masked one.
    ...(uplinkNames ? { name: r.name } : { nameMasked: maskName(r.name) }),
    ...(r.id_tail ? { idTail: r.id_tail } : {}),
    ...(r.origin ? { origin: r.origin } : {}),
    travel,
    ...(r.host_household_id ? { hostHouseholdId: r.host_household_id } : {}),
    ...(r.escort ? (uplinkNames ? { escort: r.escort } : { escortMasked: maskName(r.escort) }) : {}),
    ...(r.plate ? { plate: r.plate } : {}),
    ...(r.reason ? { reason: r.reason.slice(0, 200) } : {}),
    registeredAt: r.registered_at,
    ...(r.registered_by ? { registeredBy: r.registered_by } : {}),
    ...(r.signed_out_at !== null ? { signedOutAt: r.signed_out_at } : {}),
    ...(r.signed_out_by ? { signedOutBy: r.signed_out_by } : {}),
  };
}
