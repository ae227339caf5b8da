// From the raw text of a scan to who is at the gate: a GP1 card, a visitor slip or an ID number,
// looked up in the roster. A scan that identifies nobody gets the exact reason why.
import type { KeyObject } from 'node:crypto';
import type { GateContext, RosterCard, RosterPerson, VisitorRegistration } from './contract.js';
import { looksLikeResidentId, maskResidentId, residentIdTail, validateResidentId } from './credentials/resident-id.js';
import { type CardClaims, decodeToken, TOKEN_PREFIX, verifyToken } from './credentials/token.js';
import type { Reason, Subject } from './model.js';
import { reason } from './text.js';

export type Category = 'resident' | 'staff' | 'visitor' | 'outsider' | 'vehicle';

export interface Identity {
  subject: Subject;
  category: Category;
  /** Staff, or on the policy's authorised list (medical, officials): exempt from zone closures. */
  privileged: boolean;
  person?: RosterPerson;
  /** Household members, for a household card that names no one person. */
  members: RosterPerson[];
  card?: RosterCard;
  visitor?: VisitorRegistration;
  claims?: CardClaims;
  /** Key for anti-passback: the card, the person or the visitor registration. */
  presenceKey: string;
}

export type ScanResult = { ok: true; identity: Identity } | { ok: false; reason: Reason; subject: Subject; cardInvalid: boolean };

export interface IdentifyOptions {
  site: string;
  keys: ReadonlyMap<string, KeyObject>;
  visitorSlipPrefix: string;
}

/** The anti-passback key for a subject: its card, its visitor registration, or the person behind an ID number. */
export function presenceKey(subject: Subject): string {
  if (subject.kind === 'visitor' || subject.kind === 'visitor-id') return `visitor:${subject.id}`;
  if (subject.kind === 'resident-id') return subject.personId ? `person:${subject.personId}` : `id:${subject.id}`;
  return `card:${subject.id}`;
}

export function personSubject(kind: Subject['kind'], id: string, p: RosterPerson | undefined): Subject {
  const s: Subject = { kind, id };
  if (p) {
    s.personId = p.id;
    s.householdId = p.householdId;
    s.name = p.name;
  }
  return s;
}

function visitorIdentity(v: VisitorRegistration, subject: Subject, ctx: GateContext): Identity {
  subject.name = v.name;
  if (v.idTail) subject.idTail = v.idTail;
  if (v.plate) subject.vehiclePlate = v.plate;
  return { subject, category: 'visitor', privileged: ctx.policy.authorised.includes(v.id), members: [], visitor: v, presenceKey: presenceKey(subject) };
}

function isPrivileged(ctx: GateContext, cardId: string, person?: RosterPerson): boolean {
  return ctx.policy.authorised.includes(cardId) || (person !== undefined && ctx.policy.authorised.includes(person.id));
}

