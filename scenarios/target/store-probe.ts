// How a target file says to count what the system under test stored, and the probe that counts it. The runner
// judges "every QoS 1 reading stored exactly once" per (device, sensor) from these counts, from the outside.
// No Node imports here: the schema is shared with the web front end; each kind loads its driver on demand.
import { z } from 'zod';
import { TwinbedError } from '../../protocol';

const QuerySchema = z
  .string()
  .min(1)
  .describe(
    'SQL that returns one row per (device, sensor) with columns `device`, `sensor`, `count` (rows stored), and optionally `distinct` (distinct seqs), `min_seq`, `max_seq`. Required.',
  );

export const SqliteStoreQuerySchema = z
  .object({
    kind: z.literal('sqlite').describe('Count with a query on the SUT\'s SQLite file, opened read-only (a writer in WAL mode may keep writing).'),
    path: z.string().min(1).describe('The SQLite file, relative to the folder of the target file. Required.'),
    query: QuerySchema,
  })
  .strict();

export const PostgresStoreQuerySchema = z
  .object({
    kind: z.literal('postgres').describe('Count with a query on the SUT\'s PostgreSQL, over one connection.'),
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .describe('Connection URL, `postgres://user:password@host:5432/db`; the password never appears in reports. Required.'),
    query: QuerySchema,
  })
  .strict();

export const HttpStoreQuerySchema = z
  .object({
    kind: z.literal('http').describe('Count with a GET on an HTTP endpoint of the SUT that answers JSON.'),
    url: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').describe('The endpoint to GET. Required.'),
    path: z
      .string()
      .optional()
      .describe('Dotted path to the array of rows inside the JSON answer, e.g. `data.rows`; rows have the same fields as the SQL columns. Default: the answer itself.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers, e.g. `Authorization`; never shown in reports. Default none.'),
  })
  .strict();

export const StoreQuerySchema = z
  .discriminatedUnion('kind', [SqliteStoreQuerySchema, PostgresStoreQuerySchema, HttpStoreQuerySchema])
  .describe('How to count what the SUT stored: a query on its SQLite or PostgreSQL, or an HTTP endpoint.');

export type StoreQuery = z.infer<typeof StoreQuerySchema>;
export type StoreKind = StoreQuery['kind'];

/** What the SUT stored for one (device, sensor). */
export interface StoredCount {
  device: string;
  sensor: string;
  /** Rows stored; above `distinct` means duplicates. */
  count: number;
  /** Distinct seqs stored, when the source reports it. */
  distinct?: number;
  minSeq?: number;
  maxSeq?: number;
}

/** Counts what the SUT stored. */
export interface StoreProbe {
  /** The kind and where it looks, for reports; never holds a password or header. */
  readonly describe: string;
  /** One entry per (device, sensor), ordered by device then sensor, read fresh from the store on each call. */
  counts(): Promise<StoredCount[]>;
  /** Releases the file handle, connection or in-flight request. Safe to call twice. */
  close(): Promise<void>;
}

/** Stable codes of {@link StoreProbeError}. */
export type StoreProbeErrorCode =
  /** The file cannot be opened, or the server cannot be reached or refuses the login. */
  | 'E_STORE_PROBE_UNREACHABLE'
  /** The query or request failed: bad SQL, a missing table, an HTTP error status, an answer that is not JSON. */
  | 'E_STORE_PROBE_QUERY'
  /** The answer has the wrong shape: a missing column, a non-numeric count, a JSON path that leads nowhere. */
  | 'E_STORE_PROBE_ROWS'
  /** The probe was used after `close()`. */
  | 'E_STORE_PROBE_CLOSED';

/** A store probe that cannot count; the message names the kind, where it looked (no password) and what to fix. */
export class StoreProbeError extends TwinbedError {
  declare readonly code: StoreProbeErrorCode;
  readonly kind: StoreKind;
  /** The file path or the redacted URL. */
  readonly target: string;

  constructor(code: StoreProbeErrorCode, kind: StoreKind, target: string, message: string, options?: { cause?: unknown }) {
    super(code, `${kind} store probe on ${target}: ${message}`, options);
    this.kind = kind;
    this.target = target;
  }
}

/**
 * Opens the probe a target file declares. SQLite opens its file and PostgreSQL connects once, so a wrong path,
 * URL or password fails here, before a run; the query itself runs on each `counts()`. HTTP fetches nothing yet.
 * `baseDir` is the folder of the target file, which relative SQLite paths start from.
 */
export async function openStoreProbe(config: StoreQuery, baseDir: string): Promise<StoreProbe> {
  switch (config.kind) {
    case 'sqlite':
      return (await import('./sqlite-store-probe')).openSqliteStoreProbe(config, baseDir);
    case 'postgres':
      return (await import('./postgres-store-probe')).openPostgresStoreProbe(config);
    case 'http':
      return (await import('./http-store-probe')).openHttpStoreProbe(config);
  }
}

