// Opening the ledger for the operator commands (`gate roster`, `gate export`, `gate report`).
// Another process (the daemon) may hold the same file: WAL lets both in; writes wait their turn.
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Ledger } from './api.js';
import { openLedger } from './ledger.js';
import { sqliteSynchronous } from './wal-barrier.js';

export interface CliLedger {
  config: Config;
  ledger: Ledger;
}

/** Prints configuration problems and sets exit code 2; returns undefined then. */
export function openCliLedger(o: { config?: string; db?: string }): CliLedger | undefined {
  let config: Config;
  try {
    config = loadConfig(o.config, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(`${o.config ?? 'configuration'}: ${p}`);
    process.exitCode = 2;
    return undefined;
  }
  // A command cannot know whether NTP has synchronised the clock; say it is not.
  const clock = { now: () => Date.now(), synced: () => false };
  const ledger = openLedger({
    path: o.db ?? config.storage.path,
    clock,
    gateId: config.gate.id,
    siteId: config.site.id,
    timeZone: config.site.timezone,
    retentionDays: config.storage.retentionDays,
    outboxCap: config.storage.outboxCap,
    minFreeBytes: config.storage.minFreeBytes,
    defaultZoneLevel: config.zoneLevel,
    synchronous: sqliteSynchronous(config.storage.synchronous),
    uplinkNames: config.storage.uplinkNames,
    ...(config.storage.epidemicFreeSince ? { epidemicFreeSince: config.storage.epidemicFreeSince } : {}),
  });
  return { config, ledger };
}

/**
 * Opens the ledger, runs `use`, and closes the ledger whatever happens. With `failure`, an error is
 * printed as `<failure>: <message>` and sets exit code 1; without, it goes on to the caller.
 */
export async function withCliLedger(o: { config?: string; db?: string }, use: (opened: CliLedger) => Promise<void> | void, failure?: string): Promise<void> {
  const opened = openCliLedger(o);
  if (!opened) return;
  try {
    await use(opened);
  } catch (err) {
    if (failure === undefined) throw err;
    console.error(`${failure}: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    opened.ledger.close();
  }
}
