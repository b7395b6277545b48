import pg from 'pg';
import pino, { type Logger } from 'pino';
import { TwinbedError } from '../../protocol';
import { monotonicWallMs } from '../../sim';
import { PostgresOptionsSchema, type PostgresOptions } from './config';
import { redactUrl, StorageError } from './errors';
import { MIGRATIONS, MIGRATIONS_TABLE, pendingMigrations, TABLE_EXISTS } from './migrations';
import type { SqlEngine, SqlExecutor, SqlLock } from './sql-engine';

export interface PostgresEngineOptions extends PostgresOptions {
  /** Wall time for `schema_migrations.applied_ms`, ms since the Unix epoch. Default: monotonicWallMs. */
  wallMs?: () => number;
  /** Where dropped idle connections are reported. Default: silent. */
  logger?: Logger;
}

// Advisory lock keys (any int8, the same in every twinbed): locks live per database, so they never cross databases.
const MIGRATION_LOCK = 7_424_687_320_001;
const LOCKS: Record<SqlLock, number> = { compaction: 7_424_687_320_002 };

/** Bind parameters per statement, at most: PostgreSQL's protocol limit is 65 535. */
const MAX_PARAMS = 60_000;
/** Rows per multi-row INSERT, at most: beyond this a bigger statement no longer saves round trips worth having. */
const MAX_ROWS_PER_INSERT = 1_000;

const { builtins } = pg.types;
// int8 and numeric (count, sum, BIGINT columns) as numbers: every value here is far below 2^53. JSON stays text,
// as SQLite returns it, so one parser serves both engines (a JSONB string scalar would be ambiguous otherwise).
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === builtins.INT8 || oid === builtins.NUMERIC) return (value: string) => Number(value);
    if (oid === builtins.JSON || oid === builtins.JSONB) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** `?` placeholders numbered `$1, $2, …`, as PostgreSQL wants them. */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

type Query = (sql: string, params?: readonly unknown[]) => Promise<pg.QueryResult>;

/**
 * PostgreSQL through a pg Pool. Each call outside a transaction is its own (autocommitted) statement; a transaction
 * holds one pooled connection from BEGIN to COMMIT. Either way the promise resolves after the server committed.
 */
export class PostgresEngine implements SqlEngine {
  readonly dialect = 'postgres';
  readonly where: string;
  readonly #pool: pg.Pool;
  #closed = false;

