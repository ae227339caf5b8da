// Worker thread of the declaration page (SQLite hub storage): commits the page's rows on a connection
// of its own, so the disk sync of each commit does not hold up the page's event loop while phones keep
// sending (storage.ts batches what arrives meanwhile into the next commit).
import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import type { AuditRow, DeclarationRow } from './storage.js';

interface Request {
  id: number;
  file: string;
  declarations: DeclarationRow[];
  audits: AuditRow[];
}

let db: Database.Database | undefined;
let write: ((m: Request) => void) | undefined;

function open(file: string): (m: Request) => void {
  const d = new Database(file);
  d.pragma('busy_timeout = 5000');
  d.pragma('journal_mode = WAL');
  d.pragma('synchronous = FULL');
  db = d;
  const decl = d.prepare('INSERT INTO declarations (id, site, kind, created_at, expires_at, members) VALUES (@id, @site, @kind, @created_at, @expires_at, @members)');
  const audit = d.prepare('INSERT INTO declaration_audit (at, action, declaration, client) VALUES (@at, @action, @declaration, @client)');
  return d.transaction((m: Request) => {
    for (const r of m.declarations) decl.run(r);
    for (const r of m.audits) audit.run(r);
  });
}

parentPort?.on('message', (m: Request) => {
  try {
    write ??= open(m.file);
    write(m);
    parentPort?.postMessage({ id: m.id });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: (err as Error).message });
  }
});
parentPort?.on('close', () => db?.close());
