import { Section, type Static, Type } from '../config/typebox.js';

export const StorageSchema = Section({
  path: Type.String({ default: './var/gate.db', minLength: 1, description: 'SQLite database file (the data directory must be writable)' }),
  retentionDays: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'Personal data older than this is purged daily; aggregates are kept' }),
  dailyReportAt: Type.String({ default: '20:00', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local time of the daily report (日报)' }),
  outboxCap: Type.Integer({
    default: 500000,
    minimum: 1000,
    description: 'Outbox rows before the "outbox full" alarm; nothing is dropped at the cap, the ledger keeps every row and alarms (docs/storage.md)',
  }),
  minFreeBytes: Type.Integer({ default: 50_000_000, minimum: 0, description: 'Below this free space a disk-full alert is raised' }),
  synchronous: Type.Union([Type.Literal('GROUP'), Type.Literal('FULL'), Type.Literal('NORMAL')], {
    default: 'GROUP',
    description:
      'Durability in WAL mode. GROUP: SQLite NORMAL; the door moves once a decision is committed, and the gate fdatasyncs the WAL before the decision shows on screen or goes to the hub, one sync for all decisions waiting (group commit) — power-cut safe and fast. FULL: SQLite syncs inside every commit. NORMAL: may lose the last commits on a power cut (docs/storage.md)',
  }),
  uplinkNames: Type.Boolean({ default: false, description: 'Send subject names to the hub in passage and alert messages (default: ids only)' }),
  epidemicFreeSince: Type.Optional(
    Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First day (YYYY-MM-DD) of the epidemic-free-days count (无疫情天数); default: the day the ledger was created' }),
  ),
  checkIntervalSeconds: Type.Integer({ default: 60, minimum: 5, maximum: 3600, description: 'How often free disk space, the outbox cap, the daily report and the purge are checked' }),
});
export type StorageConfig = Static<typeof StorageSchema>;
