// Forward-only, versioned schema migrations. A released migration is never edited: add a new one.
// PRAGMA user_version holds the version; each migration runs in its own transaction.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger core: passages, outbox, roster, visitors, alerts, operators, audit, policy',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  priority INTEGER NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  clock_synced INTEGER NOT NULL
);
CREATE INDEX outbox_order ON outbox (priority, seq);
CREATE TABLE passages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  lane TEXT NOT NULL,
  direction TEXT NOT NULL,
  subject_kind TEXT,
  subject_id TEXT,
  household_id TEXT,
  person_id TEXT,
  name TEXT,
  id_tail TEXT,
  plate TEXT,
  outcome TEXT NOT NULL,
  reasons TEXT NOT NULL,
  colour TEXT,
  mask INTEGER,
  celsius REAL,
  operator_id TEXT,
  override_reason TEXT,
  decided_at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  clock_synced INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX passages_decided ON passages (decided_at);
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  lane TEXT,
  passage_id TEXT,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  ack_at INTEGER,
  ack_by TEXT
);
CREATE INDEX alerts_at ON alerts (at);
CREATE TABLE households (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  grid TEXT,
  registered_residents INTEGER,
  actual_residents INTEGER,
  note TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE persons (
  id TEXT PRIMARY KEY,
  household_id TEXT NOT NULL,
  name TEXT NOT NULL,
  id_number TEXT,
  id_tail TEXT,
  phone TEXT,
  resident INTEGER NOT NULL DEFAULT 1,
  categories TEXT NOT NULL DEFAULT '[]',
  quarantine_kind TEXT,
  quarantine_until INTEGER,
  health_colour TEXT,
  health_at INTEGER,
  last_test_at INTEGER,
  vaccinated INTEGER,
  risk_area TEXT,
  risk_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX persons_household ON persons (household_id);
CREATE UNIQUE INDEX persons_id_number ON persons (id_number) WHERE id_number IS NOT NULL;
CREATE TABLE cards (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  person_id TEXT,
  household_id TEXT,
  plate TEXT,
  validity TEXT,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  revoked_reason TEXT,
  issued_by TEXT
);
CREATE TABLE vehicle_permits (
  id TEXT PRIMARY KEY,
  plate TEXT NOT NULL,
  household_id TEXT,
  valid_from INTEGER,
  valid_to INTEGER,
  revoked_at INTEGER
);
CREATE TABLE visitors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  id_number TEXT,
  id_tail TEXT,
  phone TEXT,
  origin TEXT,
  travel TEXT NOT NULL DEFAULT '[]',
  host_household_id TEXT,
  reason TEXT,
  escort TEXT,
  plate TEXT,
  validity TEXT,
  last_test_at INTEGER,
  vaccinated INTEGER,
  temperature REAL,
  registered_at INTEGER NOT NULL,
  registered_by TEXT,
  signed_out_at INTEGER,
  signed_out_by TEXT
);
CREATE INDEX visitors_inside ON visitors (registered_at) WHERE signed_out_at IS NULL;
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  pin_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
CREATE TABLE duty (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  operator_id TEXT NOT NULL,
  signed_in_at INTEGER NOT NULL,
  signed_out_at INTEGER,
  note TEXT
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
CREATE TABLE policy (
  kind TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  payload TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'aggregates that survive the purge, presence for anti-passback',
    sql: `
CREATE TABLE daily_counts (
  day TEXT PRIMARY KEY,
  entries INTEGER NOT NULL DEFAULT 0,
  exits INTEGER NOT NULL DEFAULT 0,
  refusals INTEGER NOT NULL DEFAULT 0,
  overrides INTEGER NOT NULL DEFAULT 0,
  abandoned INTEGER NOT NULL DEFAULT 0,
  visitors INTEGER NOT NULL DEFAULT 0,
  fever_alerts INTEGER NOT NULL DEFAULT 0,
  notable_alerts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE daily_reasons (
  day TEXT NOT NULL,
  code TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, code)
) WITHOUT ROWID;
CREATE TABLE presence (
  subject_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  household_id TEXT,
  direction TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE household_outings (household_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
`,
  },
  {
    version: 3,
    name: 'case events for the epidemic-free-days counter; kiosk search indexes',
    sql: `
CREATE TABLE cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  found_day TEXT NOT NULL,
  left_day TEXT,
  note TEXT,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX passages_subject ON passages (subject_id, seq);
CREATE INDEX passages_name ON passages (name, seq);
CREATE INDEX passages_tail ON passages (id_tail, seq);
CREATE INDEX passages_plate ON passages (plate, seq) WHERE plate IS NOT NULL;
CREATE INDEX alerts_unacked ON alerts (at) WHERE ack_at IS NULL;
CREATE INDEX visitors_registered ON visitors (registered_at);
CREATE INDEX duty_in ON duty (signed_in_at);
`,
  },
  {
    version: 4,
    name: 'index for the kiosk refusals and overrides lists (outcome filter) at a year of passages',
    // Partial: admitted passages, the great majority, add no index entry to their commit.
    // Queries filtering by outcome add "outcome <> 'admitted'" so SQLite may use it.
    sql: `
CREATE INDEX passages_not_admitted ON passages (outcome, seq) WHERE outcome <> 'admitted';
`,
  },
  {
    version: 5,
    name: 'refusals of one person or card without reading all their passages',
    // A search by name or card with an outcome filter ("this person's refusals") read every passage
    // of that name to check its outcome: 90–120 ms for a common name at a year of passages. Partial,
    // like version 4: admitted passages add nothing to their commit.
    sql: `
CREATE INDEX passages_name_not_admitted ON passages (name, seq) WHERE outcome <> 'admitted';
CREATE INDEX passages_subject_not_admitted ON passages (subject_id, seq) WHERE outcome <> 'admitted';
`,
  },
  {
    version: 6,
    name: 'the practice at the gate: fever handling (held, not sent away), no-contact deliveries',
    sql: `
CREATE TABLE fever_cases (
  passage_id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  lane TEXT,
  called TEXT,
  called_at INTEGER,
  handed_to TEXT,
  handed_at INTEGER,
  outcome TEXT,
  note TEXT,
  updated_by TEXT,
  updated_at INTEGER,
  second_alert_at INTEGER
);
CREATE INDEX fever_cases_open ON fever_cases (at) WHERE outcome IS NULL;
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  company TEXT,
  parcels INTEGER NOT NULL,
  household_id TEXT,
  note TEXT,
  recorded_by TEXT,
  collected_at INTEGER,
  collected_by TEXT
);
CREATE INDEX deliveries_at ON deliveries (at);
CREATE INDEX deliveries_waiting ON deliveries (at) WHERE collected_at IS NULL;
`,
  },
  {
    version: 7,
    name: 'what was sent, for the hub\'s resend requests; the ledger\'s id',
    // The outbox forgets a row at its PUBACK; the hub may still miss it (a broker dropping past its
    // queue, a hub killed between ack and commit): the row moves here and can be sent again
    // (docs/hub.md). The ledger id tells the hub a wiped ledger's seqs from the old ones.
    sql: `
CREATE TABLE outbox_sent (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  priority INTEGER NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  clock_synced INTEGER NOT NULL
);
CREATE INDEX outbox_sent_created ON outbox_sent (created_at);
INSERT OR IGNORE INTO meta (key, value) VALUES ('ledger_id', lower(hex(randomblob(16))));
`,
  },
  {
    version: 8,
    name: 'health declarations from visitors\' phones (健康申报), and who was admitted on which',
    // The hub sends the site's live declarations down (docs/declare.md); a declaration member is used
    // once: the primary key refuses a second use even from two kiosks at once.
    sql: `
CREATE TABLE declarations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  members TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX declarations_expires ON declarations (expires_at);
CREATE TABLE declaration_uses (
  declaration_id TEXT NOT NULL,
  member_index INTEGER NOT NULL,
  visitor_id TEXT,
  person_id TEXT,
  used_at INTEGER NOT NULL,
  used_by TEXT,
  PRIMARY KEY (declaration_id, member_index)
);
CREATE INDEX declaration_uses_at ON declaration_uses (used_at);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Migrate forward to `target` (default: latest). Refuses a database newer than this program. */
export function migrate(db: Database, target = SCHEMA_VERSION): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`The database is at schema version ${current} but this program knows only up to ${SCHEMA_VERSION}: install a newer version of the gate software`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
