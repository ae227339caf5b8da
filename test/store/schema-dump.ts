import type { Database } from 'better-sqlite3';

/** The schema as text, for comparing with test/fixtures/store/schema-v*.sql. */
export function dumpSchema(db: Database): string {
  const rows = db
    .prepare<[], { type: string; name: string; sql: string }>("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all();
  return `${rows.map((r) => `${r.sql.replace(/\s+/g, ' ').trim()};`).join('\n')}\n`;
}
