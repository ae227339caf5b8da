
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { createWalBarrier, sqliteSynchronous } from '../../src/store/wal-barrier.js';
import { tempDir } from '../helpers/temp-dir.js';

// The real syncs, counted: a barrier that called back without syncing would pass on counts of its own.
const synced = vi.hoisted(() => ({ inline: 0, pool: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fdatasyncSync: (fd: number) => {
      fs.fdatasyncSync(fd);
      synced.inline++;
    },
    fdatasync: (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      fs.fdatasync(fd, (err) => {
        synced.pool++;
        cb(err);
      });
    },
  };
});

function walDb() {
  const path = join(tempDir('wal-barrier-'), 'gate.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sqliteSynchronous('GROUP')}`);
  db.exec('CREATE TABLE t (n INTEGER)');
  return { db, path };
}

describe('WAL barrier (group commit)', () => {
  it('runs SQLite at NORMAL for GROUP and NORMAL, and FULL only for FULL', () => {
    expect([sqliteSynchronous('GROUP'), sqliteSynchronous('NORMAL'), sqliteSynchronous('FULL')]).toEqual(['NORMAL', 'NORMAL', 'FULL']);
  });

  it('calls back after a sync, and serves requests made during a sync with the next one', async () => {
    const { db, path } = walDb();
    const barrier = createWalBarrier(path);
    const order: string[] = [];
    db.prepare('INSERT INTO t VALUES (1)').run();
    barrier.request(() => order.push(`first after sync ${barrier.syncs}`));
    // Committed while the first sync runs: it needs a sync of its own, shared by all that wait.
    db.prepare('INSERT INTO t VALUES (2)').run();
    const shared = Array.from({ length: 50 }, (_, i) => new Promise<void>((resolve) => barrier.request(() => {
      if (i === 0) order.push(`waiting after sync ${barrier.syncs}`);
      resolve();
    })));
    await Promise.all(shared);
    expect(order).toEqual(['first after sync 1', 'waiting after sync 2']);
    expect(barrier.syncs).toBe(2);
    await barrier.close();
    db.close();
  });

  it('reports a WAL it cannot open instead of pretending the data is safe', async () => {
    const barrier = createWalBarrier(join(tmpdir(), 'no-such-dir-for-wal', 'gate.db'));
    const err = await new Promise<Error | undefined>((resolve) => barrier.request(resolve));
    expect(err?.message).toMatch(/Cannot open .*gate\.db-wal/);
    await barrier.close();
  });

  it('close waits for the sync in flight', async () => {
    const { db, path } = walDb();
    const barrier = createWalBarrier(path);
    let done = false;
    barrier.request(() => {
      done = true;
    });
    await barrier.close();
    expect(done).toBe(true);
    await expect(new Promise<Error | undefined>((resolve) => barrier.request(resolve))).resolves.toBeInstanceOf(Error);
    db.close();
  });

  it('syncs a lone request at once on the event loop, and queues it behind a sync that is running', async () => {
    const { db, path } = walDb();
    const barrier = createWalBarrier(path);
    db.prepare('INSERT INTO t VALUES (1)').run();
    const before = { ...synced };
    let inlineDone = false;
    barrier.request(() => {
      inlineDone = true;
    }, { inline: true });
    // Called back before request() returned: the WAL was fdatasynced on this thread first.
    expect(inlineDone).toBe(true);
    expect(barrier.syncs).toBe(1);
    expect(synced.inline - before.inline).toBe(1);
    expect(synced.pool - before.pool).toBe(0);
    // A pool sync is running: an inline request waits for the next sync like any other.
    const pooled = new Promise<void>((resolve) => barrier.request(() => resolve()));
    let queuedDone = false;
    const queued = new Promise<void>((resolve) => barrier.request(() => {
      queuedDone = true;
      resolve();
    }, { inline: true }));
    expect(queuedDone).toBe(false);
    await Promise.all([pooled, queued]);
    expect(barrier.syncs).toBe(3);
    expect(synced.pool - before.pool).toBe(2);
    expect(synced.inline - before.inline).toBe(1);
    await barrier.close();
    db.close();
  });

  it('reports an inline sync it cannot do', () => {
    const barrier = createWalBarrier(join(tmpdir(), 'no-such-dir-for-wal', 'gate.db'));
    let err: Error | undefined;
    barrier.request((e) => {
      err = e;
    }, { inline: true });
    expect(err?.message).toMatch(/Cannot open .*gate\.db-wal/);
  });
});
