import { TwinbedError } from '../../protocol';

/** Stable codes of {@link StorageError}. */
export type StorageErrorCode =
  /** The storage URL is none of the accepted forms. */
  | 'E_STORAGE_URL'
  /** The database cannot be opened or reached (path, permissions, server down, wrong credentials). */
  | 'E_STORAGE_OPEN'
  /** The database holds a schema newer than this twinbed, or a migration failed. */
  | 'E_STORAGE_SCHEMA'
  /** A query argument is out of range: a limit, a cursor from another query, a negative retention. */
  | 'E_STORAGE_QUERY'
  /** A model version is registered already; versions are immutable. */
  | 'E_STORAGE_MODEL_EXISTS'
  /** A write did not commit; nothing of that call was stored. */
  | 'E_STORAGE_WRITE'
  /** The storage was used after close(). */
  | 'E_STORAGE_CLOSED';

/** A failure of the cloud's storage; the message names the database (without its password) and what to do next. */
export class StorageError extends TwinbedError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A URL fit for messages: the password and the query string (which may hold one) are left out. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    const query = parsed.search ? '?…' : '';
    parsed.search = '';
    return `${parsed.toString()}${query}`;
  } catch {
    return url.replace(/:[^:@/]*@/, '@');
  }
}
