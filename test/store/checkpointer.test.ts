
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { EventBus } from '../../src/kernel/bus.js';
import type { AppContext, AppEvents } from '../../src/app/context.js';
import { validateConfig } from '../../src/config/load.js';
import type { Ledger } from '../../src/store/api.js';
import { createCheckpointer } from '../../src/store/checkpointer.js';
import { createStoreFeature } from '../../src/store/feature.js';
import { openLedger } from '../../src/store/ledger.js';
import { openWalIndex, parseWalIndex, pendingFrames } from '../../src/store/wal-index.js';
import { passage } from '../../bench/passage-factory.js';
import { tempDir } from '../helpers/temp-dir.js';

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of opened.splice(0).reverse()) o.close();
});

function ledgerFile(): { ledger: Ledger; path: string } {
  const path = join(tempDir('checkpointer-'), 'gate.db');
  const ledger = openLedger({ path, clock: { now: () => Date.now(), synced: () => true }, gateId: 'g1', siteId: 's1', timeZone: 'Asia/Shanghai', synchronous: 'NORMAL' });
  opened.push(ledger);
  return { ledger, path };
}

/** Commits that add WAL frames (each audit row is a transaction of its own). */
function write(ledger: Ledger, n: number): void {
  for (let i = 0; i < n; i++) ledger.audit('test', 'settings-changed', { i, pad: 'x'.repeat(2000) });
}

/** A checkpointer started on a fresh ledger file, stopped after the test. */
function running(o: Omit<Parameters<typeof createCheckpointer>[0], 'ledger' | 'path'>) {
  const { ledger, path } = ledgerFile();
  const cp = createCheckpointer({ ledger, path, ...o });
  opened.push({ close: () => cp.stop() });
  cp.start();
  return { ledger, path, cp };
}

function pending(path: string): number {
  const wal = openWalIndex(path);
  try {
    const s = wal.read();
    if (!s) throw new Error('wal-index not readable');
    return pendingFrames(s);
  } finally {
    wal.close();
  }
}

describe('wal-index', () => {
  it('counts the frames a checkpoint has not copied yet, and none after one', () => {
    const { ledger, path } = ledgerFile();
    ledger.checkpoint();
    const before = pending(path);
    write(ledger, 30);
    const after = pending(path);
    expect(after).toBeGreaterThanOrEqual(before + 30);
    const r = ledger.checkpoint();
    expect(r.busy).toBe(false);
    expect(r.checkpointed).toBe(r.log);
    expect(pending(path)).toBe(0);
  });

  it('does not use a header it cannot trust', () => {
    const { ledger, path } = ledgerFile();
    write(ledger, 3);
    const wal = openWalIndex(path);
    opened.push(wal);
    expect(wal.read()).toBeDefined();
    const good = Buffer.alloc(100);
    good.writeUInt32LE(3007000, 0);
    good[12] = 1;
    good.writeUInt32LE(40, 16);
    good.copy(good, 48, 0, 48);
    good.writeUInt32LE(10, 96);
    expect(parseWalIndex(good, true)).toEqual({ mxFrame: 40, nBackfill: 10 });
    // The two header copies differ: a commit was half-way.
    const torn = Buffer.from(good);
    torn.writeUInt32LE(41, 16);
    expect(parseWalIndex(torn, true)).toBeUndefined();
    // Not a wal-index of this format, not initialised, too short, backfill past the end.
    const version = Buffer.from(good);
    version.writeUInt32LE(3007001, 0);
    version.writeUInt32LE(3007001, 48);
    expect(parseWalIndex(version, true)).toBeUndefined();
    const uninit = Buffer.from(good);
    uninit[12] = 0;
    uninit[60] = 0;
    expect(parseWalIndex(uninit, true)).toBeUndefined();
    expect(parseWalIndex(good.subarray(0, 60), true)).toBeUndefined();
    const past = Buffer.from(good);
    past.writeUInt32LE(41, 96);
    expect(parseWalIndex(past, true)).toBeUndefined();
  });
});