function fromCard(claims: CardClaims, ctx: GateContext): ScanResult {
  const card = ctx.roster.card(claims.id);
  const subject: Subject = { kind: claims.t, id: claims.id, cardKid: claims.kid };
  const hh = claims.hh ?? card?.householdId;
  if (hh) subject.householdId = hh;
  const base = { subject, members: [] as RosterPerson[], claims, presenceKey: `card:${claims.id}` };
  if (card) Object.assign(base, { card });
  switch (claims.t) {
    case 'visitor': {
      const v = ctx.roster.visitor(claims.id);
      if (!v) return { ok: false, reason: reason('visitor.unregistered'), subject, cardInvalid: false };
      return { ok: true, identity: { ...visitorIdentity(v, subject, ctx), claims } };
    }
    case 'vehicle': {
      if (!card?.vehiclePlate) return { ok: false, reason: reason('vehicle.no-permit'), subject, cardInvalid: false };
      subject.vehiclePlate = card.vehiclePlate;
      const person = card.personId ? ctx.roster.person(card.personId) : undefined;
      if (person) subject.personId = person.id;
      return { ok: true, identity: { ...base, category: 'vehicle', privileged: isPrivileged(ctx, claims.id, person), ...(person ? { person } : {}) } };
    }
    case 'household': {
      if (!hh || !ctx.roster.household(hh)) return { ok: false, reason: reason('card.unknown'), subject, cardInvalid: false };
      const person = card?.personId ? ctx.roster.person(card.personId) : undefined;
      if (person) Object.assign(subject, personSubject('household', claims.id, person), { cardKid: claims.kid });
      return { ok: true, identity: { ...base, category: 'resident', privileged: isPrivileged(ctx, claims.id, person), members: ctx.roster.members(hh), ...(person ? { person } : {}) } };
    }
    case 'person':
    case 'staff': {
      const person = ctx.roster.person(card?.personId ?? claims.id);
      if (!person && claims.t === 'person') return { ok: false, reason: reason('card.unknown'), subject, cardInvalid: false };
      if (person) Object.assign(subject, personSubject(claims.t, claims.id, person), { cardKid: claims.kid });
      const category: Category = claims.t === 'staff' ? 'staff' : person?.resident ? 'resident' : 'outsider';
      return { ok: true, identity: { ...base, category, privileged: claims.t === 'staff' || isPrivileged(ctx, claims.id, person), ...(person ? { person } : {}) } };
    }
  }
}

/** Identify whoever the scan names. `now` is wall ms. */
export function identify(text: string, ctx: GateContext, opts: IdentifyOptions): ScanResult {
  const scan = text.trim();
  const now = ctx.clock.now();
  if (scan.startsWith(`${TOKEN_PREFIX}.`)) {
    const v = verifyToken(scan, { keys: opts.keys, site: opts.site, now, revoked: ctx.policy.revokedCards });
    if (v.ok) return fromCard(v.claims, ctx);
    // Only a verified signature makes the card's claims worth recording; otherwise keep just the key id.
    const subject: Subject = v.claims && !['malformed', 'bad-signature', 'unknown-key'].includes(v.reason) ? { kind: v.claims.t, id: v.claims.id, cardKid: v.claims.kid } : { kind: 'unknown', id: 'unverified' };
    const kid = v.reason === 'unknown-key' ? decodeToken(scan)?.kid : undefined;
    if (kid) subject.cardKid = kid;
    return { ok: false, reason: reason(`card.${v.reason}`), subject, cardInvalid: true };
  }
  if (scan.startsWith(opts.visitorSlipPrefix)) {
    const id = scan.slice(opts.visitorSlipPrefix.length).trim();
    const subject: Subject = { kind: 'visitor-id', id: id.slice(0, 64) || 'unreadable' };
    const v = id ? ctx.roster.visitor(id) : undefined;
    if (!v) return { ok: false, reason: reason('visitor.unregistered'), subject, cardInvalid: false };
    return { ok: true, identity: visitorIdentity(v, subject, ctx) };
  }
  if (looksLikeResidentId(scan) || /^\d{15,18}[Xx]?$/.test(scan)) {
    const r = validateResidentId(scan, now);
    if (!r.ok) return { ok: false, reason: reason(`id.${r.reason}`), subject: { kind: 'resident-id', id: maskResidentId(scan) }, cardInvalid: false };
    const person = ctx.roster.personByIdNumber(r.id);
    const subject = personSubject('resident-id', person?.id ?? maskResidentId(r.id), person);
    subject.idTail = residentIdTail(r.id);
    const category: Category = person?.resident ? 'resident' : 'outsider';
    return { ok: true, identity: { subject, category, privileged: isPrivileged(ctx, subject.id, person), members: [], ...(person ? { person } : {}), presenceKey: presenceKey(subject) } };
  }
  return { ok: false, reason: reason('scan.unreadable'), subject: { kind: 'unknown', id: 'unreadable' }, cardInvalid: false };
}
