import Database from 'better-sqlite3';
import { StoreError } from './errors';
import type { Synchronous } from './config';

/** Bumped on any incompatible change to the tables below; a file of another version is refused, never guessed at. */
export const SCHEMA_VERSION = 1;

// AUTOINCREMENT, not a plain rowid: ids are never reused, even after every row was deleted, so ids order rows by
// arrival across restarts and a reader's "id > cursor" never skips a new row that took a freed id.
const DDL = `
CREATE TABLE IF NOT EXISTS inbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  device      TEXT    NOT NULL,
  sensor      TEXT    NOT NULL,
  seq         INTEGER,
  topic       TEXT    NOT NULL,
  payload     BLOB    NOT NULL,
  qos         INTEGER NOT NULL CHECK (qos IN (0, 1, 2)),
  received_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  priority    INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
  topic       TEXT    NOT NULL,
  payload     BLOB    NOT NULL,
  qos         INTEGER NOT NULL CHECK (qos IN (0, 1)),
  bytes       INTEGER NOT NULL,
  enqueued_ms INTEGER NOT NULL,
  device      TEXT,
  sensor      TEXT,
  seq         INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox (priority, id);
-- The cloud drops a second (device, sensor, seq); so does the outbox, before the copy costs uplink bytes.
CREATE UNIQUE INDEX IF NOT EXISTS outbox_dedupe ON outbox (topic, device, sensor, seq) WHERE seq IS NOT NULL;
`;

/**
 * Opens (creating if needed) the store's SQLite file in WAL mode and checks its schema version.
 *
 * Why WAL + synchronous=NORMAL survives SIGKILL but not a power cut: a commit appends its pages to the -wal file
 * with write(2) before the call returns, so the bytes sit in the kernel's page cache, which outlives the process;
 * the next open replays them. NORMAL skips the fsync at each commit (it syncs only at checkpoints), so after a
 * power cut or kernel panic the last commits can be missing — the file stays consistent, but not durable.
 * `synchronous: 'full'` fsyncs the WAL at every commit and closes that gap too.
 */
export function openDatabase(file: string, synchronous: Synchronous): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new StoreError('E_STORE_OPEN', file, `cannot open the store (${(error as Error).message}); check the path and its permissions`, {
      cause: error,
    });
  }
  try {
    // An in-memory store (simulated runs, tests) has no file to journal: durability is not its point.
    const mode = file === ':memory:' ? 'wal' : db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new StoreError('E_STORE_OPEN', file, `the file system refused WAL mode (got journal_mode=${String(mode)}); put the store on a local disk`);
    }
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // A checkpoint truncates the -wal file back to this size, so a drained backlog gives its disk space back.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== 0 && version !== SCHEMA_VERSION) {
      throw new StoreError(
        'E_STORE_SCHEMA',
        file,
        `schema version ${version}, this gateway reads version ${SCHEMA_VERSION}; drain it with the gateway that wrote it, or move it aside`,
      );
    }
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError('E_STORE_OPEN', file, `cannot set up the store (${(error as Error).message}); is it a SQLite file?`, { cause: error });
  }
}

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    insertInbox: db.prepare('INSERT INTO inbox (device, sensor, seq, topic, payload, qos, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    deleteInbox: db.prepare('DELETE FROM inbox WHERE id = ?'),
    // One statement for a whole hand-over's ids (a JSON array) instead of one call per row.
    deleteInboxMany: db.prepare('DELETE FROM inbox WHERE id IN (SELECT value FROM json_each(?))'),
    lastInboxId: db.prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'inbox'), 0)"),
    inboxPage: db.prepare('SELECT * FROM inbox WHERE id > ? ORDER BY id LIMIT ?'),
    inboxCount: db.prepare('SELECT COUNT(*) FROM inbox'),
    inboxTotals: db.prepare('SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(payload)), 0) AS bytes FROM inbox'),
    insertOutbox: db.prepare(
      'INSERT INTO outbox (priority, topic, payload, qos, bytes, enqueued_ms, device, sensor, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    findKey: db.prepare('SELECT 1 FROM outbox WHERE topic = ? AND device = ? AND sensor = ? AND seq = ? AND seq IS NOT NULL'),
    outboxPage: db.prepare('SELECT * FROM outbox WHERE priority = ? AND id > ? ORDER BY id LIMIT ?'),
    oldestOf: db.prepare('SELECT id, bytes FROM outbox WHERE priority = ? ORDER BY id LIMIT ?'),
    oldestEnqueued: db.prepare('SELECT enqueued_ms FROM outbox WHERE priority = ? ORDER BY id LIMIT 1'),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE id = ? RETURNING priority, bytes'),
    evictOutbox: db.prepare('DELETE FROM outbox WHERE id = ?'),
    markAttempted: db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?'),
    totals: db.prepare('SELECT priority, COUNT(*) AS n, SUM(bytes) AS bytes FROM outbox GROUP BY priority'),
  };
}
