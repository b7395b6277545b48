import pg from 'pg';
import { redactUrl, StoreProbeError, toStoredCounts, type StoreProbe, type StoreProbeErrorCode, type StoredCount, type StoreQuery } from './store-probe';

type PostgresStoreQuery = Extract<StoreQuery, { kind: 'postgres' }>;

/** 10 seconds to connect and log in: an address that drops packets fails instead of hanging the run. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * 60 seconds for the query, enforced by the server (`SET LOCAL statement_timeout`: unlike a startup parameter,
 * PgBouncer passes it on), so a slow count does not hang the run.
 */
const STATEMENT_TIMEOUT_MS = 60_000;

/** Connects once to check the URL and login, then keeps at most one connection to the SUT's database. */
export async function openPostgresStoreProbe(config: PostgresStoreQuery): Promise<StoreProbe> {
  const target = redactUrl(config.url);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 1,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'twinbed-store-probe',
    allowExitOnIdle: true,
  });
  // An idle connection the server drops is discarded by the pool; the next query reconnects and reports any
  // failure then. Without a listener, that 'error' event would end the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreProbeError('E_STORE_PROBE_UNREACHABLE', 'postgres', target, connectFailure(error), { cause: error });
  }
  return new PostgresStoreProbe(pool, target, config.query);
}

class PostgresStoreProbe implements StoreProbe {
  readonly describe: string;
  readonly #pool: pg.Pool;
  readonly #target: string;
  readonly #query: string;
  #closed = false;

  constructor(pool: pg.Pool, target: string, query: string) {
    this.#pool = pool;
    this.#target = target;
    this.#query = query;
    this.describe = `postgres ${target}`;
  }

  async counts(): Promise<StoredCount[]> {
    if (this.#closed) throw this.#fail('E_STORE_PROBE_CLOSED', 'the probe is closed');
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#fail('E_STORE_PROBE_UNREACHABLE', connectFailure(error), error);
    }
    let result: pg.QueryResult | pg.QueryResult[];
    let broken: Error | undefined;
    try {
      // The probe looks and never touches: a query that writes fails instead of changing the SUT's data.
      await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      result = await client.query(this.#query);
    } catch (error) {
      if (!isConnectionFailure(error)) throw this.#fail('E_STORE_PROBE_QUERY', `the query fails: ${reasonOf(error)}; fix \`query\``, error);
      broken = error instanceof Error ? error : new Error(String(error));
      throw this.#fail('E_STORE_PROBE_UNREACHABLE', connectFailure(error), error);
    } finally {
      if (broken === undefined) {
        await client.query('ROLLBACK').catch((error: unknown) => {
          broken = error instanceof Error ? error : new Error(String(error));
        });
      }
      // A connection that failed is destroyed, not handed to the next call.
      client.release(broken);
    }
    // Several statements separated by `;` answer with one result each.
    if (Array.isArray(result)) throw this.#fail('E_STORE_PROBE_QUERY', `the query has ${result.length} statements; \`query\` must be one SELECT`);
    if (result.fields.length === 0) throw this.#fail('E_STORE_PROBE_QUERY', `the query returns no rows (${result.command}); \`query\` must be a SELECT`);
    const columns = result.fields.map((field) => field.name);
    return toStoredCounts(result.rows, columns, (code, message) => this.#fail(code, message));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #fail(code: StoreProbeErrorCode, message: string, cause?: unknown): StoreProbeError {
    return new StoreProbeError(code, 'postgres', this.#target, message, cause === undefined ? undefined : { cause });
  }
}

/** What went wrong reaching the server, and what to fix in the target file. */
function connectFailure(error: unknown): string {
  const code = codeOf(error);
  const reason = reasonOf(error);
  if (code === 'ECONNREFUSED') return `connection refused (${reason}); start the database or fix the host and port in \`url\``;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `unknown host (${reason}); fix the host in \`url\``;
  // [PostgreSQL Appendix A] class 28: invalid authorization specification; 3D000: invalid_catalog_name.
  if (code?.startsWith('28')) return `login refused (${reason}); fix the user or password in \`url\`, or the server's pg_hba.conf`;
  if (code === '3D000') return `${reason}; fix the database name in \`url\``;
  if (/timeout/i.test(reason)) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${reason}); check that the host and port in \`url\` are reachable`;
  return `cannot connect (${reason}); check \`url\` and that the database accepts connections`;
}

function isConnectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    // [PostgreSQL Appendix A] class 08: connection exception; 57P01–57P03: the server is shutting down or starting.
    return error.code !== undefined && (error.code.startsWith('08') || /^57P0[123]$/.test(error.code));
  }
  // Anything else is the socket's (ECONNRESET, …) or pg's own (`Connection terminated unexpectedly`, a timeout).
  return true;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The server's message with its SQLSTATE and position, or a socket error's code. Connecting to a name with both
 * an IPv4 and an IPv6 address fails with an AggregateError whose own message is empty.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof pg.DatabaseError) {
    const at = error.position === undefined ? '' : ` at character ${error.position}`;
    return `${error.message} (SQLSTATE ${error.code ?? '?'}${at})`;
  }
  const detail = error as Error & { code?: unknown; errors?: unknown };
  let message = error.message;
  if (message === '' && Array.isArray(detail.errors)) message = detail.errors.map((inner) => reasonOf(inner)).join('; ');
  const code = typeof detail.code === 'string' ? detail.code : undefined;
  if (code !== undefined && !message.includes(code)) return message === '' ? code : `${code}: ${message}`;
  return message === '' ? error.name : message;
}
