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
// 'announcements' (from the hub) and 'announcements-local' (the admin's) are lists of notices the
// loudspeaker plays (src/devices/voice/announcements.ts), validated where they come in.
// 'quarantine' (from the hub) keeps the version and the last list of tier changes the office sent;
// the changes themselves are made on the persons (./quarantine.ts).
export type PolicyKind = 'risk-areas' | 'zone-level' | 'revocations' | 'authorised' | 'thresholds' | 'hours' | 'announcements' | 'announcements-local' | 'quarantine';

export interface PolicyState {
  kind: PolicyKind;
  version: number;
  payload: unknown;
  appliedAt: number;
  /** 'local': set by the admin at the kiosk on top of `version` (the hub's last); any newer hub version replaces it. */
  source: 'hub' | 'local';
}

/** Policy snapshots from the hub or an admin. */
export interface PolicyLedger {
  /** Atomic; a version ≤ the stored one for that kind is 'stale'. */
  applyPolicy(kind: PolicyKind, version: number, payload: unknown, actor?: string): 'applied' | 'stale';
  policy(): Policy;
  policyStates(): PolicyState[];
  /**
   * An admin's change at the kiosk when there is no hub (or before it answers): stored under the
   * version in force (the hub's last, 0 when none), marked local, audited. A retained hub snapshot of
   * that same version does not undo it; the hub's next version replaces it.
   */
  applyLocalPolicy(kind: PolicyKind, payload: unknown, actor: string): PolicyState;
  /**
   * Added for sync (hub downlink): health-code colours per person, versioned like policies ('health').
   * Atomic; a version ≤ the stored one is 'stale' and changes nothing. Unknown person ids are listed, not created;
   * per person an older reading never replaces a newer one. Bad entries throw with the entry's number.
   * (Optional in the type so stand-in ledgers of other tests need not implement it; openLedger() does.)
   */
  applyHealth?(updates: Array<{ personId: string; colour: CodeColour; at: number }>, opts: { version: number; actor?: string }): { result: 'applied' | 'stale'; version: number; updated: number; unknown: string[] };
}

const LEVELS: ZoneLevel[] = ['normal', 'precaution', 'controlled', 'sealed'];
export const POLICY_KINDS: PolicyKind[] = ['risk-areas', 'zone-level', 'revocations', 'authorised', 'thresholds', 'hours', 'announcements', 'announcements-local', 'quarantine'];
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const HHMM_TO = /^([01][0-9]|2[0-4]):[0-5][0-9]$/;

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
    case 'hours': {
      // Opening hours for outsiders (e.g. closed after 21:00); null: no closing hours.
      const w = Array.isArray(payload) || payload === null ? payload : (payload as { outsiderHours?: unknown } | null)?.outsiderHours;
      if (w === null) return { outsiderHours: null };
      const ok = Array.isArray(w) && w.length <= 16 && w.every((x) => typeof x === 'object' && x !== null && HHMM.test((x as { from?: unknown }).from as string) && HHMM_TO.test((x as { to?: unknown }).to as string) && ((x as { days?: unknown }).days === undefined || (Array.isArray((x as { days: unknown[] }).days) && (x as { days: unknown[] }).days.every((d) => Number.isInteger(d) && (d as number) >= 0 && (d as number) <= 6))));
      if (!ok) throw new Error('An "hours" policy needs outsiderHours: a list of {from: "HH:MM", to: "HH:MM", days?: [0-6]} (or null for none)');
      return { outsiderHours: (w as Array<{ from: string; to: string; days?: number[] }>).map((x) => ({ from: x.from, to: x.to, ...(x.days ? { days: x.days } : {}) })) };
    }
    case 'thresholds':
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('A "thresholds" policy needs an object of named values');
      return payload;
    case 'quarantine': {
      const list = Array.isArray(payload) ? payload : (payload as { changes?: unknown } | null)?.changes;
      if (!Array.isArray(list)) throw new Error('A "quarantine" policy needs a list of changes (or {"changes": [...]})');
      return { changes: list };
    }
    case 'announcements':
    case 'announcements-local': {
      const list = Array.isArray(payload) ? payload : (payload as { announcements?: unknown } | null)?.announcements;
      if (!Array.isArray(list) || !list.every((a) => typeof a === 'object' && a !== null && !Array.isArray(a))) throw new Error(`An "${kind}" policy needs a list of announcements (or {"announcements": [...]})`);
      return { announcements: list };
    }
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
  const setSource = db.prepare("INSERT INTO meta (key, value) VALUES ('policy_source:' || ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  const sources = db.prepare<[], { key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'policy_source:%'");
  const localRevoked = db.prepare<[], { id: string }>('SELECT id FROM cards WHERE revoked_at IS NOT NULL');
  let cached: Policy | undefined;

  const applyTx = db.transaction((kind: PolicyKind, version: number, payload: unknown): 'applied' | 'stale' => {
    const cur = get.get(kind);
    if (cur && version <= cur.version) return 'stale';
    put.run(kind, version, JSON.stringify(payload), ctx.now());
    setSource.run(kind, 'hub');
    setMeta.run('policy_version', String(Number(meta.get('policy_version')?.value ?? 0) + 1));
    return 'applied';
  });

  const localTx = db.transaction((kind: PolicyKind, payload: unknown): number => {
    const version = get.get(kind)?.version ?? 0;
    put.run(kind, version, JSON.stringify(payload), ctx.now());
    setSource.run(kind, 'local');
    setMeta.run('policy_version', String(Number(meta.get('policy_version')?.value ?? 0) + 1));
    return version;
  });

  return {
    apply(kind: PolicyKind, version: number, payload: unknown): 'applied' | 'stale' {
      if (!Number.isSafeInteger(version) || version < 0) throw new Error(`A policy version must be a whole number ≥ 0 (got ${version})`);
      const r = applyTx.immediate(kind, version, normalisePolicy(kind, payload));
      if (r === 'applied') cached = undefined;
      return r;
    },
    /** The admin's change on top of the version in force (see Ledger.applyLocalPolicy). */
    applyLocal(kind: PolicyKind, payload: unknown): number {
      const v = localTx.immediate(kind, normalisePolicy(kind, payload));
      cached = undefined;
      return v;
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
      const local = new Set(sources.all().filter((r) => r.value === 'local').map((r) => r.key.slice('policy_source:'.length)));
      return db
        .prepare<[], { kind: PolicyKind; version: number; payload: string; applied_at: number }>('SELECT kind, version, payload, applied_at FROM policy ORDER BY kind')
        .all()
        .map((r) => ({ kind: r.kind, version: r.version, payload: json<unknown>(r.payload, null), appliedAt: r.applied_at, source: local.has(r.kind) ? ('local' as const) : ('hub' as const) }));
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicy>;
