// A full roster swapped in through staging tables (the downlink worker's way) gives the same ledger as
// one applied in a single transaction, keeps the cards the gate issued, and leaves the old roster
// whole when it fails; the gate keeps its roster view until the new one has been read.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ledger, RosterChange } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { swapRoster } from '../../src/store/roster-swap.js';
import pino from 'pino';
import { EventBus } from '../../src/kernel/bus.js';
import { DownlinkHandler } from '../../src/sync/downlink.js';
import { DownlinkOffload } from '../../src/sync/downlink-offload.js';
import type { ResultData } from '../../src/sync/messages.js';
import { topicTree } from '../../src/sync/topics.js';
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

  describe('a delta (the office pushes its spreadsheet as changes)', () => {
    const NOW = 1_764_000_000_000;
    const HOME = { kind: 'home' as const, until: NOW + 14 * 86_400_000 };
    /** Every household renamed, one person changed in part, one added, cards added and removed. */
    function delta(households: number): RosterChange {
      return {
        households: Array.from({ length: households }, (_, h) => ({ id: `hh-${h}`, address: `东村 ${h} 号（新门牌）` })).concat([{ id: 'hh-new', address: '新建 1 号' }]),
        persons: [
          { id: 'per-0-0', householdId: 'hh-0', name: '张0号', phone: '13800001111' },
          { id: 'per-new', householdId: 'hh-new', name: '李新', categories: ['tenant'] },
        ],
        cards: [{ id: 'card-per-new', type: 'person', personId: 'per-new', householdId: 'hh-new' }],
        removePersons: ['per-3-1'],
        removeCards: ['card-hh-5'],
      };
    }
    /** What the volunteers do at the gate meanwhile; the same on both ledgers. */
    function gateChanges(l: Ledger): void {
      l.setQuarantine('per-0-0', HOME, { cause: 'admin' }, 'admin');
      l.issueCard({ id: 'card-gate-1', type: 'visitor', householdId: 'hh-1' }, 'admin');
      l.revokeCard('card-hh-2', 'lost', 'admin');
      l.applyRoster({ households: [{ id: 'hh-7', address: '东村 7 号', note: '门口有狗' }], removePersons: ['per-9-0'] }, { actor: 'admin' });
    }

    /**
     * Holds the worker between two of its transactions once it has copied the households and begun
     * the persons: held, it steps aside; let go, it writes a chunk or a few, and is held again.
     */
    async function holdMidStaging(l: Ledger & { path: string }, other: Database.Database): Promise<() => void> {
      const signal = l.writerSignal?.();
      if (!signal) throw new Error('the ledger has no writer signal');
      const count = (t: string) => (other.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(t) ? (other.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n : -1);
      for (;;) {
        const before = signal.stepsAside();
        const release = signal.hold();
        await vi.waitUntil(() => signal.stepsAside() > before, { timeout: 30_000, interval: 1 });
        if (count('roster_next_persons') > 0) return release;
        const households = count('roster_next_households');
        release();
        await vi.waitUntil(() => count('roster_next_households') !== households || count('roster_next_persons') > 0, { timeout: 30_000, interval: 1 });
      }
    }

    it('gives the same ledger as the delta in one transaction, partial persons keeping what they do not name', () => {
      const a = ledgerAt();
      const b = ledgerAt();
      for (const l of [a, b]) {
        l.applyRoster(change(1, 300), { version: 1, actor: 'hub' });
        l.setQuarantine('per-0-0', HOME, { cause: 'admin' }, 'admin');
      }
      a.applyRoster(delta(300), { version: 2, actor: 'hub' });
      expect(swapRoster({ path: b.path, change: delta(300), version: 2, actor: 'hub', now: NOW })).toMatchObject({ result: 'applied', version: 2, households: 301 });
      b.rosterReplaced?.();
      expect(contents(b)).toBe(contents(a));
      expect(b.person('per-0-0')).toMatchObject({ quarantine: HOME, phoneMasked: '138****1111' });
      expect(b.person('per-3-1')).toBeUndefined();
      expect(b.auditLog({ action: 'roster-change' })[0]?.detail).toMatchObject({ version: 2, full: false, households: 301 });
      // A base other than the gate's roster: the hub must send a snapshot; nothing changes.
      expect(swapRoster({ path: b.path, change: delta(3), version: 3, baseVersion: 1, actor: 'hub', now: NOW })).toMatchObject({ result: 'base-mismatch', version: 2, baseVersion: 1 });
      expect(contents(b)).toBe(contents(a));
    });

    it('carries over what the gate changed while the delta was staged, as if the gate had changed it first', async () => {
      const a = ledgerAt();
      const b = ledgerAt();
      for (const l of [a, b]) l.applyRoster(change(1, 3000), { version: 1, actor: 'hub' });
      gateChanges(a);
      a.applyRoster(delta(3000), { version: 10, actor: 'hub' });

      const other = new Database(b.path, { readonly: true });
      const offload = new DownlinkOffload();
      try {
        const payload = Buffer.from(JSON.stringify({ site: 's', version: 10, ...delta(3000) }));
        const result = offload.check('roster/delta', payload, 's', { path: b.path, now: NOW, actor: 'hub', gate: b.writerSignal?.().buffer });
        result.catch(() => {}); // awaited below; a failed check before it must not leave it unhandled
        const release = await holdMidStaging(b, other);
        // Rows already copied into the staging tables, changed by the gate before the swap.
        expect(b.rosterVersion()).toBe(1);
        gateChanges(b);
        expect((other.prepare('SELECT count(*) AS n FROM roster_dirty').get() as { n: number }).n).toBeGreaterThan(0);
        release();
        expect(await result).toMatchObject({ ok: true, swapped: { result: 'applied', version: 10 } });
        b.rosterReplaced?.();
        expect(contents(b)).toBe(contents(a));
        expect(b.person('per-0-0')).toMatchObject({ quarantine: HOME, phoneMasked: '138****1111' });
        expect(b.person('per-9-0')).toBeUndefined();
        expect(b.households({ text: '东村 7 号' })[0]).toMatchObject({ note: '门口有狗', address: '东村 7 号（新门牌）' });
        expect(b.cards({ includeRevoked: true }).find((c) => c.id === 'card-hh-2')).toMatchObject({ revokedReason: 'lost' });
        expect(other.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'roster_dirty%' OR name LIKE 'roster_next_%'").all()).toEqual([]);
      } finally {
        await offload.close();
        other.close();
      }
    }, 120_000);

    it('refuses a delta whose base the gate moved past while it was staged, and leaves nothing behind', async () => {
      const l = ledgerAt();
      l.applyRoster(change(1, 3000), { version: 1, actor: 'hub' });
      const other = new Database(l.path, { readonly: true });
      const offload = new DownlinkOffload();
      try {
        const payload = Buffer.from(JSON.stringify({ site: 's', version: 5, baseVersion: 1, ...delta(3000) }));
        const result = offload.check('roster/delta', payload, 's', { path: l.path, now: NOW, actor: 'hub', gate: l.writerSignal?.().buffer });
        result.catch(() => {}); // awaited below; a failed check before it must not leave it unhandled
        const release = await holdMidStaging(l, other);
        l.issueCard({ id: 'card-gate-1', type: 'visitor', householdId: 'hh-1' }, 'admin');
        const before = contents(l);
        release();
        expect(await result).toMatchObject({ ok: true, swapped: { result: 'base-mismatch', version: 2, baseVersion: 1 } });
        expect(contents(l)).toBe(before);
        expect(other.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'roster_dirty%' OR name LIKE 'roster_next_%' OR type = 'trigger'").all()).toEqual([]);
      } finally {
        await offload.close();
        other.close();
      }
    }, 120_000);

    it('the gate answers a large delta from the worker: applied, or refused on another base, and decides with it once read', async () => {
      let ready: () => void = () => {};
      const l = ledgerAt((what) => what === 'roster' && ready());
      l.applyRoster(change(1, 3000), { version: 1, actor: 'hub' });
      const answers: ResultData[] = [];
      const handler = new DownlinkHandler({ ledger: l, bus: new EventBus(), topics: topicTree({ root: 'checkpoint', site: 's', gate: 'g' }), site: 's', maxBytes: 8 << 20, logger: pino({ level: 'silent' }), answer: (r) => answers.push(r) });
      try {
        const send = (body: Record<string, unknown>) => handler.handle('checkpoint/v1/s/cmd/roster/delta', Buffer.from(JSON.stringify({ site: 's', ...body, ...delta(3000) })), false);
        const wrong = send({ version: 2, baseVersion: 0 });
        expect(wrong).toBeInstanceOf(Promise);
        expect(await wrong).toMatchObject({ result: 'rejected', reasons: [{ code: 'version.base-mismatch' }], currentVersion: 1 });
        const read = new Promise<void>((resolve) => {
          ready = resolve;
        });
        expect(await send({ version: 2, baseVersion: 1 })).toMatchObject({ result: 'applied', currentVersion: 2 });
        await read;
        expect(l.rosterView().household('hh-new')).toMatchObject({ address: '新建 1 号' });
        expect(l.rosterView().card('card-hh-5')).toBeUndefined();
        expect(answers.map((a) => a.result)).toEqual(['rejected', 'applied']);
      } finally {
        await handler.close();
      }
    }, 120_000);
  });
});
