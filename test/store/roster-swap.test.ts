// A full roster swapped in through staging tables (the downlink worker's way) gives the same ledger as
// one applied in a single transaction, keeps the cards the gate issued, and leaves the old roster
// whole when it fails; the gate keeps its roster view until the new one has been read.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ledger, RosterChange } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { swapRoster } from '../../src/store/roster-swap.js';
import { DownlinkOffload } from '../../src/sync/downlink-offload.js';
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

  it('the worker steps aside while the gate wants the writer lock, before staging and in the middle of it', async () => {
    const l = ledgerAt();
    l.applyRoster(change(1, 10), { version: 1, actor: 'hub' });
    const signal = l.writerSignal?.();
    if (!signal) throw new Error('the ledger has no writer signal');
    const other = new Database(l.path);
    other.pragma('busy_timeout = 0');
    // The lock is free: a writer that does not wait at all gets it.
    const lockFree = () => other.prepare('BEGIN IMMEDIATE').run() && other.prepare('COMMIT').run();
    const staged = () => (other.prepare("SELECT 1 FROM sqlite_master WHERE name = 'roster_next_persons'").get() ? (other.prepare('SELECT count(*) AS n FROM roster_next_persons').get() as { n: number }).n : 0);
    const offload = new DownlinkOffload();
    try {
      let release = signal.hold();
      const payload = Buffer.from(JSON.stringify(bigRoster({ site: 's', version: 2, households: 10_000 })));
      const result = offload.check('roster', payload, 's', { path: l.path, now: 1, actor: 'hub', gate: signal.buffer });
      // Before it writes anything.
      await vi.waitUntil(() => signal.stepsAside() > 0, { timeout: 30_000, interval: 2 });
      expect(lockFree).not.toThrow();
      expect(staged()).toBe(0);
      release();
      // In the middle of the staging tables: it ends its transaction and waits.
      await vi.waitUntil(() => staged() > 0, { timeout: 30_000, interval: 1 });
      const before = signal.stepsAside();
      release = signal.hold();
      await vi.waitUntil(() => signal.stepsAside() > before, { timeout: 30_000, interval: 2 });
      expect(lockFree).not.toThrow();
      const n = staged();
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(13_334);
      expect(l.rosterVersion()).toBe(1);
      release();
      expect(await result).toMatchObject({ ok: true, swapped: { result: 'applied', version: 2, households: 10_000 } });
      expect(l.rosterVersion()).toBe(2);
    } finally {
      await offload.close();
      other.close();
    }
  });

  it('empties the old tables after the swap and drops what a stopped swap left behind', () => {
    const l = ledgerAt();
    l.applyRoster(change(1, 10), { version: 1, actor: 'hub' });
    const db = new Database(l.path);
    try {
      // A swap stopped half-way: old tables with rows and their indexes' names, staging tables.
      db.exec('CREATE TABLE roster_old_persons (id TEXT PRIMARY KEY, x TEXT); CREATE INDEX idx_left ON roster_old_persons (x);');
      db.prepare('INSERT INTO roster_old_persons VALUES (?, ?)').run('p', 'x');
      db.exec('CREATE TABLE roster_next_households (id TEXT PRIMARY KEY)');
      let answered = 0;
      const r = swapRoster({ path: l.path, change: change(2, 300), version: 2, actor: 'hub', now: 1, swapped: () => answered++ });
      expect(r).toMatchObject({ result: 'applied', version: 2 });
      expect(answered).toBe(1);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'roster_old_%' OR name LIKE 'roster_next_%' OR name = 'idx_left'").all()).toEqual([]);
      expect((db.prepare('SELECT count(*) AS n FROM households').get() as { n: number }).n).toBe(300);
    } finally {
      db.close();
    }
  });

  it('a health update for the whole village is read back in the background, a few codes at once', async () => {
    let ready: () => void = () => {};
    const l = ledgerAt((what) => what === 'roster' && ready());
    l.applyRoster(change(1, 1000), { version: 1, actor: 'hub' });
    const view = l.rosterView();
    const persons = l.persons({ limit: 100_000 });
    expect(persons.length).toBeGreaterThan(500);
    // A few: re-read into the view in use, at once.
    l.applyHealth?.([{ personId: 'per-0-0', colour: 'red', at: 1 }], { version: 2, actor: 'hub' });
    expect(l.rosterView()).toBe(view);
    expect(view.person('per-0-0')?.health?.colour).toBe('red');
    // All of them: the gate decides with the codes it has until the roster has been read again.
    const changed = new Promise<void>((resolve) => {
      ready = resolve;
    });
    l.applyHealth?.(persons.map((p) => ({ personId: p.id, colour: 'yellow' as const, at: 2 })), { version: 3, actor: 'hub' });
    expect(l.rosterView().person('per-0-0')?.health?.colour).toBe('red');
    await changed;
    expect(l.rosterView().person('per-0-0')?.health?.colour).toBe('yellow');
    expect(l.rosterView().person(persons.at(-1)?.id ?? '')?.health?.colour).toBe('yellow');
  });
});
