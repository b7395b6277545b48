import { redactUrl, StorageError } from './errors';
import { PostgresStorage } from './postgres-storage';
import { SqliteStorage } from './sqlite-storage';
import type { Storage } from './storage';

const ACCEPTED = 'postgres://… or postgresql://… for PostgreSQL; sqlite:PATH, a file path, or :memory: for SQLite';

/**
 * The storage a URL names: `postgres://` or `postgresql://` opens PostgresStorage; `sqlite:PATH`, a plain path or
 * `:memory:` opens SqliteStorage. Either way the database is migrated to the newest schema before this resolves.
 */
export async function openStorage(url: string): Promise<Storage> {
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresStorage.open(url);
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  // Any other scheme is a mistake, not a file name; a Windows drive (C:\…) is a path.
  const otherScheme = /^[a-z][a-z0-9+.-]*:/i.test(path) && path !== ':memory:' && !/^[a-z]:[\\/]/i.test(path);
  if (path.trim() === '' || otherScheme) {
    throw new StorageError('E_STORAGE_URL', `storage URL "${redactUrl(url)}" is not one twinbed opens; use ${ACCEPTED}`);
  }
  return new SqliteStorage(path);
}
