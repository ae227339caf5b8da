// The risk-area list, the authorised list and the closing hours set by the admin at the kiosk when
// there is no hub, so the rules work on day one — versioned like the downlink: the hub's next version wins.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { effectiveRules } from '../../src/app/effective-rules.js';
import { defaultRules } from '../gate/harness.js';
import { openLedger } from '../../src/store/ledger.js';

const T0 = Date.UTC(2026, 10, 23, 2);
const open = () => openLedger({ path: ':memory:', clock: { now: () => T0, synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai' });

describe('policy set locally by the admin', () => {
  it('works with no hub at all, audited, marked local', () => {
    const ledger = open();
    const s = ledger.applyLocalPolicy('risk-areas', ['某市某区'], 'admin');
    expect(s).toMatchObject({ kind: 'risk-areas', version: 0, source: 'local' });
    expect(ledger.policy().riskAreas).toEqual(['某市某区']);
    ledger.applyLocalPolicy('authorised', { cards: ['md-1003'] }, 'admin');
    expect(ledger.policy().authorised).toEqual(['md-1003']);
    expect(ledger.auditLog({ action: 'policy-change' }).map((a) => a.detail)).toEqual([
      { kind: 'authorised', version: 0, local: true },
      { kind: 'risk-areas', version: 0, local: true },
    ]);
  });

  it('keeps the local change over a re-sent hub snapshot of the same version; the next hub version wins', () => {
    const ledger = open();
    expect(ledger.applyPolicy('risk-areas', 3, ['甲地'], 'hub')).toBe('applied');
    ledger.applyLocalPolicy('risk-areas', ['甲地', '乙地'], 'admin');
    expect(ledger.policyStates().find((p) => p.kind === 'risk-areas')).toMatchObject({ version: 3, source: 'local' });
    expect(ledger.applyPolicy('risk-areas', 3, ['甲地'], 'hub')).toBe('stale');
    expect(ledger.policy().riskAreas).toEqual(['甲地', '乙地']);
    expect(ledger.applyPolicy('risk-areas', 4, ['丙地'], 'hub')).toBe('applied');
    expect(ledger.policy().riskAreas).toEqual(['丙地']);
    expect(ledger.policyStates().find((p) => p.kind === 'risk-areas')?.source).toBe('hub');
  });

  it('closing hours for outsiders reach the rules the gate decides with; null clears them', () => {
    const ledger = open();
    const quiet = pino({ level: 'silent' });
    ledger.applyLocalPolicy('hours', { outsiderHours: [{ from: '06:00', to: '21:00' }] }, 'admin');
    expect(effectiveRules(defaultRules(), ledger, quiet).outsiderHours).toEqual([{ from: '06:00', to: '21:00' }]);
    ledger.applyLocalPolicy('hours', { outsiderHours: null }, 'admin');
    expect(effectiveRules(defaultRules({ outsiderHours: [{ from: '08:00', to: '17:00' }] }), ledger, quiet).outsiderHours).toBeUndefined();
    expect(() => ledger.applyLocalPolicy('hours', { outsiderHours: [{ from: '25:00', to: '21:00' }] }, 'admin')).toThrow(/HH:MM/);
  });
});
