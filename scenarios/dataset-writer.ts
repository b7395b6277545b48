import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TruthFault } from '../protocol';

export type DatasetFormat = 'csv' | 'parquet';

/** One sensor's file: a row per sample with its timestamp and ground-truth label. */
export class SensorCsvFile {
  readonly path: string;
  readonly #stream: WriteStream;
  #buffer = '';
  rows = 0;

  private constructor(path: string) {
    this.path = path;
    this.#stream = createWriteStream(path);
    this.#buffer = 'ts_ms,time_s,value,label,severity\n';
  }

  static async open(outDir: string, device: string, sensor: string): Promise<SensorCsvFile> {
    await mkdir(join(outDir, device), { recursive: true });
    return new SensorCsvFile(join(outDir, device, `${sensor}.csv`));
  }

  /**
   * Appends a block whose first sample is sample number `firstSample` of the run. `labelAt(i, n)` gives the label
   * of sample i of n; labels change rarely, so the caller passes a function that is cheap when they don't.
   */
  async append(startMs: number, firstSample: number, rateHz: number, values: Float32Array, labelAt: (i: number, n: number) => string): Promise<void> {
    const n = values.length;
    let text = '';
    for (let i = 0; i < n; i++) {
      const timeS = (firstSample + i) / rateHz;
      text += `${(startMs + timeS * 1000).toFixed(4)},${timeS.toFixed(6)},${values[i]!.toPrecision(7)},${labelAt(i, n)}\n`;
    }
    this.rows += n;
    this.#buffer += text;
    if (this.#buffer.length > 1 << 20) await this.#flush();
  }

  async #flush(): Promise<void> {
    const chunk = this.#buffer;
    this.#buffer = '';
    if (!this.#stream.write(chunk)) await new Promise<void>((resolve) => this.#stream.once('drain', resolve));
  }

  async close(): Promise<void> {
    await this.#flush();
    await new Promise<void>((resolve, reject) => this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** `label,severity` for a set of active faults: fault types joined by `+` (sorted), or `healthy,0`. */
export function labelOf(faults: readonly TruthFault[]): string {
  if (faults.length === 0) return 'healthy,0';
  const names = faults.map((f) => (f.component ? `${f.fault}-${f.component}` : f.fault)).sort();
  const severity = Math.max(...faults.map((f) => f.severity));
  return `${[...new Set(names)].join('+')},${Number(severity.toPrecision(4))}`;
}

/** Rewrites a CSV as Parquet with DuckDB (columnar, compressed; what ML tooling reads fastest) and removes the CSV. */
export async function csvToParquet(csvPath: string): Promise<string> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const parquetPath = csvPath.replace(/\.csv$/, '.parquet');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const quote = (p: string) => `'${p.replaceAll("'", "''")}'`;
  await connection.run(
    `COPY (SELECT * FROM read_csv(${quote(csvPath)}, header = true, columns = {'ts_ms': 'DOUBLE', 'time_s': 'DOUBLE', 'value': 'FLOAT', 'label': 'VARCHAR', 'severity': 'FLOAT'}))
     TO ${quote(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  connection.closeSync();
  await rm(csvPath);
  return parquetPath;
}
