// Downsampling of feature windows into minute and hour buckets, the same for every engine.
import { fromJson } from './rows';
import type { Row } from './sql-engine';
import type { RollupRecord, RollupResolution } from './storage';

export const RESOLUTION_MS: Readonly<Record<RollupResolution, number>> = { '1m': 60_000, '1h': 3_600_000 };

/** One feature in a bucket. Sum and n, not the mean, so merging buckets weighs every window once. */
interface RunningStats {
  min: number;
  max: number;
  sum: number;
  n: number;
}

export interface Bucket {
  device: string;
  sensor: string;
  resolution: RollupResolution;
  bucketMs: number;
  count: number;
  stats: Record<string, RunningStats>;
}

/** What a feature window contributes. */
export interface WindowValues {
  device: string;
  sensor: string;
  tsMs: number;
  features: Record<string, number>;
}

export const bucketStart = (tsMs: number, resolution: RollupResolution): number => Math.floor(tsMs / RESOLUTION_MS[resolution]) * RESOLUTION_MS[resolution];

export const bucketKey = (b: Pick<Bucket, 'device' | 'sensor' | 'resolution' | 'bucketMs'>): string => JSON.stringify([b.device, b.sensor, b.resolution, b.bucketMs]);

/** The minute and hour buckets the windows fall in, each holding only these windows. */
export function foldWindows(windows: readonly WindowValues[]): Map<string, Bucket> {
  const buckets = new Map<string, Bucket>();
  for (const window of windows) {
    for (const resolution of ['1m', '1h'] as const) {
      const at = { device: window.device, sensor: window.sensor, resolution, bucketMs: bucketStart(window.tsMs, resolution) };
      const key = bucketKey(at);
      const bucket = buckets.get(key) ?? { ...at, count: 0, stats: {} };
      buckets.set(key, mergeBuckets(bucket, { ...at, count: 1, stats: statsOf(window.features) }));
    }
  }
  return buckets;
}

/** Both buckets' windows in one bucket (of the same place and resolution). */
export function mergeBuckets(a: Bucket, b: Bucket): Bucket {
  const stats: Record<string, RunningStats> = { ...a.stats };
  for (const [name, s] of Object.entries(b.stats)) {
    const t = stats[name];
    stats[name] = t === undefined ? s : { min: Math.min(t.min, s.min), max: Math.max(t.max, s.max), sum: t.sum + s.sum, n: t.n + s.n };
  }
  return { ...a, count: a.count + b.count, stats };
}

// A non-finite value has no min, max or mean worth keeping (and JSON cannot hold it).
function statsOf(features: Record<string, number>): Record<string, RunningStats> {
  const stats: Record<string, RunningStats> = {};
  for (const [name, value] of Object.entries(features)) if (Number.isFinite(value)) stats[name] = { min: value, max: value, sum: value, n: 1 };
  return stats;
}

export const ROLLUP_COLUMNS = ['device', 'sensor', 'resolution', 'bucket_ms', 'count', 'stats_json'] as const;
export const rollupValues = (b: Bucket): unknown[] => [b.device, b.sensor, b.resolution, b.bucketMs, b.count, JSON.stringify(b.stats)];
export const toBucket = (row: Row): Bucket => ({
  device: row.device as string,
  sensor: row.sensor as string,
  resolution: row.resolution as RollupResolution,
  bucketMs: row.bucket_ms as number,
  count: row.count as number,
  stats: fromJson(row.stats_json) as Record<string, RunningStats>,
});

export function toRollupRecord(b: Bucket): RollupRecord {
  const features: RollupRecord['features'] = {};
  for (const [name, s] of Object.entries(b.stats)) features[name] = { min: s.min, max: s.max, mean: s.sum / s.n };
  return { device: b.device, sensor: b.sensor, resolution: b.resolution, bucketMs: b.bucketMs, count: b.count, features };
}
