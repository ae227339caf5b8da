import { describe, expect, it } from 'vitest';
import { effectiveRules } from '../../src/app/effective-rules.js';
import { validateConfig } from '../../src/config/load.js';
import type { PolicyState } from '../../src/store/api.js';

const configured = validateConfig({ rules: { nucleicTestMaxAgeHours: 48 } }).config!.rules;
const ledgerWith = (payload: unknown) => ({ policyStates: (): PolicyState[] => (payload === undefined ? [] : [{ kind: 'thresholds', version: 3, payload, appliedAt: 0 }]) });

describe('effective rules (configuration + thresholds policy)', () => {
  it('are the configured rules while no thresholds policy was applied', () => {
    expect(effectiveRules(configured, ledgerWith(undefined), console)).toEqual(configured);
  });

  it('take the thresholds the hub or an admin set, and a null clears an optional one', () => {
    const r = effectiveRules(configured, ledgerWith({ feverThreshold: 37.0, nucleicTestMaxAgeHours: null }), console);
    expect(r.feverThreshold).toBe(37.0);
    expect(r.nucleicTestMaxAgeHours).toBeUndefined();
    expect(r.temperatureFloor).toBe(configured.temperatureFloor);
  });

  it('ignore a policy that does not fit the rules, with a warning, rather than apply half of it', () => {
    const warnings: unknown[] = [];
    const r = effectiveRules(configured, ledgerWith({ feverThreshold: 'hot', householdQuotaDays: 3 }), { warn: (o: unknown) => warnings.push(o) } as never);
    expect(r).toEqual(configured);
    expect(JSON.stringify(warnings)).toContain('feverThreshold');
  });
});