describe('checkpointer', () => {
  // Its quiet moments and polls on a fake clock: a loaded machine cannot stretch a gap between passages.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes over from SQLite: no checkpoint inside commits, one in the first quiet moment past the threshold', async () => {
    const { ledger, path, cp } = running({ threshold: 40, cap: 10_000, quietMs: 15, pollMs: 60_000 });
    ledger.checkpoint();
    // Far more than SQLite's own 1000 frames would allow: nothing is checkpointed inside the commits.
    for (let round = 0; round < 12; round++) {
      write(ledger, 100);
      cp.passage();
    }
    expect(pending(path)).toBeGreaterThan(1000);
    expect(cp.checkpoints).toBe(0);
    await vi.advanceTimersByTimeAsync(60);
    expect(cp.checkpoints).toBe(1);
    expect(pending(path)).toBe(0);
  });

  it('waits for quiet while passages keep coming, below the cap', async () => {
    const { ledger, path, cp } = running({ threshold: 20, cap: 100_000, quietMs: 40, pollMs: 60_000 });
    for (let i = 0; i < 8; i++) {
      write(ledger, 10);
      cp.passage();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(cp.checkpoints).toBe(0);
    expect(pending(path)).toBeGreaterThanOrEqual(80);
    await vi.advanceTimersByTimeAsync(80);
    expect(cp.checkpoints).toBe(1);
  });

  it('checkpoints at the cap even when no quiet moment comes (a queue at the gate)', () => {
    const { ledger, path } = ledgerFile();
    const cp = createCheckpointer({ ledger, path, threshold: 20, cap: 60, quietMs: 60_000, pollMs: 60_000 });
    opened.push({ close: () => cp.stop() });
    write(ledger, 1);
    ledger.checkpoint();
    write(ledger, 1); // restarts the WAL
    const f0 = pending(path);
    write(ledger, 10);
    const perWrite = Math.ceil((pending(path) - f0) / 10);
    ledger.checkpoint();
    cp.start();
    let most = 0;
    for (let i = 0; i < 200; i++) {
      write(ledger, 1);
      cp.passage();
      most = Math.max(most, pending(path));
    }
    expect(cp.checkpoints).toBeGreaterThan(0);
    // Looked at every 16 passages: the WAL never ran more than 16 passages' frames past the cap.
    expect(most).toBeLessThanOrEqual(60 + 16 * perWrite);
    expect(most).toBeLessThan(200 * perWrite);
  });

  it('a poll catches writes that are not passages (a roster import) once they stop', async () => {
    const { ledger, path, cp } = running({ threshold: 20, cap: 100_000, quietMs: 60_000, pollMs: 30 });
    write(ledger, 50);
    // The first poll sees the WAL move; the next one sees it still: quiet.
    await vi.advanceTimersByTimeAsync(150);
    expect(cp.checkpoints).toBe(1);
    expect(pending(path)).toBe(0);
  });

  it('does not retry a checkpoint a reader holds back until the WAL changes (a long export)', async () => {
    const { ledger, path, cp } = running({ threshold: 20, cap: 100_000, quietMs: 5, pollMs: 60_000 });
    write(ledger, 10);
    // Another connection reads the ledger and keeps its snapshot open (as an export does while it streams).
    const reader = new Database(path, { readonly: true });
    opened.push(reader);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM audit').get();
    write(ledger, 20);
    cp.passage();
    await vi.advanceTimersByTimeAsync(30);
    expect(cp.checkpoints).toBe(1);
    const held = pending(path);
    expect(held).toBeGreaterThanOrEqual(20);
    // Quiet again and again, nothing new: no attempt after attempt.
    for (let i = 0; i < 3; i++) {
      cp.passage();
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(cp.checkpoints).toBe(1);
    // The export ends and a passage comes: the next quiet moment copies everything.
    reader.exec('COMMIT');
    write(ledger, 1);
    cp.passage();
    await vi.advanceTimersByTimeAsync(30);
    expect(cp.checkpoints).toBe(2);
    expect(pending(path)).toBe(0);
  });

  it('hands checkpoints back to SQLite, and says so, when the wal-index cannot be read', () => {
    const { ledger, path } = ledgerFile();
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as import('pino').Logger;
    const calls: number[] = [];
    const spy = { setAutoCheckpoint: (n: number) => calls.push(n), checkpoint: () => ledger.checkpoint() };
    const cp = createCheckpointer({
      ledger: spy,
      path,
      logger,
      openIndex: () => {
        throw new Error('ENOENT: no such file');
      },
    });
    cp.start();
    expect(cp.handedBack).toBe(true);
    expect(calls).toEqual([1000]);
    expect(warnings.join('\n')).toMatch(/left to SQLite/);
    cp.stop();
  });

  it('turns SQLite\'s automatic checkpoint off while it runs and back on when it stops', () => {
    const { ledger, path } = ledgerFile();
    const calls: number[] = [];
    const cp = createCheckpointer({ ledger: { setAutoCheckpoint: (n) => calls.push(n), checkpoint: () => ledger.checkpoint() }, path });
    cp.start();
    expect(cp.handedBack).toBe(false);
    cp.stop();
    expect(calls).toEqual([0, 1000]);
  });

  it('runs in the daemon: the store feature starts it on its ledger file, each decided passage nudges it', async () => {
    const base = validateConfig({}).config;
    if (!base) throw new Error('the default configuration does not validate');
    const path = join(tempDir('checkpointer-'), 'gate.db');
    const config = { ...base, storage: { ...base.storage, path } };
    const bus = new EventBus<AppEvents>();
    const ctx: AppContext = { config, bus, logger: pino({ level: 'silent' }), clock: { now: () => Date.now(), mono: () => performance.now(), synced: () => true }, dataDir: '/tmp' };
    const store = createStoreFeature({ ctx });
    store.start();
    opened.push({ close: () => store.stop() });
    expect(store.checkpointer?.handedBack).toBe(false);
    write(store.ledger, 400); // past SQLite's 1000 frames, none copied inside a commit
    expect(pending(path)).toBeGreaterThan(1000);
    bus.emit('passage.decided', { passage: passage(1, Date.now()), seq: 1 });
    await vi.advanceTimersByTimeAsync(60);
    expect(store.checkpointer?.checkpoints).toBe(1);
    expect(pending(path)).toBe(0);
  });
});
