// The rules the gate decides with: the configuration, overlaid with the latest "thresholds" policy
// (set by the hub or by an admin on the kiosk). A null value clears an optional threshold (e.g. no
// maximum test age any more). A policy that does not validate against the rules schema is ignored
// with a warning, never half-applied.
import type { Logger } from 'pino';
import { validateConfig } from '../config/load.js';
import type { RulesConfig } from '../gate/config.js';
import type { Ledger } from '../store/api.js';

export function effectiveRules(configured: RulesConfig, ledger: Pick<Ledger, 'policyStates'>, logger: Pick<Logger, 'warn'>): RulesConfig {
  const states = ledger.policyStates();
  const policy = states.find((s) => s.kind === 'thresholds');
  // The closing hours for outsiders (an admin at the kiosk, or the hub): an "hours" policy.
  const hours = states.find((s) => s.kind === 'hours')?.payload as { outsiderHours?: unknown } | undefined;
  const payload = { ...(policy?.payload && typeof policy.payload === 'object' && !Array.isArray(policy.payload) ? policy.payload : {}), ...(hours && 'outsiderHours' in hours ? { outsiderHours: hours.outsiderHours } : {}) };
  if (Object.keys(payload).length === 0) return configured;
  const merged: Record<string, unknown> = { ...configured };
  for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const { config, problems } = validateConfig({ rules: merged });
  if (!config) {
    logger.warn({ version: policy?.version, problems }, 'thresholds policy does not fit the rules; the configured rules stay in force');
    return configured;
  }
  return config.rules;
}
