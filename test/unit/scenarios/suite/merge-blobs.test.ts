import { describe, expect, it } from 'vitest';
import { mergeBlobs } from '../../../../scenarios/suite/merge/merge-blobs';
import type { BlobFile } from '../../../../scenarios/suite/merge/read-blobs';
import { MergeError } from '../../../../scenarios/suite/merge/read-blobs';
import { BLOB_KIND, BLOB_VERSION } from '../../../../scenarios/suite/reporters/blob-reporter';
import type { SuiteTestResult } from '../../../../scenarios/suite/suite-types';
import { suiteTest } from './report-fixtures';

function blob(file: string, shard: { current: number; total: number } | undefined, ids: string[], durationMs = 1000): BlobFile {
  const results: SuiteTestResult[] = ids.map((id) => ({ test: suiteTest(id), status: 'passed', attempts: [{ retry: 0, status: 'passed', durationMs: 10 }] }));
  return {
    file,
    blob: {
      kind: BLOB_KIND,
      version: BLOB_VERSION,
      config: { patterns: ['s/'], workers: shard?.current ?? 1, retries: 0, repeatEach: 1, failOnFlaky: false, outputDir: `out-${file}`, ...(shard ? { shard } : {}) },
      tests: results.map((r) => r.test),
      results,
      summary: { status: 'passed', exitCode: 0, counts: { passed: ids.length, failed: 0, flaky: 0, timedOut: 0, errored: 0, interrupted: 0 }, durationMs },
    },
  };
}

describe('mergeBlobs', () => {
  it('joins shards in shard order, whatever order the files come in, as one unsharded run', () => {
    const merged = mergeBlobs([blob('c', { current: 3, total: 3 }, ['s/e']), blob('a', { current: 1, total: 3 }, ['s/a', 's/b']), blob('b', { current: 2, total: 3 }, ['s/c', 's/d'], 5000)], 'merged');
    expect(merged.results.map((r) => r.test.id)).toEqual(['s/a', 's/b', 's/c', 's/d', 's/e']);
    expect(merged.config).toMatchObject({ outputDir: 'merged', workers: 3 });
    expect(merged.config.shard).toBeUndefined();
    expect(merged.durationMs).toBe(5000);
    expect(merged.notes).toEqual([]);
  });

  it('notes missing shards, and refuses a test that is in two blobs or blobs of different shard counts', () => {
    expect(mergeBlobs([blob('a', { current: 1, total: 3 }, ['s/a'])], 'm').notes).toEqual(['shards 2, 3 of 3 missing: the merged report covers only the rest']);
    expect(() => mergeBlobs([blob('a', { current: 1, total: 2 }, ['s/a']), blob('b', { current: 2, total: 2 }, ['s/a'])], 'm')).toThrow(
      new MergeError('s/a is in two blob reports, a and b: merge the blobs of one run'),
    );
    expect(() => mergeBlobs([blob('a', { current: 1, total: 2 }, ['s/a']), blob('b', undefined, ['s/b'])], 'm')).toThrow(/different shardings/);
  });
});