/** A URL without its password or query string (which may hold one, e.g. `?password=` or `?token=`). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const search = parsed.search ? '?…' : '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return `${parsed.toString()}${search}`;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//…@').replace(/\?.*$/, '?…');
  }
}

const COLUMNS = {
  device: ['device'],
  sensor: ['sensor'],
  count: ['count'],
  distinct: ['distinct'],
  minSeq: ['min_seq', 'minSeq', 'minseq'],
  maxSeq: ['max_seq', 'maxSeq', 'maxseq'],
} as const;
type Field = keyof typeof COLUMNS;
const REQUIRED: readonly Field[] = ['device', 'sensor', 'count'];
const NEEDED = 'device, sensor, count (optional: distinct, min_seq, max_seq)';
const SQL_HINT = 'alias them in `query`, e.g. SELECT device, sensor, count(*) AS count … GROUP BY device, sensor';
const JSON_HINT = 'fix the endpoint, or `path` if it points at the wrong array';

/**
 * The stored counts in `rows`, ordered by device then sensor (so that two calls on an unchanged store compare
 * equal, whatever order the query returns), numbers coerced from strings and bigints (PostgreSQL returns `count(*)` as a
 * string). `columns` are the result's column names when the driver reports them, so a missing column is caught
 * even when no row came back; otherwise each row's own keys are checked. `where` names the rows in messages.
 */
export function toStoredCounts(
  rows: readonly unknown[],
  columns: readonly string[] | undefined,
  fail: (code: StoreProbeErrorCode, message: string) => StoreProbeError,
  where = 'the query',
): StoredCount[] {
  const fixedNames = columns === undefined ? undefined : columnNames(columns, `${where} returns the columns`, SQL_HINT, fail);
  const firstRow = new Map<string, number>();
  const counts = rows.map((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw fail('E_STORE_PROBE_ROWS', `row ${index} of ${where} is ${describeValue(row)}, not an object with ${NEEDED}`);
    }
    const record = row as Record<string, unknown>;
    const names = fixedNames ?? columnNames(Object.keys(record), `row ${index} of ${where} has the fields`, JSON_HINT, fail);
    const at = (field: Field): unknown => {
      const name = names.get(field);
      return name === undefined ? undefined : record[name];
    };
    const device = toId(at('device'), 'device', index, where, fail);
    const sensor = toId(at('sensor'), 'sensor', index, where, fail);
    const key = JSON.stringify([device, sensor]);
    const first = firstRow.get(key);
    if (first !== undefined) {
      throw fail('E_STORE_PROBE_ROWS', `rows ${first} and ${index} of ${where} are both (${device}, ${sensor}); it needs one row per device and sensor: group by device, sensor`);
    }
    firstRow.set(key, index);
    const count: StoredCount = { device, sensor, count: toCount(at('count'), names.get('count') ?? 'count', index, where, fail) };
    for (const field of ['distinct', 'minSeq', 'maxSeq'] as const) {
      const value = at(field);
      // An aggregate over no non-null seq is NULL: the column is there, the value is not.
      if (value !== undefined && value !== null) count[field] = toCount(value, names.get(field) ?? field, index, where, fail);
    }
    return count;
  });
  return counts.sort((a, b) => compare(a.device, b.device) || compare(a.sensor, b.sensor));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Which actual column holds each field; throws when a required one is missing or a field is given twice. */
function columnNames(
  present: readonly string[],
  prefix: string,
  hint: string,
  fail: (code: StoreProbeErrorCode, message: string) => StoreProbeError,
): Map<Field, string> {
  const names = new Map<Field, string>();
  for (const field of Object.keys(COLUMNS) as Field[]) {
    const aliases: readonly string[] = COLUMNS[field];
    const matches = present.filter((name) => aliases.includes(name));
    if (matches.length > 1) throw fail('E_STORE_PROBE_ROWS', `${prefix} ${matches.join(' and ')}, which mean the same: keep one`);
    if (matches[0] !== undefined) names.set(field, matches[0]);
  }
  const missing = REQUIRED.filter((field) => !names.has(field));
  if (missing.length > 0) {
    const shown = present.length > 0 ? present.join(', ') : '(none)';
    throw fail('E_STORE_PROBE_ROWS', `${prefix} ${shown}, without ${missing.join(', ')}; it needs ${NEEDED}: ${hint}`);
  }
  return names;
}

function toId(
  value: unknown,
  field: 'device' | 'sensor',
  index: number,
  where: string,
  fail: (code: StoreProbeErrorCode, message: string) => StoreProbeError,
): string {
  if (typeof value === 'string' && value !== '') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
  throw fail('E_STORE_PROBE_ROWS', `row ${index} of ${where}: ${field} is ${describeValue(value)}, expected a non-empty string`);
}

/** A non-negative safe integer from a number, a bigint or a numeric string. */
function toCount(
  value: unknown,
  column: string,
  index: number,
  where: string,
  fail: (code: StoreProbeErrorCode, message: string) => StoreProbeError,
): number {
  let number = Number.NaN;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'bigint') number = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n ? Number(value) : Number.NaN;
  else if (typeof value === 'string' && /^\s*\d+(\.0*)?\s*$/.test(value)) number = Number(value);
  if (Number.isSafeInteger(number) && number >= 0) return number;
  throw fail('E_STORE_PROBE_ROWS', `row ${index} of ${where}: ${column} is ${describeValue(value)}, expected a whole number ≥ 0`);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
