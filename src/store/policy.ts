// Policy snapshots from the hub (or an admin): each kind carries its own version; an older or
// equal version never replaces a newer one. Policy.version counts every applied change.
import type { CodeColour } from '../gate/model.js';
import type { Policy } from '../gate/contract.js';
import type { ZoneLevel } from '../gate/model.js';
import { json, type StoreCtx } from './db.js';

// ---------- this concern's part of the Ledger (./api.ts composes them) ----------

// Payloads sync passes to applyPolicy (from the hub): 'risk-areas' string[], 'zone-level' ZoneLevel,
// 'revocations' string[] (card ids, the full list), 'thresholds' a partial object of
// { feverThreshold, temperatureFloor, riskAreaLookbackDays, nucleicTestMaxAgeHours (number | null),
//   healthStatusMaxAgeMinutes, householdQuotaDays, vaccinationRequired }.
export type PolicyKind = 'risk-areas' | 'zone-level' | 'revocations' | 'authorised' | 'thresholds';

export interface PolicyState {
  kind: PolicyKind;
  version: number;
  payload: unknown;
  appliedAt: number;
}

/** Policy snapshots from the hub or an admin. */
export interface PolicyLedger {
  /** Atomic; a version ≤ the stored one for that kind is 'stale'. */
  applyPolicy(kind: PolicyKind, version: number, payload: unknown, actor?: string): 'applied' | 'stale';
  policy(): Policy;
  policyStates(): PolicyState[];
  /**
   * Added for sync (hub downlink): health-code colours per person, versioned like policies ('health').
   * Atomic; a version ≤ the stored one is 'stale' and changes nothing. Unknown person ids are listed, not created;
   * per person an older reading never replaces a newer one. Bad entries throw with the entry's number.
   * (Optional in the type so stand-in ledgers of other tests need not implement it; openLedger() does.)
   */
  applyHealth?(updates: Array<{ personId: string; colour: CodeColour; at: number }>, opts: { version: number; actor?: string }): { result: 'applied' | 'stale'; version: number; updated: number; unknown: string[] };
}

const LEVELS: ZoneLevel[] = ['normal', 'precaution', 'controlled', 'sealed'];
export const POLICY_KINDS: PolicyKind[] = ['risk-areas', 'zone-level', 'revocations', 'authorised', 'thresholds'];

function stringList(kind: string, payload: unknown, key: string): string[] {
  const list = Array.isArray(payload) ? payload : (payload as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error(`A "${kind}" policy needs a list of strings (or {"${key}": [...]})`);
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

/** Validate and normalise a payload; throws a message the hub operator can act on. */
export function normalisePolicy(kind: PolicyKind, payload: unknown): unknown {
  switch (kind) {
    case 'zone-level': {
      const level = typeof payload === 'string' ? payload : (payload as { level?: unknown } | null)?.level;
      if (!LEVELS.includes(level as ZoneLevel)) throw new Error(`A "zone-level" policy needs one of ${LEVELS.join(', ')} (got ${JSON.stringify(level)})`);
      return { level };
    }
    case 'risk-areas':
      return { areas: stringList(kind, payload, 'areas') };
    case 'revocations':
      return { cards: stringList(kind, payload, 'cards') };
    case 'authorised':
      return { cards: stringList(kind, payload, 'cards') };
    case 'thresholds':
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('A "thresholds" policy needs an object of named values');
      return payload;
    default:
      throw new Error(`Unknown policy kind "${String(kind)}"; expected one of ${POLICY_KINDS.join(', ')}`);
  }
}

export function createPolicy(ctx: StoreCtx, defaultZoneLevel: ZoneLevel) {
  const { db } = ctx;
  const get = db.prepare<[string], { version: number; payload: string; applied_at: number }>('SELECT version, payload, applied_at FROM policy WHERE kind = ?');
  const put = db.prepare(`INSERT INTO policy (kind, version, payload, applied_at) VALUES (?, ?, ?, ?)
    ON CONFLICT(kind) DO UPDATE SET version = excluded.version, payload = excluded.payload, applied_at = excluded.applied_at`);
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const localRevoked = db.prepare<[], { id: string }>('SELECT id FROM cards WHERE revoked_at IS NOT NULL');
  let cached: Policy | undefined;

  const applyTx = db.transaction((kind: PolicyKind, version: number, payload: unknown): 'applied' | 'stale' => {
    const cur = get.get(kind);
    if (cur && version <= cur.version) return 'stale';
    put.run(kind, version, JSON.stringify(payload), ctx.now());
    setMeta.run('policy_version', String(Number(meta.get('policy_version')?.value ?? 0) + 1));
    return 'applied';
  });

  return {
    apply(kind: PolicyKind, version: number, payload: unknown): 'applied' | 'stale' {
      if (!Number.isSafeInteger(version) || version < 0) throw new Error(`A policy version must be a whole number ≥ 0 (got ${version})`);
      const r = applyTx.immediate(kind, version, normalisePolicy(kind, payload));
      if (r === 'applied') cached = undefined;
      return r;
    },
    invalidate() {
      cached = undefined;
    },
    current(): Policy {
      if (cached) return cached;
      const payload = <T>(kind: PolicyKind, fallback: T): T => json<T>(get.get(kind)?.payload, fallback);
      const revoked = new Set(payload<{ cards: string[] }>('revocations', { cards: [] }).cards);
      for (const r of localRevoked.all()) revoked.add(r.id);
      cached = {
        version: Number(meta.get('policy_version')?.value ?? 0),
        zoneLevel: payload<{ level: ZoneLevel }>('zone-level', { level: defaultZoneLevel }).level,
        riskAreas: payload<{ areas: string[] }>('risk-areas', { areas: [] }).areas,
        revokedCards: [...revoked],
        authorised: payload<{ cards: string[] }>('authorised', { cards: [] }).cards,
      };
      return cached;
    },
    states(): PolicyState[] {
      return db
        .prepare<[], { kind: PolicyKind; version: number; payload: string; applied_at: number }>('SELECT kind, version, payload, applied_at FROM policy ORDER BY kind')
        .all()
        .map((r) => ({ kind: r.kind, version: r.version, payload: json<unknown>(r.payload, null), appliedAt: r.applied_at }));
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicy>;