  private constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.where = where;
  }

  /** Connects, then migrates the database to the newest schema under an advisory lock (one migrator at a time). */
  static async open(url: string, options: PostgresEngineOptions = {}): Promise<PostgresEngine> {
    const { wallMs = monotonicWallMs, logger = pino({ level: 'silent' }), ...rest } = options;
    const config = PostgresOptionsSchema.parse(rest);
    const pool = new pg.Pool({
      connectionString: url,
      max: config.maxConnections,
      connectionTimeoutMillis: config.connectTimeoutMs,
      application_name: 'twinbed-cloud',
      types: TYPES,
    });
    const engine = new PostgresEngine(pool, redactUrl(url));
    // An idle connection the server dropped: the pool discards it and the next query opens another.
    pool.on('error', (error) => logger.warn({ err: error, database: engine.where }, 'dropped an idle PostgreSQL connection'));
    try {
      await engine.#migrate(wallMs);
    } catch (error) {
      await pool.end();
      if (error instanceof TwinbedError) throw error;
      throw new StorageError('E_STORAGE_OPEN', `${engine.where}: cannot open the database (${describe(error)}); start the server, or fix the URL`, { cause: error });
    }
    return engine;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.#query(sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.#writing(async () => (await this.#query(sql, params)).rowCount ?? 0);
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], key?: readonly string[]): Promise<boolean[]> {
    // One statement is atomic by itself; more take a transaction, so the call stays all or nothing.
    if (rows.length <= rowsPerInsert(columns)) return this.#writing(() => insertRows((sql, params) => this.#query(sql, params ?? [], false), table, columns, rows, key));
    return this.transaction((tx) => tx.insertRows(table, columns, rows, key));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, lock?: SqlLock): Promise<T> {
    this.#assertOpen();
    return this.#writing(async () => {
      const client = await this.#pool.connect();
      const query: Query = (sql, params = []) => client.query(numbered(sql), params as unknown[]);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (lock) await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS[lock]]);
        const result = await work({
          all: async <R>(sql: string, params?: readonly unknown[]) => (await query(sql, params)).rows as R[],
          run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
          insertRows: (table, columns, rows, key) => insertRows((sql, params) => client.query(sql, params as unknown[]), table, columns, rows, key),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is dropped from the pool rather than reused.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #query(sql: string, params: readonly unknown[], placeholders = true): Promise<pg.QueryResult> {
    this.#assertOpen();
    return this.#pool.query(placeholders ? numbered(sql) : sql, params as unknown[]);
  }

  /** A write's failure as a StorageError that says nothing of it was stored. */
  async #writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof TwinbedError) throw error;
      throw new StorageError('E_STORAGE_WRITE', `${this.where}: the write failed (${describe(error)}); nothing of it was stored, retry it`, { cause: error });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageError('E_STORAGE_CLOSED', `${this.where}: the storage is closed; open it again to use it`);
  }

  async #migrate(wallMs: () => number): Promise<void> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const exists = async (table: string) => ((await client.query(numbered(TABLE_EXISTS.postgres), [table])).rows[0] as { n: number }).n > 0;
      const record = (version: number, name: string) =>
        client.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)', [version, name, wallMs()]);
      const legacy = !(await exists('schema_migrations')) && (await exists('features'));
      await client.query(MIGRATIONS_TABLE.postgres);
      if (legacy) await record(MIGRATIONS[0]!.version, MIGRATIONS[0]!.name);
      const applied = ((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as { v: number }).v;
      for (const migration of pendingMigrations(applied, this.where)) {
        // PostgreSQL's DDL is transactional: a migration and its record commit together or not at all.
        try {
          await client.query('BEGIN');
          await client.query(migration.sql.postgres);
          await record(migration.version, migration.name);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
          throw new StorageError(
            'E_STORAGE_SCHEMA',
            `${this.where}: migration ${migration.version} (${migration.name}) failed: ${describe(error)}; the database stays at version ${migration.version - 1}, fix the cause and open it again`,
            { cause: error },
          );
        }
      }
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    } catch (error) {
      // The session lock ends with the connection, which is not returned to the pool.
      broken ??= error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

const rowsPerInsert = (columns: readonly string[]) => Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / columns.length));

/**
 * Multi-row `INSERT … VALUES (…), (…)`; with a key, `ON CONFLICT DO NOTHING RETURNING` the key of each row stored,
 * and a row is new when its key came back and no earlier row of the call had it.
 */
async function insertRows(query: Query, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], key?: readonly string[]): Promise<boolean[]> {
  const at = (key ?? []).map((k) => columns.indexOf(k));
  const idOf = (row: readonly unknown[]) => JSON.stringify(at.map((i) => row[i]));
  // In key order: two clouds inserting overlapping batches then wait on each other's keys in the same order, never
  // in a cycle (a deadlock, which PostgreSQL breaks by failing one of them).
  // The sort is stable, so of two copies of a key the batch's first is the one inserted.
  const ordered = key
    ? rows
        .map((row) => ({ row, id: idOf(row) }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(({ row }) => row)
    : rows;
  const stored = new Set<string>();
  const perInsert = rowsPerInsert(columns);
  for (let start = 0; start < ordered.length; start += perInsert) {
    const chunk = ordered.slice(start, start + perInsert);
    const tuples = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const conflict = key ? ` ON CONFLICT DO NOTHING RETURNING ${key.join(', ')}` : '';
    const result = await query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}${conflict}`, chunk.flat());
    if (key) for (const row of result.rows as Record<string, unknown>[]) stored.add(JSON.stringify(key.map((k) => row[k])));
  }
  if (!key) return rows.map(() => true);
  const seen = new Set<string>();
  return rows.map((row) => {
    const id = idOf(row);
    const isNew = stored.has(id) && !seen.has(id);
    seen.add(id);
    return isNew;
  });
}

/** A driver error in a line: its message, and its SQLSTATE or system code. */
function describe(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = e.message || String(error);
  return e.code && !message.includes(e.code) ? `${message}, ${e.code}` : message;
}
