import { SqliteEngine, type SqliteEngineOptions } from './sqlite-engine';
import { SqlStorage } from './sql-storage';

export type SqliteStorageOptions = SqliteEngineOptions;

/**
 * Embedded storage on SQLite (better-sqlite3). `:memory:` for throwaway runs, a file path to keep the data. Opening
 * a file migrates it to the newest schema, including a file written before migrations existed. Writes are
 * group-committed (see SqliteEngine): a burst costs one commit, and every write has committed when it resolves.
 */
export class SqliteStorage extends SqlStorage {
  constructor(path = ':memory:', options: SqliteStorageOptions = {}) {
    super(new SqliteEngine(path, options));
  }
}
