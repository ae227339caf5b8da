// Health-code colours pushed by the hub (健康码), versioned like the policy snapshots: a version
// ≤ the stored one is 'stale' and changes nothing; per person, an older reading never replaces a
// newer one. Unknown person ids are listed, never created.
import type { CodeColour } from '../gate/model.js';
import type { StoreCtx } from './db.js';

export interface HealthUpdate {
  personId: string;
  colour: CodeColour;
  at: number;
}

const COLOURS: CodeColour[] = ['green', 'yellow', 'red'];

export function createHealth(ctx: StoreCtx) {
  const { db } = ctx;
  const getVersion = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'health_version'");
  const setVersion = db.prepare("INSERT INTO meta (key, value) VALUES ('health_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  const exists = db.prepare<[string], { id: string }>('SELECT id FROM persons WHERE id = ?');
  const update = db.prepare('UPDATE persons SET health_colour = ?, health_at = ?, updated_at = ? WHERE id = ? AND (health_at IS NULL OR health_at <= ?)');

  function check(updates: unknown): HealthUpdate[] {
    if (!Array.isArray(updates)) throw new Error('A health update is a list of { personId, colour, at }');
    updates.forEach((u: Partial<HealthUpdate>, i) => {
      if (typeof u?.personId !== 'string' || u.personId === '') throw new Error(`Health update ${i + 1}: personId must be a non-empty string`);
      if (!COLOURS.includes(u.colour as CodeColour)) throw new Error(`Health update ${i + 1}: colour must be green, yellow or red (got ${JSON.stringify(u.colour)})`);
      if (!Number.isSafeInteger(u.at) || (u.at as number) < 0) throw new Error(`Health update ${i + 1}: at must be wall-clock milliseconds`);
    });
    return updates as HealthUpdate[];
  }

  return {
    version: () => Number(getVersion.get()?.value ?? 0),
    /** Inside the caller's transaction. */
    apply(updates: unknown, version: number): { result: 'applied' | 'stale'; version: number; updated: number; unknown: string[] } {
      if (!Number.isSafeInteger(version) || version < 0) throw new Error(`A health version must be a whole number ≥ 0 (got ${version})`);
      const list = check(updates);
      const current = Number(getVersion.get()?.value ?? 0);
      if (version <= current) return { result: 'stale', version: current, updated: 0, unknown: [] };
      const unknown: string[] = [];
      let updated = 0;
      const now = ctx.now();
      for (const u of list) {
        if (!exists.get(u.personId)) unknown.push(u.personId);
        else updated += update.run(u.colour, u.at, now, u.personId, u.at).changes;
      }
      setVersion.run(String(version));
      return { result: 'applied', version, updated, unknown };
    },
  };
}
