import { StorageError } from './errors';

export type Dialect = 'sqlite' | 'postgres';

/** One step of the schema, applied once per database in version order, with its SQL for each engine. */
export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, string>;
}

/** The table that records which migrations a database has had, in each engine's dialect. */
export const MIGRATIONS_TABLE: Record<Dialect, string> = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms REAL NOT NULL)',
  postgres: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms DOUBLE PRECISION NOT NULL)',
};

/** Counts tables of that name (`?` is the name): a database with `features` and no migrations table is at version 1. */
export const TABLE_EXISTS: Record<Dialect, string> = {
  sqlite: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
  postgres: 'SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
};

// Migration 1 for SQLite is, byte for byte, the schema SqliteStorage created before migrations existed: a file it
// wrote is a database at version 1. Never edit a migration that has shipped; add the next one.
const INITIAL_SQLITE = `
CREATE TABLE IF NOT EXISTS features (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  window_ms REAL NOT NULL,
  unit TEXT NOT NULL,
  rms REAL NOT NULL,
  peak REAL NOT NULL,
  crest REAL NOT NULL,
  features_json TEXT NOT NULL,
  received_ms REAL NOT NULL,
  blocks INTEGER,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS features_by_time ON features (device, sensor, ts_ms);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  sensor TEXT,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  message TEXT NOT NULL,
  kind TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (ts_ms);
CREATE TABLE IF NOT EXISTS raw_blocks (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  rate_hz REAL NOT NULL,
  unit TEXT NOT NULL,
  samples INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  data BLOB NOT NULL,
  received_ms REAL NOT NULL,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  payload_b64 TEXT NOT NULL
);
`;

// The same tables and columns, so one set of queries serves both engines; times are DOUBLE PRECISION ms (event
// times may be fractional), bytes BYTEA, JSON JSONB.
const INITIAL_POSTGRES = `
CREATE TABLE IF NOT EXISTS features (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq BIGINT NOT NULL,
  ts_ms DOUBLE PRECISION NOT NULL,
  window_ms DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  rms DOUBLE PRECISION NOT NULL,
  peak DOUBLE PRECISION NOT NULL,
  crest DOUBLE PRECISION NOT NULL,
  features_json JSONB NOT NULL,
  received_ms DOUBLE PRECISION NOT NULL,
  blocks INTEGER,
  PRIMARY KEY (device, sensor, seq)
);
CREATE INDEX IF NOT EXISTS features_by_time ON features (device, sensor, ts_ms);
CREATE TABLE IF NOT EXISTS alerts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device TEXT NOT NULL,
  sensor TEXT,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  ts_ms DOUBLE PRECISION NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  message TEXT NOT NULL,
  kind TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (ts_ms);
CREATE TABLE IF NOT EXISTS raw_blocks (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq BIGINT NOT NULL,
  ts_ms DOUBLE PRECISION NOT NULL,
  rate_hz DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  samples INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  data BYTEA NOT NULL,
  received_ms DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (device, sensor, seq)
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stage TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts_ms DOUBLE PRECISION NOT NULL,
  payload_b64 TEXT NOT NULL
);
`;

