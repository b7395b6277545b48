import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Row {
  timeS: number;
  label: string;
  severity: number;
}

/** Streams a dataset CSV, keeping only what the label checks need. */
async function rows(file: string): Promise<{ header: string; rows: Row[] }> {
  const lines = createInterface({ input: createReadStream(file) });
  let header = '';
  const out: Row[] = [];
  for await (const line of lines) {
    if (!header) {
      header = line;
      continue;
    }
    const [, timeS, , label, severity] = line.split(',');
    out.push({ timeS: Number(timeS), label: label!, severity: Number(severity) });
  }
  return { header, rows: out };
}

describe('twinbed generate', () => {
  it('writes labelled CSV files whose labels switch at the scenario’s fault onset', async () => {
    const out = join(dir, 'csv');
    const { code, stdout, stderr } = await runTwinbed(['generate', 'scenarios/library/bearing-outer-race.yaml', '--out', out, '--format', 'csv']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('3 files, 1,536,120 labelled samples of 60 s simulated');
    expect(stderr).toContain('100% 60/60 s simulated');

    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ scenario: 'bearing outer race', seed: 101, durationS: 60 });
    expect(manifest.files.map((f: { path: string; rows: number; unit: string }) => [f.path, f.rows, f.unit])).toEqual([
      ['pump-1/accel.csv', 1_536_000, 'g'],
      ['pump-1/winding-temp.csv', 60, 'degC'],
      ['pump-1/bearing-temp.csv', 60, 'degC'],
    ]);
    expect(manifest.truth).toEqual([
      { device: 'pump-1', timeS: 0, label: 'healthy' },
      { device: 'pump-1', timeS: 20, label: 'bearing-outer' },
    ]);

    const accel = await rows(join(out, 'pump-1', 'accel.csv'));
    expect(accel.header).toBe('ts_ms,time_s,value,label,severity');
    expect(accel.rows).toHaveLength(1_536_000);
    // Sample-exact: the fault is on from the sample at 20 s (where the ramp's severity is still 0).
    const firstFaulty = accel.rows.findIndex((r) => r.label !== 'healthy');
    expect(firstFaulty).toBe(20 * 25_600);
    expect(accel.rows[firstFaulty]!.timeS).toBe(20);
    expect(accel.rows[firstFaulty]!.severity).toBe(0);
    expect(accel.rows.slice(firstFaulty).every((r) => r.label === 'bearing-outer')).toBe(true);
    // Severity ramps to 0.5 over 20 s.
    expect(accel.rows[firstFaulty + 10 * 25_600]!.severity).toBeCloseTo(0.25, 3);
    expect(accel.rows.at(-1)!.severity).toBe(0.5);

    const temps = await rows(join(out, 'pump-1', 'bearing-temp.csv'));
    expect(temps.rows.filter((r) => r.label === 'healthy').map((r) => r.timeS)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('writes Parquet that DuckDB reads back with the same rows and labels', async () => {
    const out = join(dir, 'parquet');
    const { code, stderr } = await runTwinbed(['generate', 'scenarios/library/bearing-outer-race.yaml', '--out', out, '--format', 'parquet']);
    expect(code, stderr).toBe(0);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const result = await db.runAndReadAll(
      `SELECT label, count(*)::INTEGER AS n, min(time_s) AS first FROM '${join(out, 'pump-1', 'accel.parquet')}' GROUP BY label ORDER BY first`,
    );
    expect(result.getRowObjects()).toEqual([
      { label: 'healthy', n: 512_000, first: 0 },
      { label: 'bearing-outer', n: 1_024_000, first: 20 },
    ]);
    db.closeSync();
  });

  it('exits 2 with the usage when --out is missing', async () => {
    const { code, stderr } = await runTwinbed(['generate', 'scenarios/library/bearing-outer-race.yaml']);
    expect(code).toBe(2);
    expect(stderr).toContain("error: required option '--out <dir>' not specified");
  });
});
