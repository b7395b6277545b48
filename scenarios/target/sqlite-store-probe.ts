import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreProbeError, toStoredCounts, type StoreProbe, type StoreProbeErrorCode, type StoredCount, type StoreQuery } from './store-probe';

type SqliteStoreQuery = Extract<StoreQuery, { kind: 'sqlite' }>;

/**
 * Opens the SUT's SQLite file read-only: the probe never writes, never creates the file, and reads the last
 * committed transaction while the SUT keeps writing in WAL mode.
 */
export function openSqliteStoreProbe(config: SqliteStoreQuery, baseDir: string): StoreProbe {
  const file = resolve(baseDir, config.path);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreProbeError(
      'E_STORE_PROBE_UNREACHABLE',
      'sqlite',
      file,
      `cannot open the file read-only (${messageOf(error)}); check \`path\` (relative to the target file's folder) and that the SUT created it`,
      { cause: error },
    );
  }
  return new SqliteStoreProbe(db, file, config.query);
}

class SqliteStoreProbe implements StoreProbe {
  readonly describe: string;
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #query: string;

  constructor(db: Database.Database, file: string, query: string) {
    this.#db = db;
    this.#file = file;
    this.#query = query;
    this.describe = `sqlite ${file}`;
  }

  async counts(): Promise<StoredCount[]> {
    if (!this.#db.open) throw this.#fail('E_STORE_PROBE_CLOSED', 'the probe is closed');
    // Prepared on every call: the SUT may create or migrate its tables after the probe opened.
    let statement: Database.Statement;
    try {
      statement = this.#db.prepare(this.#query);
    } catch (error) {
      throw this.#fail('E_STORE_PROBE_QUERY', `the query fails: ${messageOf(error)}; fix \`query\``, error);
    }
    if (!statement.reader) throw this.#fail('E_STORE_PROBE_QUERY', 'the query returns no rows; `query` must be a SELECT');
    let rows: unknown[];
    try {
      rows = statement.all();
    } catch (error) {
      throw this.#fail('E_STORE_PROBE_QUERY', `the query fails: ${messageOf(error)}; fix \`query\``, error);
    }
    const columns = statement.columns().map((column) => column.name);
    return toStoredCounts(rows, columns, (code, message) => this.#fail(code, message));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #fail(code: StoreProbeErrorCode, message: string, cause?: unknown): StoreProbeError {
    return new StoreProbeError(code, 'sqlite', this.#file, message, cause === undefined ? undefined : { cause });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
