// A full disk under a running gate: the ledger refuses writes (SQLITE_FULL), raises one 'disk-full'
// alert, shows the state in health(); the gate runtime keeps deciding (the door still moves) and
// holds the decisions in memory; once space is back every held decision is committed in order.
// The disk is a real 8 MiB tmpfs (the tests run as root, as CI does). Where mounting is refused,
// the same test runs against a database size cap (PRAGMA max_page_count), which fails the same way.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { type GateCoreLike, GateRuntime } from '../../src/runtime/gate-runtime.js';
import { validateConfig } from '../../src/config/load.js';
import type { GateOutput } from '../../src/gate/contract.js';
import type { Alert } from '../../src/gate/model.js';
import type { Ledger } from '../../src/store/api.js';
import { openLedger } from '../../src/store/ledger.js';
import { passage } from '../../bench/passage-factory.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'ledger-full-'));
let mounted = false;
try {
  if (process.env.FULL_DISK_SIMULATE === '1') throw new Error('FULL_DISK_SIMULATE=1');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
  mounted = true;
} catch (err) {
  console.warn(`full-disk test: cannot mount a tmpfs (${(err as Error).message.split('\n')[0]}); simulating the full disk with PRAGMA max_page_count`);
}
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the file system with a filler file until ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 0x55);
  try {
    for (let i = 0; i < 100_000; i++) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a full disk', () => {
  it(`raises an alert, keeps the gate deciding, loses nothing (${mounted ? '8 MiB tmpfs' : 'max_page_count cap'})`, { timeout: 30_000 }, async () => {
    const path = join(dir, 'gate.db');
    const filler = join(dir, 'filler');
    let now = Date.UTC(2026, 10, 23, 2);
    const alerts: Alert[] = [];
    const ledger: Ledger = openLedger({
      path,
      clock: { now: () => now, synced: () => true },
      gateId: 'g1',
      siteId: 's1',
      timeZone: 'Asia/Shanghai',
      retentionDays: 30,
      minFreeBytes: 0,
      ...(mounted ? {} : { maxBytes: 1_500_000 }),
      onAlert: (a) => alerts.push(a),
    });
    // Forty-day-old passages: what the retention purge frees when there is no other space to free.
    for (let i = 0; i < 100; i++) ledger.recordPassage(passage(1_000_000 + i, now - 40 * DAY));
    ledger.outboxAck(ledger.outboxBatch(10_000).map((r) => r.seq));

    const bus = new EventBus<AppEvents>();
    const ctx: AppContext = {
      config: validateConfig({}).config!,
      bus,
      logger: pino({ level: 'silent' }),
      dataDir: dir,
      clock: { now: () => now, mono: () => performance.now(), synced: () => true },
    };
    let n = 0;
    const core: GateCoreLike = {
      handle: (input) => (input.type === 'scan' ? ([{ type: 'decided', passage: passage(++n, now, { actions: [{ kind: 'relay', lane: 'lane-1', pulseMs: 3000 }] }) }] as GateOutput[]) : []),
      nextDeadline: () => undefined,
      lanes: () => [],
    };
    const doorMoves: string[] = [];
    const rt = new GateRuntime({ ctx, core, ledger, door: (lane) => doorMoves.push(lane), lanes: [{ id: 'lane-1', name: '主通道', direction: 'both' }], devices: () => [], sync: () => ({ enabled: false, connected: false, outboxDepth: 0 }), retryMs: 50 });
    const announced: string[] = [];
    const raised: Alert[] = [];
    bus.on('passage.decided', ({ passage: p }) => announced.push(p.id));
    rt.start();
    try {
      if (mounted) fillDisk(filler);
      const scan = () => {
        now += 1000;
        bus.emit('device.input', { type: 'scan', lane: 'lane-1', text: 'GP1.x.y' });
      };
      // Decide until the disk refuses a passage, then twenty more while it is full.
      for (let i = 0; i < 20_000 && rt.pendingCount() === 0; i++) scan();
      expect(rt.pendingCount(), 'the disk never filled up').toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) scan();
      expect(doorMoves).toHaveLength(n);
      expect(rt.pendingCount()).toBe(21);
      expect(announced).toHaveLength(n - 21);

      const h = ledger.health();
      expect(h.writable).toBe(false);
      expect(h.lastWriteError).toMatch(/SQLITE_FULL/);
      expect(h.failingSince).toBeTypeOf('number');
      expect(() => ledger.recordPassage(passage(9_999_999, now))).toThrow(/disk holding the ledger .* is full.*gate keeps deciding/);
      // One alert per episode, to the kiosk and the bus, although the disk could not store it yet.
      for (const a of alerts) raised.push(a);
      expect(raised.map((a) => a.kind)).toEqual(['disk-full']);
      expect(ledger.checkLimits().writable).toBe(false);
      expect(alerts).toHaveLength(1);
      // The operator still reads the ledger.
      expect(ledger.passages({ limit: 5 })).toHaveLength(5);
      expect(ledger.todayCounts(now).entries + ledger.todayCounts(now).exits + ledger.todayCounts(now).refusals).toBe(n - 21);

      // Space comes back: the runtime's retry commits every held decision, in order.
      if (mounted) rmSync(filler);
      else ledger.purge(now);
      await until(() => rt.pendingCount() === 0, 10_000, 'the held decisions to be committed');
      expect(announced).toHaveLength(n);
      expect(announced).toEqual(Array.from({ length: n }, (_, i) => passage(i + 1, 0).id));
      expect(ledger.health().writable).toBe(true);
      expect(ledger.health().lastWriteError).toBeUndefined();
      // The alert the full disk refused is in the ledger now.
      expect(ledger.alerts({ kind: 'disk-full' }).map((r) => r.alert.id)).toEqual([raised[0]?.id]);
    } finally {
      rt.stop();
      ledger.close();
    }
    const check = new Database(path, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      const seqs = check.prepare<[], { seq: number }>("SELECT seq FROM passages WHERE id < 'p-01000000' ORDER BY id").all().map((r) => r.seq);
      expect(seqs).toHaveLength(n);
      for (let k = 1; k < seqs.length; k++) expect(seqs[k] as number).toBeGreaterThan(seqs[k - 1] as number);
    } finally {
      check.close();
    }
  });

  it('an idle gate leaves the episode at the next housekeeping check once space is back', { timeout: 30_000 }, () => {
    const path = join(dir, 'idle.db');
    const filler = join(dir, 'filler-idle');
    let now = Date.UTC(2026, 10, 23, 2);
    const alerts: Alert[] = [];
    const ledger = openLedger({
      path,
      clock: { now: () => now, synced: () => true },
      gateId: 'g1',
      siteId: 's1',
      timeZone: 'UTC',
      minFreeBytes: 0,
      ...(mounted ? {} : { maxBytes: 600_000 }),
      onAlert: (a) => alerts.push(a),
    });
    try {
      for (let i = 0; i < 150; i++) ledger.recordPassage(passage(2_000_000 + i, now - 40 * DAY));
      if (mounted) fillDisk(filler);
      let refused = 0;
      for (let i = 1; i <= 20_000 && refused === 0; i++) {
        now += 1000;
        try {
          ledger.recordPassage(passage(i, now));
        } catch (err) {
          expect((err as Error & { code?: string }).code).toBe('SQLITE_FULL');
          refused = i;
        }
      }
      expect(refused, 'the disk never filled up').toBeGreaterThan(0);
      expect(ledger.checkLimits().writable).toBe(false);
      if (mounted) rmSync(filler);
      else ledger.purge(now);
      // No passage: the housekeeping probe alone finds the disk writable again.
      const h = ledger.checkLimits();
      expect(h.writable).toBe(true);
      expect(alerts.map((a) => a.kind)).toEqual(['disk-full']);
      expect(ledger.alerts({ kind: 'disk-full' })).toHaveLength(1);
      expect(ledger.passage(passage(refused, 0).id)).toBeUndefined();
      expect(ledger.integrityCheck()).toBe('ok');
    } finally {
      ledger.close();
    }
  });
});
