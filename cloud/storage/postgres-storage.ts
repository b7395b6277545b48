import { PostgresEngine, type PostgresEngineOptions } from './postgres-engine';
import { SqlStorage } from './sql-storage';

export type PostgresStorageOptions = PostgresEngineOptions;

/**
 * Storage on PostgreSQL (pg): the same schema, queries and contract as SqliteStorage, for a cloud that runs as more
 * than one process. Batches go in as multi-row INSERTs in one transaction each; bytes are BYTEA, JSON is JSONB,
 * times are DOUBLE PRECISION ms.
 */
export class PostgresStorage extends SqlStorage {
  private constructor(engine: PostgresEngine) {
    super(engine);
  }

  /** Connects to `url` (`postgres://user:password@host:port/database`) and migrates the database to the newest schema. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    return new PostgresStorage(await PostgresEngine.open(url, options));
  }
}
