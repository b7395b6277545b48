// exportParquet: feature windows out of any Storage into a Parquet file, read back here with DuckDB.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportParquet, SqliteStorage } from '../../../cloud/index';
import { batchOf, featureRecord, T0 } from '../../unit/cloud/storage-contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => path.join(dir, `export-${++files}.parquet`);

/** The file's columns (name and type) and its rows, as DuckDB reads them. */
async function readParquet(file: string) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = `read_parquet('${file.replaceAll("'", "''")}')`;
    const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS().map((c) => `${c.column_name} ${c.column_type}`);
    const rows = (await connection.runAndReadAll(`SELECT * FROM ${source}`)).getRowObjectsJS();
    return { columns, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('exportParquet', () => {
  let storage: SqliteStorage;
  const accel = Array.from({ length: 25_003 }, (_, seq) => featureRecord({ seq, tsMs: T0 + seq * 40, features: { rms: seq / 1000, peak: 0.5, crest: 2.5 } }));
  const temp = [0, 1, 2].map((seq) => featureRecord({ sensor: 'temp', seq, tsMs: T0 + seq * 1000, unit: 'degC', windowMs: 1000, features: { tempC: 40 + seq, seq: 10 + seq } }));
  const fan = featureRecord({ device: 'fan-1', seq: 7, tsMs: T0 + 5, features: { rms: 0.125, kurtosis: 3.5 } });

  beforeEach(async () => {
    storage = new SqliteStorage(':memory:');
    await storage.ingest(batchOf({ features: [...accel, ...temp, fan] }));
  });
  afterEach(() => storage.close());

  it('writes one row per window with one DOUBLE column per feature name seen, in name order, null where a window lacks it', async () => {
    const file = freshFile();
    expect(await exportParquet(storage, {}, file)).toEqual({ rows: 25_007 });
    const { columns, rows } = await readParquet(file);
    expect(columns).toEqual([
      'device VARCHAR',
      'sensor VARCHAR',
      'seq BIGINT',
      'ts_ms DOUBLE',
      'window_ms DOUBLE',
      'unit VARCHAR',
      'crest DOUBLE',
      'kurtosis DOUBLE',
      'peak DOUBLE',
      'rms DOUBLE',
      // A feature named like a fixed column keeps its place in name order under a prefixed name.
      'feature_seq DOUBLE',
      'tempC DOUBLE',
    ]);
    expect(rows).toHaveLength(25_007);
    // Ordered by device, sensor, event time.
    expect(rows[0]).toEqual({ device: 'fan-1', sensor: 'accel', seq: 7n, ts_ms: T0 + 5, window_ms: 40, unit: 'g', crest: null, feature_seq: null, kurtosis: 3.5, peak: null, rms: 0.125, tempC: null });
    const last = rows[25_003]!;
    expect(last).toEqual({ device: 'pump-1', sensor: 'accel', seq: 25_002n, ts_ms: T0 + 25_002 * 40, window_ms: 40, unit: 'g', crest: 2.5, feature_seq: null, kurtosis: null, peak: 0.5, rms: 25.002, tempC: null });
    expect(rows.slice(1, 25_004).every((row, i) => row.seq === BigInt(i) && row.rms === i / 1000)).toBe(true);
    expect(rows.slice(25_004).map((r) => [r.seq, r.unit, r.window_ms, r.tempC, r.feature_seq])).toEqual([
      [0n, 'degC', 1000, 40, 10],
      [1n, 'degC', 1000, 41, 11],
      [2n, 'degC', 1000, 42, 12],
    ]);
  });

  it('exports only the device, sensor and inclusive time range asked for, with only their feature names', async () => {
    const file = freshFile();
    expect(await exportParquet(storage, { device: 'pump-1', sensor: 'temp', fromMs: T0 + 1000, toMs: T0 + 2000 }, file)).toEqual({ rows: 2 });
    const { columns, rows } = await readParquet(file);
    expect(columns.slice(6)).toEqual(['feature_seq DOUBLE', 'tempC DOUBLE']);
    expect(rows.map((r) => [r.device, r.sensor, r.seq, r.tempC])).toEqual([
      ['pump-1', 'temp', 1n, 41],
      ['pump-1', 'temp', 2n, 42],
    ]);
  });

  it('writes a file with the fixed columns and no rows when nothing matches', async () => {
    const file = freshFile();
    expect(await exportParquet(storage, { device: 'pump-9' }, file)).toEqual({ rows: 0 });
    const { columns, rows } = await readParquet(file);
    expect(columns).toEqual(['device VARCHAR', 'sensor VARCHAR', 'seq BIGINT', 'ts_ms DOUBLE', 'window_ms DOUBLE', 'unit VARCHAR']);
    expect(rows).toEqual([]);
  });
});
