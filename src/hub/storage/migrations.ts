// Versioned migrations, applied at start in one transaction (on PostgreSQL under an advisory lock,
// so workers starting together migrate once). A database newer than this code is refused.
import { type Kysely, sql } from 'kysely';
import { type HubTables, RECORD_TABLES, type RecordTable } from './tables.js';

export type Engine = 'sqlite' | 'postgres';

interface Migration {
  version: number;
  up(db: Kysely<HubTables>, engine: Engine): Promise<void>;
}

const EXTRA: Record<RecordTable, Array<[string, 'text']>> = {
  passages: [['passage_id', 'text'], ['lane', 'text'], ['direction', 'text'], ['outcome', 'text'], ['subject_kind', 'text']],
  alerts: [['alert_id', 'text'], ['kind', 'text'], ['severity', 'text'], ['lane', 'text']],
  daily_reports: [['day', 'text']],
  visitor_events: [['type', 'text']],
  corrections: [['type', 'text']],
  quarantine_changes: [['type', 'text']],
  device_events: [['type', 'text']],
  downlink_results: [['type', 'text']],
};

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    async up(db, engine) {
      const id = engine === 'postgres' ? 'bigserial' : 'integer';
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema.createTable('hub_meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.schema
        .createTable('histories')
        .addColumn('id', id, (c) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('ledger', 'text', (c) => c.notNull())
        .addColumn('first_seen', ms, (c) => c.notNull())
        .addColumn('last_seen', ms, (c) => c.notNull())
        .addColumn('held', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('gone', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('highest_reported', ms, (c) => c.notNull().defaultTo(0))
        .addColumn('state', 'text')
        .addColumn('counts', 'text')
        .addUniqueConstraint('histories_key', ['site', 'gate', 'ledger'])
        .execute();
      for (const table of RECORD_TABLES) {
        let t = db.schema
          .createTable(table)
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('gate', 'text', (c) => c.notNull())
          .addColumn('history', ms, (c) => c.notNull())
          .addColumn('seq', ms, (c) => c.notNull())
          .addColumn('at', ms, (c) => c.notNull())
          .addColumn('clock_synced', 'integer', (c) => c.notNull())
          .addColumn('received_at', ms, (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull());
        for (const [name, type] of EXTRA[table]) t = t.addColumn(name, type);
        await t.addPrimaryKeyConstraint(`${table}_pkey`, ['site', 'gate', 'history', 'seq']).execute();
        await db.schema.createIndex(`${table}_at`).on(table).columns(['at']).execute();
      }
      await db.schema.createIndex('passages_gate_at').on('passages').columns(['site', 'gate', 'at']).execute();
      await db.schema
        .createTable('rejects')
        .addColumn('id', id, (c) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('received_at', ms, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('site', 'text')
        .addColumn('gate', 'text')
        .addColumn('seq', ms)
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('excerpt', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  {
    // The office (part 2): accounts, sessions, the audit log, what the office did with each alert.
    version: 2,
    async up(db, engine) {
      const id = engine === 'postgres' ? 'bigserial' : 'integer';
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      const pk = (c: Parameters<Parameters<ReturnType<typeof db.schema.createTable>['addColumn']>[2] & object>[0]) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
      await db.schema
        .createTable('office_users')
        .addColumn('id', id, pk)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('display', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('office_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', ms, (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('last_seen', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', id, pk)
        .addColumn('at', ms, (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
      await db.schema
        .createTable('alert_actions')
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('history', ms, (c) => c.notNull())
        .addColumn('seq', ms, (c) => c.notNull())
        .addColumn('acked_by', 'text')
        .addColumn('acked_at', ms)
        .addColumn('note', 'text')
        .addColumn('assigned_to', 'text')
        .addColumn('closed_by', 'text')
        .addColumn('closed_at', ms)
        .addColumn('outcome', 'text')
        .addColumn('escalated_at', ms)
        .addPrimaryKeyConstraint('alert_actions_pkey', ['site', 'gate', 'history', 'seq'])
        .execute();
      await db.schema.createIndex('alerts_severity_at').on('alerts').columns(['severity', 'at']).execute();
    },
  },
  {
    // The office's word to the gates: each versioned update sent, and each gate's answer.
    version: 3,
    async up(db, engine) {
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('downlinks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', ms, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('gates', 'text', (c) => c.notNull())
        .addColumn('sent_by', 'text', (c) => c.notNull())
        .addColumn('sent_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('downlinks_site_kind').on('downlinks').columns(['site', 'kind', 'version']).execute();
      await db.schema
        .createTable('downlink_answers')
        .addColumn('downlink_id', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('downlink_answers_pkey', ['downlink_id', 'gate'])
        .execute();
    },
  },
  {
    // The daily report across compounds (issue 21): the reports of a day found by their day, not by a
    // scan; the office's epidemic-free days per compound and the cases that reset them (seed 004).
    version: 4,
    async up(db, engine) {
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema.createIndex('daily_reports_day').on('daily_reports').columns(['day', 'site', 'gate', 'received_at']).execute();
      await db.schema
        .createTable('free_days')
        .addColumn('site', 'text', (c) => c.primaryKey())
        .addColumn('since', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addColumn('set_at', ms, (c) => c.notNull())
        .addColumn('note', 'text')
        .execute();
      await db.schema
        .createTable('compound_cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('found_day', 'text', (c) => c.notNull())
        .addColumn('left_day', 'text')
        .addColumn('note', 'text')
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('recorded_at', ms, (c) => c.notNull())
        .addColumn('voided_by', 'text')
        .addColumn('voided_at', ms)
        .execute();
      await db.schema.createIndex('compound_cases_site').on('compound_cases').columns(['site', 'found_day']).execute();
      // The office's open and unacknowledged alerts (the overview, the feed, the alarm, escalation) by
      // partial indexes, instead of an anti-join over every alert of the year: office_state 0 not
      // acknowledged, 1 acknowledged, 2 closed (kept by the alert desk with alert_actions).
      await db.schema.alterTable('alerts').addColumn('office_state', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`UPDATE alerts SET office_state = CASE WHEN x.closed_at IS NOT NULL THEN 2 ELSE 1 END FROM alert_actions x WHERE x.site = alerts.site AND x.gate = alerts.gate AND x.history = alerts.history AND x.seq = alerts.seq AND x.acked_at IS NOT NULL`.execute(db);
      await db.schema.createIndex('alerts_open').on('alerts').columns(['severity', 'at']).where(sql.ref('office_state'), '<', 2).execute();
      await db.schema.createIndex('alerts_open_gate').on('alerts').columns(['site', 'gate']).where(sql.ref('office_state'), '<', 2).execute();
      await db.schema.createIndex('alerts_unacked').on('alerts').columns(['severity', 'site', 'gate', 'received_at']).where(sql.ref('office_state'), '=', 0).execute();
      await db.schema.createIndex('alert_actions_closed').on('alert_actions').columns(['closed_at']).execute();
    },
  },
  {
    // The office's resends of an update to a gate that has not answered it (the history shows them).
    version: 5,
    async up(db, engine) {
      const ms = engine === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('downlink_resends')
        .addColumn('downlink_id', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('last_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('downlink_resends_pkey', ['downlink_id', 'gate'])
        .execute();
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

async function currentVersion(db: Kysely<HubTables>): Promise<number> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'hub_meta')) return 0;
  const row = await db.selectFrom('hub_meta').select('value').where('key', '=', 'schema_version').executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/** Brings the database to SCHEMA_VERSION; refuses one written by a newer hub. Returns the version found. */
export async function migrate(db: Kysely<HubTables>, engine: Engine, target = SCHEMA_VERSION): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(2020112001)`.execute(trx);
    const found = await currentVersion(trx);
    if (found > SCHEMA_VERSION) {
      throw new Error(`The hub database is at schema version ${found}, newer than this hub knows (${SCHEMA_VERSION}): it was written by a newer hub. Run that version, or restore a backup made for this one; nothing was changed.`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= found || m.version > target) continue;
      await m.up(trx, engine);
      await trx.insertInto('hub_meta').values({ key: 'schema_version', value: String(m.version) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: String(m.version) })).execute();
    }
    return found;
  });
}
