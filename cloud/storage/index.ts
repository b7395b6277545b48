// cloud/storage/: where the cloud keeps what it ingests, on SQLite or PostgreSQL, behind one Storage interface.
export type * from './storage';
export { SqliteStorage, type SqliteStorageOptions } from './sqlite-storage';
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage';
export { SqlStorage } from './sql-storage';
export { openStorage } from './open-storage';
export { exportParquet, type ParquetExportQuery } from './parquet-export';
export { StorageError, type StorageErrorCode } from './errors';
export { PostgresOptionsSchema, RetentionSchema, type PostgresOptions, type Retention } from './config';
export { MIGRATIONS, LATEST_VERSION, type Migration, type Dialect } from './migrations';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './paging';
