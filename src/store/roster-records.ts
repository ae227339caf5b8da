// The roster's records as written and as stored: what the gate's roster (./roster.ts) and the row
// writer it shares with the downlink worker (./roster-writes.ts) both speak.
import type { QuarantineKind, RosterCard } from '../gate/contract.js';
import type { CodeColour } from '../gate/model.js';

export interface HouseholdRecord {
  id: string;
  address: string;
  grid?: string;
  /** 户籍人口 and 实际居住人口. */
  registeredResidents?: number;
  actualResidents?: number;
  note?: string;
  updatedAt?: number;
}

/** A person as written (import, hub, kiosk). The ID number and phone are stored in full. */
export interface PersonInput {
  id: string;
  householdId: string;
  name: string;
  idNumber?: string;
  phone?: string;
  resident?: boolean;
  categories?: string[];
  quarantine?: { kind: QuarantineKind; until: number } | null;
  health?: { colour: CodeColour; at: number } | null;
  lastTestAt?: number | null;
  vaccinated?: boolean | null;
  riskTravel?: { area: string; at: number } | null;
}

/** A pass card as stored: what the gate checks (RosterCard), plus its issue and revocation. */
export interface PassCardRecord extends RosterCard {
  /** Wall ms. */
  issuedAt: number;
  expiresAt?: number;
  revokedAt?: number;
  revokedReason?: string;
  issuedBy?: string;
}

export interface VehiclePermitRecord {
  id: string;
  plate: string;
  householdId?: string;
  validFrom?: number;
  validTo?: number;
  revokedAt?: number;
}

/** A roster change set, applied atomically. `full: true` replaces the whole roster (hub snapshot). */
export interface RosterChange {
  full?: boolean;
  households?: HouseholdRecord[];
  persons?: PersonInput[];
  cards?: Array<Omit<PassCardRecord, 'issuedAt'> & { issuedAt?: number }>;
  vehiclePermits?: VehiclePermitRecord[];
  removeHouseholds?: string[];
  removePersons?: string[];
  removeCards?: string[];
}

export type PersonRow = {
  id: string;
  household_id: string;
  name: string;
  id_number: string | null;
  id_tail: string | null;
  phone: string | null;
  resident: number;
  categories: string;
  quarantine_kind: string | null;
  quarantine_until: number | null;
  health_colour: string | null;
  health_at: number | null;
  last_test_at: number | null;
  vaccinated: number | null;
  risk_area: string | null;
  risk_at: number | null;
  updated_at: number;
};
