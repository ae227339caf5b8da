
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
    synced.pool = 0;
    synced.inline = 0;
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
    // Two real fdatasync calls, both on the thread pool (the event loop never waits for the disk).
    expect(synced.pool).toBe(2);
    expect(synced.inline).toBe(0);
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
});
