// An in-memory roster (RosterView) for scenarios, tests and the demo: the store has the real one.
import type { RosterCard, RosterHousehold, RosterPerson, RosterView, VisitorRegistration } from '../contract.js';

export interface MemoryRosterData {
  households?: RosterHousehold[];
  /** Persons; idNumber is only used for lookup and never leaves this module. */
  persons?: Array<RosterPerson & { idNumber?: string }>;
  cards?: RosterCard[];
  visitors?: VisitorRegistration[];
}

export interface MemoryRoster extends RosterView {
  /** Add or replace entries by id. */
  upsert(data: MemoryRosterData): void;
}

export function createMemoryRoster(initial: MemoryRosterData = {}): MemoryRoster {
  const households = new Map<string, RosterHousehold>();
  const persons = new Map<string, RosterPerson>();
  const byIdNumber = new Map<string, string>();
  const cards = new Map<string, RosterCard>();
  const visitors = new Map<string, VisitorRegistration>();
  const upsert = (d: MemoryRosterData) => {
    for (const h of d.households ?? []) households.set(h.id, h);
    for (const { idNumber, ...p } of d.persons ?? []) {
      persons.set(p.id, p);
      if (idNumber) byIdNumber.set(String(idNumber).trim().toUpperCase(), p.id);
    }
    for (const c of d.cards ?? []) cards.set(c.id, c);
    for (const v of d.visitors ?? []) visitors.set(v.id, v);
  };
  upsert(initial);
  return {
    upsert,
    person: (id) => persons.get(id),
    personByIdNumber: (n) => {
      const id = byIdNumber.get(n.trim().toUpperCase());
      return id === undefined ? undefined : persons.get(id);
    },
    household: (id) => households.get(id),
    card: (id) => cards.get(id),
    visitor: (id) => visitors.get(id),
    members: (hh) => [...persons.values()].filter((p) => p.householdId === hh),
  };
}
