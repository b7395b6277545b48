// PostgresStorage against a PostgreSQL this file starts for itself, a new database per test.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, openStorage, PostgresStorage, type Storage } from '../../../cloud/index';
import { startPostgres, type Postgres } from '../../support/postgres';
import { batchOf, featureRecord, storageContract, T0, type StorageFixture } from '../../unit/cloud/storage-contract';

let server: Postgres;
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.close();
});

/**
 * The URL of a new, empty database on the server. Each through a connection of its own, closed before it returns:
 * an idle pooled one outlived the pool's end under load, and the server's shutdown then reached it as an error
 * nobody listened to (57P01), failing the run after every test had passed.
 */
async function freshDatabase(): Promise<string> {
  const name = `twin_${++databases}`;
  await sql(server.url, `CREATE DATABASE ${name}`);
  return server.url.replace(/\/postgres$/, `/${name}`);
}

const urls = new WeakMap<Storage, string>();
async function open(url: string): Promise<PostgresStorage> {
  const storage = await PostgresStorage.open(url, { maxConnections: 3 });
  urls.set(storage, url);
  return storage;
}

/** One statement on a database through a connection of our own: pg's own parsing (int8 as text, JSONB parsed). */
async function sql(url: string, statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

const fixture: StorageFixture = {
  create: async () => open(await freshDatabase()),
  sameDatabase: async (storage) => open(urls.get(storage)!),
  legacy: async (seed) => {
    const url = await freshDatabase();
    await sql(url, MIGRATIONS[0]!.sql.postgres);
    for (const statement of seed) await sql(url, statement);
    return open(url);
  },
  sql: async (storage, statement) => sql(urls.get(storage)!, statement),
};

storageContract('PostgresStorage', fixture);

describe('PostgresStorage', () => {
  it('lets two processes open a new database at once: one migrates, the other waits and finds it done', async () => {
    const url = await freshDatabase();
    const [a, b, c] = await Promise.all([open(url), open(url), open(url)]);
    try {
      expect(await Promise.all([a.schemaVersion(), b.schemaVersion(), c.schemaVersion()])).toEqual([LATEST_VERSION, LATEST_VERSION, LATEST_VERSION]);
      expect((await sql(url, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('lets two processes compact one database at once: every window is folded exactly once and neither fails', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    try {
      // Spread over many transactions' worth of windows, so the two runs overlap.
      await a.ingest(batchOf({ features: Array.from({ length: 5000 }, (_, seq) => featureRecord({ seq, tsMs: T0 + seq * 12, features: { rms: 1 } })) }));
      const options = { nowMs: T0 + 3_600_000, rawRetentionMs: 0, minuteRetentionMs: 3_600_000 };
      const [first, second] = await Promise.all([a.compact(options), b.compact(options)]);
      expect(first.rolledUp + second.rolledUp).toBe(5000);
      const hours = await a.rollups({ device: 'pump-1', sensor: 'accel', resolution: '1h' });
      expect(hours.items.map((r) => [r.count, r.features.rms])).toEqual([[5000, { min: 1, max: 1, mean: 1 }]]);
      const minutes = await a.rollups({ device: 'pump-1', sensor: 'accel', resolution: '1m' });
      expect(minutes.items.map((r) => r.count)).toEqual([5000]);
      expect((await a.counts()).features).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets two processes ingest overlapping batches at once: each key is stored once, as new for exactly one, and neither fails', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    try {
      for (let round = 0; round < 3; round++) {
        const windows = Array.from({ length: 1000 }, (_, i) => featureRecord({ seq: round * 1000 + i }));
        // Opposite orders: row locks taken in batch order would meet in the middle and deadlock.
        const [first, second] = await Promise.all([a.ingest(batchOf({ features: windows })), b.ingest(batchOf({ features: [...windows].reverse() }))]);
        const newInSecond = [...second.featuresNew].reverse();
        expect(first.featuresNew.map((isNew, i) => Number(isNew) + Number(newInSecond[i]))).toEqual(windows.map(() => 1));
      }
      expect((await a.counts()).features).toBe(3000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores times, bytes and JSON in native types: DOUBLE PRECISION, BYTEA and JSONB', async () => {
    const url = await freshDatabase();
    const storage = await open(url);
    await storage.close();
    const types = await sql(
      url,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE (table_name, column_name) IN (('features', 'ts_ms'), ('raw_blocks', 'data'), ('features', 'features_json'), ('models', 'bytes'), ('controller_state', 'value_json'))
       ORDER BY table_name, column_name`,
    );
    expect(types.map((t) => `${t.table_name}.${t.column_name} ${t.data_type}`)).toEqual([
      'controller_state.value_json jsonb',
      'features.features_json jsonb',
      'features.ts_ms double precision',
      'models.bytes bytea',
      'raw_blocks.data bytea',
    ]);
  });

  it('is what openStorage opens for postgres:// and postgresql:// URLs', async () => {
    for (const scheme of ['postgres', 'postgresql']) {
      const url = (await freshDatabase()).replace(/^postgres/, scheme);
      const storage = await openStorage(url);
      try {
        expect(storage).toBeInstanceOf(PostgresStorage);
        expect(await storage.insertFeatures(featureRecord())).toBe(true);
      } finally {
        await storage.close();
      }
      expect(await sql(url, 'SELECT count(*)::int AS n FROM features')).toEqual([{ n: 1 }]);
    }
  });

  it('fails to open with E_STORAGE_OPEN when the database does not exist, naming it without the password', async () => {
    const url = server.url.replace('//postgres@', '//postgres:s3cret@').replace(/\/postgres$/, '/nowhere');
    const error = await PostgresStorage.open(url).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('E_STORAGE_OPEN');
    expect(error?.message).toContain(`postgres://postgres@127.0.0.1:${server.port}/nowhere: cannot open the database (database "nowhere" does not exist, 3D000)`);
    expect(error?.message).not.toContain('s3cret');
  });
});
