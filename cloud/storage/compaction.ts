import { StorageError } from './errors';
import { foldWindows, mergeBuckets, ROLLUP_COLUMNS, rollupValues, toBucket, type Bucket } from './rollup';
import { fromJson } from './rows';
import type { SqlEngine, SqlExecutor } from './sql-engine';
import type { CompactOptions, CompactResult } from './storage';

/** Windows rolled up per transaction: each transaction is short, and complete on its own if the process dies. */
const WINDOWS_PER_TRANSACTION = 1000;

const UPSERT_ROLLUP = `INSERT INTO feature_rollups (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (device, sensor, resolution, bucket_ms) DO UPDATE SET count = excluded.count, stats_json = excluded.stats_json`;

/**
 * Folds feature windows older than the raw retention into minute and hour rollups and deletes them, deletes raw
 * blocks older than it, then minute rollups older than the minute retention. A window is folded and deleted in the
 * same transaction, so a crash never counts it twice, and a second run finds nothing left to fold.
 */
export async function compact(engine: SqlEngine, { nowMs, rawRetentionMs, minuteRetentionMs }: CompactOptions): Promise<CompactResult> {
  for (const [name, value] of Object.entries({ nowMs, rawRetentionMs, minuteRetentionMs })) {
    if (!Number.isFinite(value) || (name !== 'nowMs' && value < 0)) {
      throw new StorageError('E_STORAGE_QUERY', `compact: ${name} is ${value}; give a finite number of ms${name === 'nowMs' ? '' : ', 0 or more'}`);
    }
  }
  const rawCutoffMs = nowMs - rawRetentionMs;
  let rolledUp = 0;
  for (;;) {
    // The lock keeps two processes on one database from folding the same windows into a bucket twice.
    const folded = await engine.transaction((tx) => foldOldest(tx, rawCutoffMs), 'compaction');
    rolledUp += folded;
    if (folded < WINDOWS_PER_TRANSACTION) break;
  }
  const deletedRaw = await engine.run('DELETE FROM raw_blocks WHERE ts_ms < ?', [rawCutoffMs]);
  const deletedMinute = await engine.run("DELETE FROM feature_rollups WHERE resolution = '1m' AND bucket_ms < ?", [nowMs - minuteRetentionMs]);
  return { rolledUp, deletedRaw, deletedMinute };
}

/** Folds the oldest windows before the cutoff into their buckets and deletes them; returns how many. */
async function foldOldest(tx: SqlExecutor, cutoffMs: number): Promise<number> {
  const windows = await tx.all<{ device: string; sensor: string; seq: number; ts_ms: number; features_json: string }>(
    'SELECT device, sensor, seq, ts_ms, features_json FROM features WHERE ts_ms < ? ORDER BY ts_ms, device, sensor, seq LIMIT ?',
    [cutoffMs, WINDOWS_PER_TRANSACTION],
  );
  if (windows.length === 0) return 0;
  const buckets = foldWindows(windows.map((w) => ({ device: w.device, sensor: w.sensor, tsMs: w.ts_ms, features: fromJson(w.features_json) as Record<string, number> })));
  for (const bucket of buckets.values()) {
    const [stored] = await tx.all('SELECT * FROM feature_rollups WHERE device = ? AND sensor = ? AND resolution = ? AND bucket_ms = ?', [
      bucket.device,
      bucket.sensor,
      bucket.resolution,
      bucket.bucketMs,
    ]);
    const merged: Bucket = stored === undefined ? bucket : mergeBuckets(toBucket(stored), bucket);
    await tx.run(UPSERT_ROLLUP, rollupValues(merged));
  }
  // By exact key, not by range: a late window stored meanwhile (another process) must wait for the next run.
  const keys = windows.map(() => '(?, ?, CAST(? AS BIGINT))').join(', ');
  const deleted = await tx.run(
    `DELETE FROM features WHERE (device, sensor, seq) IN (VALUES ${keys})`,
    windows.flatMap((w) => [w.device, w.sensor, w.seq]),
  );
  if (deleted !== windows.length) throw new StorageError('E_STORAGE_WRITE', `compact: folded ${windows.length} windows but deleted ${deleted}; the transaction was rolled back, run compact again`);
  return windows.length;
}
