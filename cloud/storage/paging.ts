import type { Page } from '../records';
import { StorageError } from './errors';

/** Items per page when the query names no limit. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The largest page a query may ask for. */
export const MAX_PAGE_LIMIT = 10_000;

/** A keyset position: the sort key of the last item of a page. */
export type Key = readonly (string | number)[];

/** The page size a query asked for; an out-of-range limit is refused, not clamped. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new StorageError('E_STORAGE_QUERY', `limit ${limit} is out of range; ask for a whole number of items from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

/**
 * Cursors are the sort key of the last item returned, so a page starts strictly after it: rows stored between two
 * pages land before the cursor (never seen, never shifting) or after it (seen once), and none is skipped or repeated.
 * The query kind rides along so a cursor of one query is refused by another.
 */
export function encodeCursor(kind: string, key: Key): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/** The key inside a cursor `encodeCursor(kind, …)` made, checked against the types of the query's sort key. */
export function decodeCursor(kind: string, cursor: string, shape: readonly ('string' | 'number')[]): Key {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const fits =
    Array.isArray(decoded) &&
    decoded.length === shape.length + 1 &&
    decoded[0] === kind &&
    shape.every((type, i) => typeof decoded[i + 1] === type && (type === 'string' || Number.isFinite(decoded[i + 1])));
  if (!fits) {
    throw new StorageError('E_STORAGE_QUERY', `the cursor is not one a ${kind} page returned; pass back the previous page's \`next\` unchanged, or omit it for the first page`);
  }
  return (decoded as unknown[]).slice(1) as Key;
}

/** A page from up to limit + 1 rows: the extra row only says that another page follows. */
export function toPage<R, T>(rows: readonly R[], limit: number, kind: string, keyOf: (row: R) => Key, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined ? { items: items.map(map), next: encodeCursor(kind, keyOf(last)) } : { items: items.map(map) };
}
