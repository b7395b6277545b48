import Database from 'better-sqlite3';
import { monotonicWallMs } from '../../sim';
import { StorageError } from './errors';
import { MIGRATIONS, MIGRATIONS_TABLE, pendingMigrations, TABLE_EXISTS } from './migrations';
import type { SqlEngine, SqlExecutor } from './sql-engine';

export interface SqliteEngineOptions {
  /** Wall time for `schema_migrations.applied_ms`, ms since the Unix epoch. Default: monotonicWallMs. */
  wallMs?: () => number;
  /** The -wal file is truncated back to this size after a checkpoint, bytes. Default 64 MiB. */
  walLimitBytes?: number;
}

/** The writes of one event-loop turn, committed together. */
interface Group {
  committed: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Prepared statements kept per connection; dynamic WHERE clauses make a few dozen, this bounds the rest. */
const MAX_CACHED_STATEMENTS = 256;

/**
 * SQLite through better-sqlite3, group-committed: the first write of an event-loop turn opens a transaction that
 * commits on the next turn, so a burst of writes costs one commit, and each write's promise resolves only once its
 * transaction has committed. Writes run one at a time, in call order; one of several statements runs inside a
 * savepoint, so a write that fails leaves the rest of its group intact.
 */
export class SqliteEngine implements SqlEngine {
  readonly dialect = 'sqlite';
  readonly where: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #direct: SqlExecutor;
  #writing: Promise<unknown> = Promise.resolve();
  #group: Group | undefined;
  #closing = false;

  constructor(path: string, options: SqliteEngineOptions = {}) {
    this.where = path;
    try {
      this.#db = new Database(path);
    } catch (error) {
      throw new StorageError('E_STORAGE_OPEN', `${path}: cannot open the database (${(error as Error).message}); check the path and its permissions`, { cause: error });
    }
    try {
      // WAL lets the web API read while ingest writes. NORMAL sync: a commit is in the OS page cache when COMMIT
      // returns, so it survives a killed process (not a power cut) without an fsync per commit.
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      // Without a limit the -wal file keeps the size of the largest burst it ever held (a backlog after an outage).
      this.#db.pragma(`journal_size_limit = ${Math.floor(options.walLimitBytes ?? 64 * 1024 * 1024)}`);
      // Another process migrating or writing the same file holds the lock for a moment: wait rather than fail.
      this.#db.pragma('busy_timeout = 5000');
      migrate(this.#db, path, options.wallMs ?? monotonicWallMs);
    } catch (error) {
      this.#db.close();
      if (error instanceof StorageError) throw error;
      throw new StorageError('E_STORAGE_OPEN', `${path}: cannot set up the database (${(error as Error).message}); is it a SQLite file?`, { cause: error });
    }
    this.#direct = {
      all: async (sql, params = []) => this.#prepare(sql).all(...params) as never[],
      run: async (sql, params = []) => this.#prepare(sql).run(...params).changes,
      insertRows: async (table, columns, rows, key) => this.#insert(table, columns, rows, key),
    };
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#assertOpen();
    return this.#prepare(sql).all(...params) as T[];
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.#write(() => this.#prepare(sql).run(...params).changes, false);
  }

  insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], key?: readonly string[]): Promise<boolean[]> {
    return this.#write(() => this.#insert(table, columns, rows, key), rows.length > 1);
  }

  // No named locks needed: every write holds the database's write lock (BEGIN IMMEDIATE) until its group commits.
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#write(() => work(this.#direct), true);
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#writing;
    if (this.#group) this.#commit(this.#group);
    this.#db.close();
  }

  #insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], key?: readonly string[]): boolean[] {
    const values = columns.map(() => '?').join(', ');
    const statement = this.#prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values})${key ? ' ON CONFLICT DO NOTHING' : ''}`);
    return rows.map((row) => statement.run(...row).changes === 1);
  }

  /** Runs `work` after the writes called before it, in the current group; resolves once the group committed. */
  async #write<T>(work: () => T | Promise<T>, atomic: boolean): Promise<T> {
    this.#assertOpen();
    const turn = this.#writing.then(async () => {
      const group = this.#join();
      if (atomic) this.#db.exec('SAVEPOINT write');
      try {
        const result = await work();
        if (atomic) this.#db.exec('RELEASE write');
        return { result, group };
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: the group is gone, not just this write.
        if (!this.#db.inTransaction && this.#group === group) {
          this.#group = undefined;
          group.reject(lost(this.where, error));
        } else if (atomic) this.#db.exec('ROLLBACK TO write; RELEASE write');
        throw error;
      }
    });
    this.#writing = turn.catch(() => undefined);
    const { result, group } = await turn;
    await group.committed;
    return result;
  }

  #join(): Group {
    if (this.#group) return this.#group;
    this.#db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const committed = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    // Each write awaits it; this only keeps a group whose every write failed from an unhandled rejection.
    committed.catch(() => undefined);
    const group: Group = { committed, resolve, reject };
    this.#group = group;
    setImmediate(() => {
      this.#writing = this.#writing.then(() => this.#commit(group));
    });
    return group;
  }

  #commit(group: Group): void {
    if (this.#group !== group) return;
    this.#group = undefined;
    try {
      this.#db.exec('COMMIT');
      group.resolve();
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      group.reject(lost(this.where, error));
    }
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #assertOpen(): void {
    if (this.#closing) throw new StorageError('E_STORAGE_CLOSED', `${this.where}: the storage is closed; open it again to use it`);
  }
}

/** Why every write of a group was lost. */
function lost(where: string, cause: unknown): StorageError {
  return new StorageError('E_STORAGE_WRITE', `${where}: the transaction did not commit (${(cause as Error).message}); nothing of these writes was stored, retry them`, { cause });
}

/**
 * Brings the file to the newest schema in one transaction. A file SqliteStorage wrote before migrations existed
 * has the tables of migration 1 and no `schema_migrations`: it is recorded at version 1, then migrated.
 */
function migrate(db: Database.Database, path: string, wallMs: () => number): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const exists = (table: string) => (db.prepare(TABLE_EXISTS.sqlite).get(table) as { n: number }).n > 0;
    const before = exists('schema_migrations') ? undefined : exists('features');
    db.exec(MIGRATIONS_TABLE.sqlite);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
    if (before === true) record.run(MIGRATIONS[0]!.version, MIGRATIONS[0]!.name, wallMs());
    const applied = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    for (const migration of pendingMigrations(applied, path)) {
      try {
        db.exec(migration.sql.sqlite);
      } catch (error) {
        throw new StorageError(
          'E_STORAGE_SCHEMA',
          `${path}: migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}; the file is left at version ${applied}, restore it from a backup or move it aside`,
          { cause: error },
        );
      }
      record.run(migration.version, migration.name, wallMs());
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
