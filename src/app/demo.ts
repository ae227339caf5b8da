// The demo village seeded into an empty ledger in simulation: a few households with the cases the
// practice meets every day (a family with a household card, an elderly person living alone, a
// tenant, a home-quarantined returnee, a volunteer's staff card, a vehicle permit). Cards are signed
// with the gate's own key and written to <dataDir>/demo-cards.txt so a newcomer can scan them with
// `gate sim scan <card id>` or print them from the kiosk. Never runs outside simulation.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GateKeySet } from '../cards/gate-setup.js';
import type { Config } from '../config/schema.js';
import { residentIdCheckDigit } from '../gate/credentials/resident-id.js';
import { type CardClaims, issueToken } from '../gate/credentials/token.js';
import type { Ledger, PassCardRecord, PersonInput, RosterChange } from '../store/api.js';

const DAY = 86_400_000;

/** A valid GB 11643 number (fictional): area, birth date, sequence, check digit. */
function residentId(area: string, birth: string, seq: string): string {
  const first17 = `${area}${birth}${seq}`;
  return first17 + residentIdCheckDigit(first17);
}

export function demoRoster(now: number): RosterChange {
  const persons: PersonInput[] = [
    { id: 'p-001', householdId: 'hh-001', name: '张桂兰', idNumber: residentId('330106', '19580312', '002'), phone: '13800001111', categories: ['老年人'] },
    { id: 'p-002', householdId: 'hh-001', name: '李建国', idNumber: residentId('330106', '19850704', '011'), phone: '13800002222' },
    { id: 'p-003', householdId: 'hh-002', name: '王秀英', idNumber: residentId('330106', '19400121', '028'), categories: ['独居老人', '七类人'] },
    { id: 'p-004', householdId: 'hh-003', name: '陈小明', idNumber: residentId('420102', '19960915', '035'), phone: '13900003333', categories: ['租户'] },
    {
      id: 'p-005',
      householdId: 'hh-004',
      name: '赵磊',
      idNumber: residentId('330106', '19900228', '057'),
      phone: '13700004444',
      quarantine: { kind: 'home', until: now + 7 * DAY },
      riskTravel: { area: '某市某区（中风险）', at: now - 3 * DAY },
    },
    { id: 'p-006', householdId: 'hh-005', name: '刘志愿', idNumber: residentId('330106', '19920101', '064'), phone: '13600005555', categories: ['志愿者'] },
  ];
  const cards: RosterChange['cards'] = [
    { id: 'hh-001', type: 'household', householdId: 'hh-001', issuedAt: now },
    { id: 'hh-002', type: 'household', householdId: 'hh-002', issuedAt: now },
    { id: 'pc-004', type: 'person', personId: 'p-004', householdId: 'hh-003', issuedAt: now },
    { id: 'hh-004', type: 'household', householdId: 'hh-004', issuedAt: now },
    { id: 'st-006', type: 'staff', personId: 'p-006', issuedAt: now },
    { id: 'vh-001', type: 'vehicle', householdId: 'hh-001', vehiclePlate: '浙A·12345', issuedAt: now },
  ];
  return {
    households: [
      { id: 'hh-001', address: '1号楼101', grid: '第一网格', registeredResidents: 2, actualResidents: 2 },
      { id: 'hh-002', address: '1号楼203', grid: '第一网格', registeredResidents: 1, actualResidents: 1 },
      { id: 'hh-003', address: '3号楼502（出租）', grid: '第二网格', registeredResidents: 0, actualResidents: 1 },
      { id: 'hh-004', address: '5号楼301', grid: '第二网格', registeredResidents: 1, actualResidents: 1 },
      { id: 'hh-005', address: '村委会', grid: '第一网格' },
    ],
    persons,
    cards,
    vehiclePermits: [{ id: 'vh-001', plate: '浙A·12345', householdId: 'hh-001' }],
  };
}

/** The GP1 token printed on a roster card, signed with the gate's key. */
export function cardToken(card: Pick<PassCardRecord, 'id' | 'type' | 'householdId' | 'issuedAt' | 'expiresAt'>, site: string, keys: GateKeySet): string {
  const claims: CardClaims = { t: card.type, id: card.id, site, kid: keys.own.kid, iat: Math.floor(card.issuedAt / 1000) };
  if (card.householdId && card.type !== 'staff' && card.type !== 'visitor') claims.hh = card.householdId;
  if (card.expiresAt) claims.exp = Math.floor(card.expiresAt / 1000);
  return issueToken(claims, keys.own.privateKey);
}

export interface SeedDemoOptions {
  ledger: Ledger;
  keys: GateKeySet;
  config: Config;
  dataDir: string;
  logger: Logger;
}

/** Seeds the demo village into an empty roster and (re)writes demo-cards.txt. Returns card id → token. */
export function seedDemo({ ledger, keys, config, dataDir, logger }: SeedDemoOptions): Map<string, string> {
  if (ledger.rosterStats().persons === 0) {
    const result = ledger.applyRoster(demoRoster(Date.now()), { actor: 'simulation' });
    logger.info({ households: result.households, persons: result.persons, cards: result.cards }, 'seeded the demo village roster (simulation)');
  }
  const tokens = new Map<string, string>();
  const lines = ['# Demo pass cards (simulation). Scan one with: gate sim scan <card id>', '# card id\ttype\taddress\ttoken'];
  const households = new Map(ledger.households({ limit: 10_000 }).map((h) => [h.id, h.address]));
  for (const card of ledger.cards()) {
    const token = cardToken(card, config.site.id, keys);
    tokens.set(card.id, token);
    lines.push(`${card.id}\t${card.type}\t${card.householdId ? (households.get(card.householdId) ?? '') : ''}\t${token}`);
  }
  writeFileSync(join(dataDir, 'demo-cards.txt'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}
