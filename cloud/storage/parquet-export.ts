import type { Storage } from './storage';

/** Which feature windows to export; absent fields do not filter. The time range is inclusive, on tsMs. */
export interface ParquetExportQuery {
  device?: string;
  sensor?: string;
  fromMs?: number;
  toMs?: number;
}

/** Columns every row has; a feature of one of these names is exported as `feature_<name>`. */
const FIXED_COLUMNS = ['device', 'sensor', 'seq', 'ts_ms', 'window_ms', 'unit'];

/** Windows read from the storage per page. */
const PAGE = 10_000;

const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Writes the stored feature windows to a Parquet file (zstd), one row per window: device, sensor, seq, ts_ms,
 * window_ms, unit, then one DOUBLE column per feature name seen, in name order (null where a window lacks it).
 * Reads through the Storage interface, so it serves every engine; DuckDB, loaded only when called, writes the file.
 */
export async function exportParquet(storage: Storage, query: ParquetExportQuery, file: string): Promise<{ rows: number }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Long form while reading (the feature names are known only at the end), pivoted to columns when writing.
    await connection.run('CREATE TABLE windows (id BIGINT, device VARCHAR, sensor VARCHAR, seq BIGINT, ts_ms DOUBLE, window_ms DOUBLE, unit VARCHAR)');
    await connection.run('CREATE TABLE feature_values (id BIGINT, name VARCHAR, value DOUBLE)');
    const windows = await connection.createAppender('windows');
    const values = await connection.createAppender('feature_values');
    const names = new Set<string>();
    let rows = 0;
    for (const { device, sensors } of await storage.devices()) {
      if (query.device !== undefined && device !== query.device) continue;
      for (const sensor of sensors) {
        if (query.sensor !== undefined && sensor !== query.sensor) continue;
        let cursor: string | undefined;
        do {
          const page = await storage.seriesPage({ device, sensor, fromMs: query.fromMs, toMs: query.toMs, limit: PAGE, cursor });
          for (const record of page.items) {
            const id = BigInt(++rows);
            windows.appendBigInt(id);
            windows.appendVarchar(record.device);
            windows.appendVarchar(record.sensor);
            windows.appendBigInt(BigInt(record.seq));
            windows.appendDouble(record.tsMs);
            windows.appendDouble(record.windowMs);
            windows.appendVarchar(record.unit);
            windows.endRow();
            for (const [name, value] of Object.entries(record.features)) {
              names.add(name);
              values.appendBigInt(id);
              values.appendVarchar(name);
              values.appendDouble(value);
              values.endRow();
            }
          }
          cursor = page.next;
        } while (cursor !== undefined);
      }
    }
    windows.closeSync();
    values.closeSync();
    const featureColumns = [...names]
      .sort()
      .map((name) => `max(v.value) FILTER (WHERE v.name = ${quoteText(name)}) AS ${quoteName(FIXED_COLUMNS.includes(name) ? `feature_${name}` : name)}`);
    const fixed = FIXED_COLUMNS.map((c) => `w.${c}`).join(', ');
    await connection.run(
      `COPY (SELECT ${[fixed, ...featureColumns].join(', ')} FROM windows w LEFT JOIN feature_values v ON v.id = w.id
             GROUP BY w.id, ${fixed} ORDER BY w.device, w.sensor, w.ts_ms, w.seq)
       TO ${quoteText(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return { rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
