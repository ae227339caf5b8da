// The daemon and an operator command on the same ledger file (WAL lets both in): what the command
// commits, the daemon sees at its next housekeeping check (PRAGMA data_version), not before.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { importRoster } from '../../src/store/roster-import.js';
import { passage } from '../../bench/passage-factory.js';

const dir = mkdtempSync(join(tmpdir(), 'ledger-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 10, 23, 2);
const clock = { now: () => T0, synced: () => true };

describe('a ledger file shared by the daemon and a command', () => {
  it('the daemon reloads roster, policy and outbox depth after another process committed', async () => {
    const path = join(dir, 'gate.db');
    const changes: string[] = [];
    const daemon = openLedger({ path, clock, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai', onChange: (w) => changes.push(w) });
    daemon.recordPassage(passage(1, T0));
    // Its own commits are not "changed by another process".
    expect(daemon.reloadIfChanged()).toBe(false);
    const command = openLedger({ path, clock, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai' });
    // Opening may refresh the planner statistics (a commit of its own): absorb it.
    daemon.reloadIfChanged();
    try {
      const before = daemon.rosterView();
      expect(before.card('card-0001')).toBeUndefined();

      const report = await importRoster(command, readFileSync(new URL('../fixtures/roster/roster-utf8.csv', import.meta.url)), 'roster.csv', { timeZone: 'Asia/Shanghai', now: T0 });
      expect(report.imported).toBe(true);
      command.applyPolicy('zone-level', 1, 'controlled', 'admin');
      command.queueDailyReport('2026-11-23', 'cli');

      // Until the check, the daemon decides with what it had.
      expect(daemon.rosterView().card('card-0001')).toBeUndefined();
      expect(daemon.outboxDepth()).toBe(1);
      changes.length = 0;
      expect(daemon.reloadIfChanged()).toBe(true);
      expect(changes).toContain('policy');
      // The roster is read back a page per turn of the event loop, then 'roster' changes.
      await vi.waitUntil(() => changes.includes('roster'), { timeout: 10_000, interval: 5 });
      expect(daemon.rosterView().card('card-0001')?.householdId).toBe('A-001');
      expect(daemon.policy().zoneLevel).toBe('controlled');
      expect(daemon.outboxDepth()).toBe(2);
      expect(daemon.reloadIfChanged()).toBe(false);
      // Both write; the outbox sequence stays one sequence.
      const { seq } = daemon.recordPassage(passage(2, T0 + 1000));
      expect(daemon.outboxBatch(10).map((r) => r.seq)).toEqual([2, 1, seq]);
      expect(seq).toBe(3);
    } finally {
      command.close();
      daemon.close();
    }
  });
});
