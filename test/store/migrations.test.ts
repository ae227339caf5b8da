import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/ledger.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersion } from '../../src/store/migrations.js';
import { passage } from '../../bench/passage-factory.js';
import { dumpSchema } from './schema-dump.js';

const dir = mkdtempSync(join(tmpdir(), 'ledger-mig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = { now: () => Date.UTC(2026, 10, 23, 4), synced: () => true };
const fixture = (v: number) => readFileSync(new URL(`../fixtures/store/schema-v${v}.sql`, import.meta.url), 'utf8');

/** Data as a gate at schema version 1 would have written it. */
function seedV1(db: Database.Database): void {
  db.prepare("INSERT INTO outbox (kind, priority, payload, created_at, clock_synced) VALUES ('passage', 10, '{}', 1, 1)").run();
  const p = passage(1, clock.now());
  db.prepare(
    `INSERT INTO passages (seq, id, lane, direction, subject_id, name, id_tail, outcome, reasons, decided_at, recorded_at, clock_synced, data)
     VALUES (1, ?, 'lane-1', 'out', ?, ?, ?, 'admitted', 'ok', ?, ?, 1, ?)`,
  ).run(p.id, p.subject?.id, p.subject?.name, p.subject?.idTail, p.decidedAt, p.decidedAt, JSON.stringify(p));
  db.prepare("INSERT INTO households (id, address, updated_at) VALUES ('hh-1', '东村1号', 1)").run();
  db.prepare("INSERT INTO persons (id, household_id, name, id_number, id_tail, updated_at) VALUES ('per-1', 'hh-1', '王建国', '330102195603120018', '0018', 1)").run();
  db.prepare("INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES ('admin', 'A', 'admin', 'x', 1)").run();
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it.each(MIGRATIONS.map((m) => m.version))('version %i still produces its recorded schema (released migrations are never edited)', (v) => {
    const db = new Database(':memory:');
    migrate(db, v);
    expect(schemaVersion(db)).toBe(v);
    expect(dumpSchema(db)).toBe(fixture(v));
  });

  it.each(MIGRATIONS.map((m) => m.version).filter((v) => v < SCHEMA_VERSION))('a database at version %i migrates to the latest and keeps its data', (v) => {
    const file = join(dir, `v${v}.db`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, 1);
    seedV1(db);
    migrate(db, v);
    db.close();

    const ledger = openLedger({ path: file, clock, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai' });
    expect(ledger.health().schemaVersion).toBe(SCHEMA_VERSION);
    expect(ledger.passage('p-00000001')?.passage.subject?.name).toBe(passage(1, 0).subject?.name);
    expect(ledger.passage('p-00000001')?.seq).toBe(1);
    expect(ledger.person('per-1')?.idNumberMasked).toBe('3301**********0018');
    expect(ledger.rosterView().personByIdNumber('330102195603120018')?.id).toBe('per-1');
    // New rows continue the old sequence: never reused.
    expect(ledger.recordPassage(passage(2, clock.now())).seq).toBe(2);
    expect(ledger.integrityCheck()).toBe('ok');
    ledger.close();
    const after = new Database(file, { readonly: true });
    expect(dumpSchema(after)).toBe(fixture(SCHEMA_VERSION));
    after.close();
  });

  it('version 4 lets the refusals and overrides lists use an index instead of scanning a year', () => {
    const file = join(dir, 'plan.db');
    const ledger = openLedger({ path: file, clock, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai' });
    for (let i = 1; i <= 300; i++) ledger.recordPassage(passage(i, clock.now() + i));
    expect(ledger.passages({ outcome: 'refused', limit: 100 }).map((r) => r.passage.id)).toEqual(
      Array.from({ length: 300 }, (_, k) => 300 - k)
        .filter((i) => i % 17 === 0 || i % 97 === 0)
        .map((i) => passage(i, 0).id),
    );
    expect(ledger.passages({ outcome: 'overridden' })).toEqual([]);
    ledger.close();
    const db = new Database(file, { readonly: true });
    // The form passages.ts emits for an outcome filter without 'admitted'.
    const plan = db
      .prepare<[string], { detail: string }>("EXPLAIN QUERY PLAN SELECT seq FROM passages WHERE outcome IN (?) AND outcome <> 'admitted' ORDER BY seq DESC LIMIT 100")
      .all('refused')
      .map((r) => r.detail);
    db.close();
    expect(plan.join('; ')).toMatch(/USING (COVERING )?INDEX passages_not_admitted/);
    expect(plan.join('; ')).not.toMatch(/TEMP B-TREE/);
  });

  it('version 5 finds one person\'s refusals from a partial index, without reading their admitted passages', () => {
    const file = join(dir, 'plan5.db');
    const ledger = openLedger({ path: file, clock, gateId: 'g', siteId: 's', timeZone: 'Asia/Shanghai' });
    // Refused at every multiple of 17 (passage-factory); a name is shared by five people, a card is one person's.
    for (let i = 1; i <= 2000; i++) ledger.recordPassage(passage(i, clock.now() + i));
    const who = passage(17, 0).subject;
    const refusals = ledger.passages({ text: who?.name ?? '', outcome: 'refused', limit: 100 });
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((r) => r.passage.outcome === 'refused' && r.passage.subject?.name === who?.name)).toBe(true);
    const byCard = ledger.passages({ text: who?.id ?? '', outcome: 'refused', limit: 100 });
    expect(byCard.length).toBeGreaterThan(0);
    expect(byCard.every((r) => r.passage.outcome === 'refused' && r.passage.subject?.id === who?.id)).toBe(true);
    expect(byCard.every((r) => refusals.some((n) => n.seq === r.seq))).toBe(true);
    ledger.close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string, v: string) => db.prepare<[string, string], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(v, 'refused').map((r) => r.detail).join('; ');
    // The forms passages.ts emits for a search with an outcome filter without 'admitted'.
    expect(plan("SELECT seq FROM passages INDEXED BY passages_name_not_admitted WHERE name = ? AND outcome IN (?) AND outcome <> 'admitted' ORDER BY seq DESC LIMIT 100", who?.name ?? '')).toMatch(/INDEX passages_name_not_admitted \(name=\?\)/);
    expect(plan("SELECT seq FROM passages INDEXED BY passages_subject_not_admitted WHERE subject_id = ? AND outcome IN (?) AND outcome <> 'admitted' ORDER BY seq DESC LIMIT 100", who?.id ?? '')).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('refuses a database from a newer program', () => {
    const file = join(dir, 'future.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openLedger({ path: file, clock, gateId: 'g', siteId: 's' })).toThrow(/newer version of the gate software/);
  });

  it('a file that is not a ledger gets a clear error and is left as it was', () => {
    const file = join(dir, 'garbage.db');
    const bytes = Buffer.alloc(8192, 0x5a);
    writeFileSync(file, bytes);
    expect(() => openLedger({ path: file, clock, gateId: 'g', siteId: 's' })).toThrow(/is not a SQLite database or is damaged \(SQLITE_NOTADB\): move it aside/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('opens in WAL with synchronous FULL and incremental auto-vacuum', () => {
    const file = join(dir, 'pragmas.db');
    openLedger({ path: file, clock, gateId: 'g', siteId: 's' }).close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });
});
