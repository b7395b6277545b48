import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEngine } from '../../../cloud/storage/sqlite-engine';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the cloud SQLite store\'s write-ahead log', () => {
  it('gives back the disk a burst took: the -wal file shrinks to walLimitBytes after the next checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinbed-wal-'));
    dirs.push(dir);
    const file = join(dir, 'cloud.db');
    const engine = new SqliteEngine(file, { walLimitBytes: 1024 * 1024 });
    await engine.run('CREATE TABLE burst (b BLOB)');
    // 8 MB in one transaction: the log must hold it all until it commits.
    await engine.run('INSERT INTO burst SELECT zeroblob(4000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 2000) SELECT i FROM n)');
    const burst = statSync(`${file}-wal`).size;
    expect(burst).toBeGreaterThan(8_000_000);
    await engine.run('DELETE FROM burst');
    await engine.run('INSERT INTO burst VALUES (zeroblob(10))');
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(1024 * 1024);
    await engine.close();
  });
});
