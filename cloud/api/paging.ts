import { z } from 'zod';
import type { Page } from '../records';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, StorageError } from '../storage';
import { decodeCursor, encodeCursor } from '../storage/paging';
import { BadRequestError } from './errors';

// Every list the API serves is paged the same way: `limit` and `cursor` in the query, `{ items, next? }` back.

/** The paging fields of a list's query; storage refuses an out-of-range limit, so it is checked here with its field. */
export const PageQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT)
    .optional()
    .describe(`At most this many items. Default ${DEFAULT_PAGE_LIMIT}, at most ${MAX_PAGE_LIMIT}.`),
  cursor: z.string().min(1).max(2048).optional().describe('The `next` of the previous page, unchanged; omit it for the first page.'),
};

/** A page of `item`: `{ items, next? }`, documented under `<id>`. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      next: z.string().optional().describe('Pass it back as `cursor` for the following page; absent on the last page.'),
    })
    .strict()
    .meta({ id, description: 'One page of a list; follow `next` for the rest.' });
}

/**
 * Runs a storage page query. A cursor the storage refuses (from another list, or edited) is bad input, named by its
 * field; the limit was checked before.
 */
export async function storagePage<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof StorageError && error.code === 'E_STORAGE_QUERY') throw new BadRequestError(`cursor: ${error.message}`);
    throw error;
  }
}

/**
 * One page of a list held in memory, in its own order, keyed by a unique string of each item: a page starts after the
 * item its cursor names, so items added later (at the end) never shift one already returned.
 */
export function memoryPage<T>(items: readonly T[], keyOf: (item: T) => string, kind: string, query: { limit?: number; cursor?: string }): Page<T> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  let start = 0;
  if (query.cursor !== undefined) {
    const after = cursorKey(kind, query.cursor);
    const at = items.findIndex((item) => keyOf(item) === after);
    if (at < 0) throw new BadRequestError(`cursor: its ${kind} item "${after}" is no longer listed; start again without a cursor`);
    start = at + 1;
  }
  const page = items.slice(start, start + limit);
  const last = page.at(-1);
  return start + limit < items.length && last !== undefined ? { items: page, next: encodeCursor(kind, [keyOf(last)]) } : { items: page };
}

function cursorKey(kind: string, cursor: string): string {
  try {
    return decodeCursor(kind, cursor, ['string'])[0] as string;
  } catch (error) {
    if (error instanceof StorageError) throw new BadRequestError(`cursor: ${error.message}`);
    throw error;
  }
}
