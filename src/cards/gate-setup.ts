// Wiring the pure gate core to the configuration and the key directory, for the composition root.
import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createGateCore, type GateCore, type GateSeed } from '../gate/core.js';
import { type GateKeys, loadOrCreateKeys, trustedKeys } from './keystore.js';
import { createTimeOrderedIds } from './time-ordered-id.js';

export interface GateKeySet {
  own: GateKeys;
  /** The gate's own key plus cards.trustedKeys, by kid. */
  trusted: Map<string, KeyObject>;
}

/** Load (or on first start create) the gate key from cards.keyDir, relative to the working directory. */
export function keysFromConfig(config: Config, keyDir = resolve(config.cards.keyDir)): GateKeySet {
  const own = loadOrCreateKeys(keyDir);
  return { own, trusted: trustedKeys(own, config.cards.trustedKeys) };
}

export interface GateSetupOptions {
  ctx: { config: Config; logger: Logger };
  /** Overrides cards.keyDir (e.g. a path under the data dir). */
  keyDir?: string;
  /** Id generator for passages and alerts; default UUIDv7, time-ordered (time-ordered-id.ts). */
  ids?: () => string;
  /** What the ledger knows at start: cards inside, households' last outings. */
  state?: GateSeed;
}

/** The gate core built from config, with the gate's keys (created on first start). */
export function createGateFromConfig(opts: GateSetupOptions): { core: GateCore; keys: GateKeySet } {
  const { config, logger } = opts.ctx;
  const keys = keysFromConfig(config, opts.keyDir);
  for (const w of keys.own.warnings) logger.warn(w);
  if (keys.own.created) logger.info({ kid: keys.own.kid }, 'created the gate card-signing key');
  const core = createGateCore({
    siteId: config.site.id,
    gateId: config.gate.id,
    lanes: config.lanes.map((l) => ({ id: l.id, direction: l.direction })),
    rules: config.rules,
    trustedKeys: keys.trusted,
    ids: opts.ids ?? createTimeOrderedIds(),
    timeZone: config.site.timezone,
    ...(opts.state ? { state: opts.state } : {}),
  });
  return { core, keys };
}