/** Tables of the ports in records.ts, in one dialect: `real` and `json`, `bytes`, `bool`, `serial` differ. */
function controlPlane(t: { real: string; json: string; bytes: string; bool: string; serial: string; int: string; noRowid: string }): string {
  return `
CREATE TABLE alert_entries (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  device TEXT NOT NULL,
  sensor TEXT,
  kind TEXT NOT NULL,
  origin TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  raised_ms ${t.real} NOT NULL,
  updated_ms ${t.real} NOT NULL,
  value ${t.real} NOT NULL,
  threshold ${t.real} NOT NULL,
  message TEXT NOT NULL,
  shelved_until_ms ${t.real},
  history_json ${t.json} NOT NULL
)${t.noRowid};
CREATE INDEX alert_entries_by_raised ON alert_entries (raised_ms, id);
CREATE INDEX alert_entries_open ON alert_entries (state) WHERE state <> 'cleared';
CREATE TABLE audit_log (
  id ${t.serial},
  ts_ms ${t.real} NOT NULL,
  actor TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL,
  args_json ${t.json},
  command_id TEXT,
  reason TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (ts_ms, id);
CREATE TABLE registry (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  site TEXT NOT NULL,
  online ${t.bool} NOT NULL,
  last_seen_ms ${t.real} NOT NULL,
  gateway TEXT,
  sensors_json ${t.json} NOT NULL,
  PRIMARY KEY (kind, id)
)${t.noRowid};
CREATE TABLE shadows (
  device TEXT PRIMARY KEY,
  reported_json ${t.json} NOT NULL,
  desired_json ${t.json} NOT NULL,
  reported_ms ${t.real} NOT NULL,
  desired_ms ${t.real} NOT NULL,
  version ${t.int} NOT NULL
)${t.noRowid};
CREATE TABLE models (
  version TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  signature TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_ms ${t.real} NOT NULL,
  trained_on TEXT NOT NULL,
  manifest_json ${t.json} NOT NULL,
  bytes ${t.bytes} NOT NULL
);
CREATE TABLE controller_state (
  key TEXT PRIMARY KEY,
  value_json ${t.json} NOT NULL
)${t.noRowid};
`;
}

// Keyset pages walk these: (ts_ms, id) or (ts_ms, seq) within the filter's leading columns.
const PAGING = `
CREATE INDEX raw_blocks_by_time ON raw_blocks (device, sensor, ts_ms, seq);
CREATE INDEX dead_letters_by_time ON dead_letters (ts_ms, id);
CREATE INDEX alerts_by_device ON alerts (device, ts_ms, id);
`;

/** Compaction takes the oldest windows first, across every device: it needs time-leading indexes. */
function rollups(t: { int: string; json: string; noRowid: string }): string {
  return `
CREATE INDEX features_by_age ON features (ts_ms, device, sensor, seq);
CREATE INDEX raw_blocks_by_age ON raw_blocks (ts_ms);
CREATE TABLE feature_rollups (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  resolution TEXT NOT NULL CHECK (resolution IN ('1m', '1h')),
  bucket_ms ${t.int} NOT NULL,
  count ${t.int} NOT NULL,
  stats_json ${t.json} NOT NULL,
  PRIMARY KEY (device, sensor, resolution, bucket_ms)
)${t.noRowid};
CREATE INDEX feature_rollups_by_age ON feature_rollups (resolution, bucket_ms);
`;
}

const SQLITE_TYPES = { real: 'REAL', json: 'TEXT', bytes: 'BLOB', bool: 'INTEGER', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', int: 'INTEGER', noRowid: ' WITHOUT ROWID' };
const POSTGRES_TYPES = { real: 'DOUBLE PRECISION', json: 'JSONB', bytes: 'BYTEA', bool: 'BOOLEAN', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', int: 'BIGINT', noRowid: '' };

/** Every migration, oldest first; both engines apply this one list. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: { sqlite: INITIAL_SQLITE, postgres: INITIAL_POSTGRES } },
  { version: 2, name: 'control-plane records', sql: { sqlite: controlPlane(SQLITE_TYPES), postgres: controlPlane(POSTGRES_TYPES) } },
  { version: 3, name: 'paging indexes', sql: { sqlite: PAGING, postgres: PAGING } },
  { version: 4, name: 'rollups and retention', sql: { sqlite: rollups(SQLITE_TYPES), postgres: rollups(POSTGRES_TYPES) } },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;

/** The migrations a database at `applied` still needs; refuses one newer than this code. */
export function pendingMigrations(applied: number, where: string): readonly Migration[] {
  if (applied > LATEST_VERSION) {
    throw new StorageError(
      'E_STORAGE_SCHEMA',
      `${where}: the database is at schema version ${applied}, this twinbed knows versions up to ${LATEST_VERSION}; upgrade twinbed, or point it at another database`,
    );
  }
  return MIGRATIONS.filter((m) => m.version > applied);
}
