// The health declarations' part of the ledger (./declarations.ts, docs/declare.md).

/** One person of a declaration as the gate keeps it: what its visitor form asks, nothing more. */
export interface DeclaredPerson {
  name: string;
  idNumber: string;
  phone?: string;
  /** Where they come from (area picked on the form). */
  origin: string;
  /** Places stayed in the last 14 days. */
  travel: string[];
  /** Whom they visit: household id, address or free text. */
  host?: string;
  purpose?: string;
  /** Symptoms declared (empty: none). */
  symptoms: string[];
  lastTestAt?: number | null;
  vaccinated?: boolean | null;
}

export interface DeclarationRecord {
  id: string;
  kind: 'visit' | 'return';
  issuedAt: number;
  expiresAt: number;
  members: DeclaredPerson[];
}

export type DeclarationUse = { index: number; visitorId?: string; personId?: string; usedAt: number };

/** Generic in the visitor form and record so that this file imports nothing (api.ts names it). */
export interface DeclarationLedger<Form, Visitor> {
  /** Version of the last declarations update applied (0: none). */
  version(): number;
  /** Upsert the update's declarations; 'stale' (nothing changed) when `version` is not newer. */
  apply(list: DeclarationRecord[], version: number): 'applied' | 'stale';
  get(id: string): DeclarationRecord | undefined;
  uses(id: string): DeclarationUse[];
  /** Registers the visitor and marks the member used, in one transaction; sent up linked to the declaration. */
  admitVisitor(id: string, index: number, form: Form): Visitor;
  /** A returning resident's 报备 seen at the gate: marks the member used, sent up for the returnee loop. */
  confirmReturn(id: string, index: number, o: { personId?: string; operatorId?: string }): void;
}
