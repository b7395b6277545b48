import Database from 'better-sqlite3';
import type {
  AlertQuery,
  AlertRecord,
  DeadLetterRecord,
  RawRecord,
  DeviceSummary,
  FeatureRecord,
  SequenceSummary,
  SeriesQuery,
  Storage,
  StorageCounts,
} from './storage';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS features (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  window_ms REAL NOT NULL,
  unit TEXT NOT NULL,
  rms REAL NOT NULL,
  peak REAL NOT NULL,
  crest REAL NOT NULL,
  features_json TEXT NOT NULL,
  received_ms REAL NOT NULL,
  blocks INTEGER,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS features_by_time ON features (device, sensor, ts_ms);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  sensor TEXT,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  message TEXT NOT NULL,
  kind TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (ts_ms);
CREATE TABLE IF NOT EXISTS raw_blocks (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  rate_hz REAL NOT NULL,
  unit TEXT NOT NULL,
  samples INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  data BLOB NOT NULL,
  received_ms REAL NOT NULL,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  payload_b64 TEXT NOT NULL
);
`;

interface FeatureRow {
  device: string;
  sensor: string;
  seq: number;
  ts_ms: number;
  window_ms: number;
  unit: string;
  features_json: string;
  received_ms: number;
  blocks: number | null;
}

interface AlertRow {
  id: number;
  device: string;
  sensor: string | null;
  rule: string;
  state: AlertRecord['state'];
  severity: AlertRecord['severity'];
  ts_ms: number;
  value: number;
  threshold: number;
  message: string;
  kind: AlertRecord['kind'] | null;
  origin: AlertRecord['origin'] | null;
}

interface RawRow {
  device: string;
  sensor: string;
  seq: number;
  ts_ms: number;
  rate_hz: number;
  unit: string;
  samples: number;
  encoding: RawRecord['encoding'];
  data: Buffer;
  received_ms: number;
}

/**
 * Embedded storage on SQLite (better-sqlite3). `:memory:` for throwaway runs, a file path to keep the data.
 * Writes are group-committed: the first write of an event-loop turn opens a transaction that commits on the next
 * turn, so a burst of readings costs one commit instead of one each.
 */
export class SqliteStorage implements Storage {
  readonly #db: Database.Database;
  #commitScheduled = false;
  readonly #insertFeature: Database.Statement;
  readonly #insertAlert: Database.Statement;
  readonly #insertDeadLetter: Database.Statement;
  readonly #insertRaw: Database.Statement;

  constructor(path = ':memory:') {
    this.#db = new Database(path);
    // WAL lets the web API read while ingest writes; NORMAL sync is durable across process crashes (not power loss).
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#insertFeature = this.#db.prepare(
      `INSERT OR IGNORE INTO features (device, sensor, seq, ts_ms, window_ms, unit, rms, peak, crest, features_json, received_ms, blocks)
       VALUES (@device, @sensor, @seq, @tsMs, @windowMs, @unit, @rms, @peak, @crest, @featuresJson, @receivedMs, @blocks)`,
    );
    this.#insertAlert = this.#db.prepare(
      `INSERT INTO alerts (device, sensor, rule, state, severity, ts_ms, value, threshold, message, kind, origin)
       VALUES (@device, @sensor, @rule, @state, @severity, @tsMs, @value, @threshold, @message, @kind, @origin)`,
    );
    this.#insertRaw = this.#db.prepare(
      `INSERT OR IGNORE INTO raw_blocks (device, sensor, seq, ts_ms, rate_hz, unit, samples, encoding, data, received_ms)
       VALUES (@device, @sensor, @seq, @tsMs, @rateHz, @unit, @samples, @encoding, @data, @receivedMs)`,
    );
    this.#insertDeadLetter = this.#db.prepare(
      `INSERT INTO dead_letters (stage, topic, reason, ts_ms, payload_b64) VALUES (@stage, @topic, @reason, @tsMs, @payloadB64)`,
    );
  }

  #inTransaction(): void {
    if (this.#commitScheduled) return;
    this.#db.exec('BEGIN');
    this.#commitScheduled = true;
    setImmediate(() => this.#commit());
  }

  #commit(): void {
    if (!this.#commitScheduled) return;
    this.#commitScheduled = false;
    if (this.#db.open) this.#db.exec('COMMIT');
  }

  async insertFeatures(record: FeatureRecord): Promise<boolean> {
    this.#inTransaction();
    const info = this.#insertFeature.run({
      device: record.device,
      sensor: record.sensor,
      seq: record.seq,
      tsMs: record.tsMs,
      windowMs: record.windowMs,
      unit: record.unit,
      rms: record.features.rms ?? 0,
      peak: record.features.peak ?? 0,
      crest: record.features.crest ?? 0,
      featuresJson: JSON.stringify(record.features),
      receivedMs: record.receivedMs,
      blocks: record.blocks ?? null,
    });
    return info.changes === 1;
  }

  async insertRaw(record: RawRecord): Promise<boolean> {
    this.#inTransaction();
    const info = this.#insertRaw.run({ ...record, data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength) });
    return info.changes === 1;
  }

  async rawBlocks({ device, sensor, fromMs = -Infinity, toMs = Infinity, limit = 1000 }: SeriesQuery): Promise<RawRecord[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM raw_blocks WHERE device = ? AND sensor = ? AND ts_ms >= ? AND ts_ms <= ? ORDER BY seq LIMIT ?`)
      .all(device, sensor, fromMs, toMs, limit) as RawRow[];
    return rows.map((r) => ({
      device: r.device,
      sensor: r.sensor,
      seq: r.seq,
      tsMs: r.ts_ms,
      rateHz: r.rate_hz,
      unit: r.unit,
      samples: r.samples,
      encoding: r.encoding,
      data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
      receivedMs: r.received_ms,
    }));
  }

  async insertAlert(alert: AlertRecord): Promise<void> {
    this.#inTransaction();
    this.#insertAlert.run({ ...alert, sensor: alert.sensor ?? null, kind: alert.kind ?? null, origin: alert.origin ?? null });
  }

  async insertDeadLetter(letter: DeadLetterRecord): Promise<void> {
    this.#inTransaction();
    this.#insertDeadLetter.run(letter);
  }

  async devices(): Promise<DeviceSummary[]> {
    const rows = this.#db
      .prepare(
        `SELECT device, group_concat(DISTINCT sensor) AS sensors, count(*) AS readings, max(ts_ms) AS last_ts_ms
         FROM features GROUP BY device ORDER BY device`,
      )
      .all() as { device: string; sensors: string; readings: number; last_ts_ms: number }[];
    return rows.map((r) => ({ device: r.device, sensors: r.sensors.split(',').sort(), readings: r.readings, lastTsMs: r.last_ts_ms }));
  }

  async latest(device: string): Promise<FeatureRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT f.* FROM features f
         JOIN (SELECT sensor, max(ts_ms) AS ts FROM features WHERE device = ? GROUP BY sensor) l
           ON f.sensor = l.sensor AND f.ts_ms = l.ts
         WHERE f.device = ? ORDER BY f.sensor, f.seq DESC`,
      )
      .all(device, device) as FeatureRow[];
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(r.sensor) && seen.add(r.sensor)).map(toFeatureRecord);
  }

  async series({ device, sensor, fromMs = -Infinity, toMs = Infinity, limit = 1000 }: SeriesQuery): Promise<FeatureRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT * FROM features WHERE device = ? AND sensor = ? AND ts_ms >= ? AND ts_ms <= ?
         ORDER BY ts_ms DESC LIMIT ?) ORDER BY ts_ms`,
      )
      .all(device, sensor, fromMs, toMs, limit) as FeatureRow[];
    return rows.map(toFeatureRecord);
  }

  async alerts({ device, fromMs = -Infinity, toMs = Infinity }: AlertQuery = {}): Promise<AlertRecord[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM alerts WHERE (? IS NULL OR device = ?) AND ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms, id`)
      .all(device ?? null, device ?? null, fromMs, toMs) as AlertRow[];
    // Optional fields come back only when they were stored, so a record round-trips exactly.
    return rows.map(({ id: _id, sensor, ts_ms, kind, origin, ...rest }) => ({
      ...rest,
      ...(sensor === null ? {} : { sensor }),
      tsMs: ts_ms,
      ...(kind === null ? {} : { kind }),
      ...(origin === null ? {} : { origin }),
    }));
  }

  async sequences(): Promise<SequenceSummary[]> {
    return this.#db
      .prepare(
        `SELECT device, sensor, sum(coalesce(blocks, 1)) AS count, min(seq) AS minSeq, max(seq + coalesce(blocks, 1) - 1) AS maxSeq
         FROM features GROUP BY device, sensor ORDER BY device, sensor`,
      )
      .all() as SequenceSummary[];
  }

  async counts(): Promise<StorageCounts> {
    const count = (table: string) => (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { features: count('features'), alerts: count('alerts'), deadLetters: count('dead_letters'), raw: count('raw_blocks') };
  }

  async close(): Promise<void> {
    this.#commit();
    this.#db.close();
  }
}

function toFeatureRecord(row: FeatureRow): FeatureRecord {
  return {
    device: row.device,
    sensor: row.sensor,
    seq: row.seq,
    tsMs: row.ts_ms,
    windowMs: row.window_ms,
    unit: row.unit,
    features: JSON.parse(row.features_json) as Record<string, number>,
    receivedMs: row.received_ms,
    ...(row.blocks === null ? {} : { blocks: row.blocks }),
  };
}
