import type { Dialect } from './migrations';

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

/**
 * Statements on one database. SQL is written once for both engines with `?` placeholders; PostgreSQL's engine
 * numbers them. Outside a transaction every write has committed when its promise resolves.
 */
export interface SqlExecutor {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** One write statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Inserts rows (values in `columns` order). With `key`, a row whose key is stored already, or came earlier in
   * `rows`, is skipped and comes back false; without it every row is inserted and comes back true.
   */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], key?: readonly string[]): Promise<boolean[]>;
}

/** Named locks that serialise work across processes sharing one database. */
export type SqlLock = 'compaction';

/** What SqlStorage needs from a database engine. */
export interface SqlEngine extends SqlExecutor {
  readonly dialect: Dialect;
  /** Where the data lives, for messages: a file path, or a URL without its password. */
  readonly where: string;
  /** Runs `work` in one transaction, holding `lock` when given; resolves once committed, rolls back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, lock?: SqlLock): Promise<T>;
  close(): Promise<void>;
}

/** A WHERE clause built from the filters a query was given; filters left undefined add nothing. */
export class Where {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `sql` (with `?` placeholders for `params`) unless its first param is undefined. */
  add(sql: string, ...params: unknown[]): this {
    if (params[0] === undefined) return this;
    this.#clauses.push(sql);
    this.params.push(...params);
    return this;
  }

  toString(): string {
    return this.#clauses.length === 0 ? '' : `WHERE ${this.#clauses.join(' AND ')}`;
  }
}
