import type { SuiteConfig, SuiteTest, SuiteTestResult } from '../suite-types';
import { MergeError, type BlobFile } from './read-blobs';

export interface MergedSuite {
  config: SuiteConfig;
  tests: SuiteTest[];
  results: SuiteTestResult[];
  /** Wall ms of the longest shard: shards run side by side. */
  durationMs: number;
  /** A shard was stopped by a signal. */
  stoppedBySignal: boolean;
  /** Things to tell the user, such as shards that are missing. */
  notes: string[];
}

/**
 * The union of shards' blob reports, in the order one unsharded run would report it: shards are contiguous slices
 * of the sorted files, so shard order then each shard's own order is the suite's order. A test in two blobs, or
 * blobs of different shard counts, is an error: the union would not be one suite.
 */
export function mergeBlobs(blobs: readonly BlobFile[], outputDir: string): MergedSuite {
  const shardOf = (b: BlobFile) => b.blob.config.shard;
  const totals = new Set(blobs.map((b) => shardOf(b)?.total ?? 1));
  if (totals.size > 1) throw new MergeError(`these blobs come from different shardings and are not one suite:\n${blobs.map((b) => `  ${b.file}: ${describeShard(b)}`).join('\n')}`);
  const sorted = [...blobs].sort((a, b) => (shardOf(a)?.current ?? 0) - (shardOf(b)?.current ?? 0));

  const seen = new Map<string, string>();
  const tests: SuiteTest[] = [];
  const results: SuiteTestResult[] = [];
  for (const { file, blob } of sorted) {
    for (const test of blob.tests) {
      const other = seen.get(test.id);
      if (other) throw new MergeError(`${test.id} is in two blob reports, ${other} and ${file}: merge the blobs of one run`);
      seen.set(test.id, file);
      tests.push(test);
    }
    results.push(...blob.results);
  }

  const notes: string[] = [];
  const total = [...totals][0]!;
  const present = new Set(sorted.map((b) => shardOf(b)?.current ?? 1));
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !present.has(i));
  if (missing.length) notes.push(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${total} missing: the merged report covers only the rest`);

  const first = sorted[0]!.blob.config;
  const { shard: _shard, ...rest } = first;
  const config: SuiteConfig = {
    ...rest,
    patterns: [...new Set(sorted.flatMap((b) => b.blob.config.patterns))],
    workers: Math.max(...sorted.map((b) => b.blob.config.workers)),
    outputDir,
  };
  return {
    config,
    tests,
    results,
    durationMs: Math.max(...sorted.map((b) => b.blob.summary.durationMs)),
    stoppedBySignal: sorted.some((b) => b.blob.summary.status === 'interrupted'),
    notes,
  };
}

function describeShard(b: BlobFile): string {
  const shard = b.blob.config.shard;
  return shard ? `shard ${shard.current}/${shard.total}` : 'not sharded';
}
