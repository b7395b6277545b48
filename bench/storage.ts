// Storage benchmark: how fast the cloud can store readings, with dedupe, on each embedded engine.
// Baseline, measured in the same run: better-sqlite3 with one transaction per reading (the naive way).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { SqliteStorage, type FeatureRecord } from '../cloud';
import { machineLine, percentile } from './machine';

export interface StorageBenchResult {
  records: number;
  naiveSqlitePerS: number;
  sqliteStoragePerS: number;
  duckdbPerS: number;
  sqliteVsNaive: number;
  duckdbVsNaive: number;
  sqliteSeriesP50Ms: number;
  duckdbSeriesP50Ms: number;
}

const DEVICES = ['pump-1', 'pump-2', 'fan-1'];
const DUCKDB_SAMPLE = 3000;
const START_MS = Date.parse('2026-01-01T00:00:00Z');

function records(count: number): FeatureRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    device: DEVICES[i % 3]!,
    sensor: 'accel',
    seq: Math.floor(i / 3),
    tsMs: START_MS + Math.floor(i / 3) * 40,
    windowMs: 40,
    unit: 'g',
    features: { rms: 0.02 + (i % 7) * 0.001, peak: 0.06, crest: 3 },
    receivedMs: START_MS,
  }));
}

/** Readings arrive in bursts (one socket read holds many); 100 per event-loop turn is typical here. */
async function inBursts(batch: readonly FeatureRecord[], insert: (r: FeatureRecord) => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < batch.length; i++) {
    await insert(batch[i]!);
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - started;
}

export async function storageBench(count = 30_000): Promise<StorageBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'twinbed-bench-'));
  const data = records(count);
  const seriesFrom = START_MS + 1000 * 40;
  const seriesTo = START_MS + 2000 * 40;
  try {
    // Naive: autocommit, one fsync-bearing transaction per reading.
    const naive = new Database(join(dir, 'naive.db'));
    naive.pragma('journal_mode = WAL');
    naive.pragma('synchronous = NORMAL');
    naive.exec('CREATE TABLE f (device TEXT, sensor TEXT, seq INTEGER, ts_ms REAL, rms REAL, json TEXT, PRIMARY KEY (device, sensor, seq)) WITHOUT ROWID');
    const naiveInsert = naive.prepare('INSERT OR IGNORE INTO f VALUES (?, ?, ?, ?, ?, ?)');
    const naiveMs = await inBursts(data, (r) => naiveInsert.run(r.device, r.sensor, r.seq, r.tsMs, r.features.rms, JSON.stringify(r.features)));
    naive.close();

    const sqlite = new SqliteStorage(join(dir, 'cloud.db'));
    const sqliteMs = await inBursts(data, (r) => sqlite.insertFeatures(r));
    const sqliteSeries: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await sqlite.series({ device: 'pump-1', sensor: 'accel', fromMs: seriesFrom, toMs: seriesTo });
      sqliteSeries.push(performance.now() - t);
    }
    await sqlite.close();

    const duck = await (await DuckDBInstance.create(join(dir, 'cloud.duckdb'))).connect();
    await duck.run(
      'CREATE TABLE features (device VARCHAR, sensor VARCHAR, seq BIGINT, ts_ms DOUBLE, window_ms DOUBLE, unit VARCHAR, rms DOUBLE, peak DOUBLE, crest DOUBLE, features_json VARCHAR, received_ms DOUBLE, PRIMARY KEY (device, sensor, seq))',
    );
    const duckInsert = await duck.prepare('INSERT OR IGNORE INTO features VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)');
    // The same group commit as SqliteStorage: one transaction per burst of 100. DuckDB's row-at-a-time inserts
    // into a keyed table run at hundreds a second, so it gets a smaller sample and the rate is scaled from that.
    const duckData = data.slice(0, DUCKDB_SAMPLE);
    const duckStarted = performance.now();
    for (let i = 0; i < duckData.length; i += 100) {
      await duck.run('BEGIN TRANSACTION');
      for (const r of duckData.slice(i, i + 100)) {
        duckInsert.bind([r.device, r.sensor, r.seq, r.tsMs, r.windowMs, r.unit, r.features.rms!, r.features.peak!, r.features.crest!, JSON.stringify(r.features), r.receivedMs]);
        await duckInsert.run();
      }
      await duck.run('COMMIT');
    }
    const duckMs = performance.now() - duckStarted;
    const duckSeries: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await duck.runAndReadAll(`SELECT * FROM features WHERE device = 'pump-1' AND sensor = 'accel' AND ts_ms BETWEEN ${seriesFrom} AND ${seriesTo} ORDER BY ts_ms`);
      duckSeries.push(performance.now() - t);
    }
    duck.closeSync();

    const perS = (ms: number, n = count) => Math.round((n / ms) * 1000);
    const naivePerS = perS(naiveMs);
    return {
      records: count,
      naiveSqlitePerS: naivePerS,
      sqliteStoragePerS: perS(sqliteMs),
      duckdbPerS: perS(duckMs, duckData.length),
      sqliteVsNaive: Number((perS(sqliteMs) / naivePerS).toFixed(2)),
      duckdbVsNaive: Number((perS(duckMs, duckData.length) / naivePerS).toFixed(3)),
      sqliteSeriesP50Ms: Number(percentile(sqliteSeries.sort((a, b) => a - b), 50).toFixed(3)),
      duckdbSeriesP50Ms: Number(percentile(duckSeries.sort((a, b) => a - b), 50).toFixed(3)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatStorage(r: StorageBenchResult): string {
  return [
    `storage: ${r.records} feature records with dedupe on (device, sensor, seq), on ${machineLine()}`,
    `  ${'naive SQLite, a transaction per reading (baseline)'.padEnd(52)} ${r.naiveSqlitePerS.toLocaleString('en')} records/s`,
    `  ${'SqliteStorage, group commit per event-loop turn'.padEnd(52)} ${r.sqliteStoragePerS.toLocaleString('en')} records/s  ×${r.sqliteVsNaive}`,
    `  ${`DuckDB, same group commit (first ${DUCKDB_SAMPLE} records)`.padEnd(52)} ${r.duckdbPerS.toLocaleString('en')} records/s  ×${r.duckdbVsNaive}`,
    `  series query, 1000 readings of one sensor: SQLite p50 ${r.sqliteSeriesP50Ms} ms, DuckDB p50 ${r.duckdbSeriesP50Ms} ms`,
  ].join('\n');
}
