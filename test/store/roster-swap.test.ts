// A full roster swapped in through staging tables (the downlink worker's way) gives the same ledger as
// one applied in a single transaction, keeps the cards the gate issued, and leaves the old roster
// whole when it fails; the gate keeps its roster view until the new one has been read.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger, RosterChange } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { swapRoster } from '../../src/store/roster-swap.js';
import { bigRoster } from '../../bench/big-roster.js';
import { tempDir } from '../helpers/temp-dir.js';

const opened: Ledger[] = [];
afterEach(() => {
  for (const l of opened.splice(0)) l.close();
});

function ledgerAt(onChange?: (what: string) => void): Ledger & { path: string } {
  const path = join(tempDir('roster-swap-'), 'gate.db');
  const l = openLedger({ path, clock: { now: () => 1_764_000_000_000, synced: () => true }, gateId: 'g', siteId: 's', timeZone: 'UTC', synchronous: 'NORMAL', ...(onChange ? { onChange } : {}) });
  opened.push(l);
  return Object.assign(l, { path });
}

function change(version: number, households = 3000): RosterChange {
  const { site: _s, version: _v, id: _i, ...rest } = bigRoster({ site: 's', version, households }) as unknown as RosterChange & { site: string; version: number; id: string };
  return { ...rest, full: true };
}

const contents = (l: Ledger) => JSON.stringify({ stats: l.rosterStats(), persons: l.persons({ limit: 100_000 }), households: l.households({ limit: 100_000 }), cards: l.cards({ includeRevoked: true }) });

describe('roster swap', () => {
  it('gives the ledger the same roster as the single-transaction apply, keeps gate-issued cards, and audits it', () => {
    const a = ledgerAt();
    const b = ledgerAt();
    for (const l of [a, b]) {
      l.applyRoster(change(1, 10), { version: 1, actor: 'hub' });
      l.issueCard({ id: 'card-gate-1', type: 'visitor', householdId: 'hh-1' }, 'admin');
    }
    // Issuing a card moved the roster to version 2.
    a.applyRoster(change(3), { version: 3, actor: 'hub' });
    expect(swapRoster({ path: b.path, change: change(3), version: 3, actor: 'hub', now: 1_764_000_000_000 })).toMatchObject({ result: 'applied', version: 3, households: 3000 });
    b.rosterReplaced?.();
    expect(b.rosterVersion()).toBe(3);
    expect(contents(b)).toBe(contents(a));
    expect(b.cards({ includeRevoked: true }).some((c) => c.id === 'card-gate-1')).toBe(true);
    expect(b.auditLog({ action: 'roster-change' })[0]?.detail).toMatchObject({ version: 3, full: true, households: 3000 });
    // The same version again is stale and changes nothing.
    expect(swapRoster({ path: b.path, change: change(3, 5), version: 3, actor: 'hub', now: 1 }).result).toBe('stale');
    expect(contents(b)).toBe(contents(a));
  });

  it('leaves the old roster whole, and no staging table behind, when the new one cannot be written', () => {
    const l = ledgerAt();
    l.applyRoster(change(1, 50), { version: 1, actor: 'hub' });
    const before = contents(l);
    const bad = change(2, 2000);
    // Two persons with one ID number: the unique index refuses the second, deep in the snapshot.
    (bad.persons as Array<Record<string, unknown>>)[10] = { ...(bad.persons as Array<Record<string, unknown>>)[10], idNumber: '11010519491231002X' };
    (bad.persons as Array<Record<string, unknown>>)[2500] = { ...(bad.persons as Array<Record<string, unknown>>)[2500], idNumber: '11010519491231002X' };
    expect(() => swapRoster({ path: l.path, change: bad, version: 2, actor: 'hub', now: 1 })).toThrow(/UNIQUE/);
    expect(l.rosterVersion()).toBe(1);
    expect(contents(l)).toBe(before);
    const db = new Database(l.path, { readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'roster_next_%'").all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('the gate keeps deciding with its roster view until the new one has been read, then says the roster changed', async () => {
    let ready: () => void = () => {};
    const l = ledgerAt((what) => what === 'roster' && ready());
    l.applyRoster(change(1, 10), { version: 1, actor: 'hub' });
    const changed = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const old = l.rosterView();
    expect(old.household('hh-2000')).toBeUndefined();
    swapRoster({ path: l.path, change: change(2), version: 2, actor: 'hub', now: 1 });
    l.rosterReplaced?.();
    expect(l.rosterView()).toBe(old);
    await changed;
    const fresh = l.rosterView();
    expect(fresh).not.toBe(old);
    expect(fresh.household('hh-2000')).toMatchObject({ id: 'hh-2000' });
    expect(fresh.members('hh-0').length).toBe(2);
    expect(fresh.card('card-hh-2999')).toMatchObject({ type: 'household' });
  });
});
