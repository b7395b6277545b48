import type { AlertEntry, AlertEntryQuery, AuditEntry, AuditQuery, ModelRecord, Page, RegistryEntry, Shadow } from '../records';
import { compact } from './compaction';
import { StorageError } from './errors';
import { decodeCursor, pageLimit, toPage } from './paging';
import { toBucket, toRollupRecord } from './rollup';
import * as rows from './rows';
import { Where, type Row, type SqlEngine } from './sql-engine';
import type {
  AlertPageQuery,
  AlertQuery,
  AlertRecord,
  CompactOptions,
  CompactResult,
  DeadLetterQuery,
  DeadLetterRecord,
  DeviceSummary,
  FeatureRecord,
  IngestBatch,
  IngestOutcome,
  RawRecord,
  RecordKey,
  RollupQuery,
  RollupRecord,
  SequenceSummary,
  SeriesPageQuery,
  SeriesQuery,
  Storage,
  StorageCounts,
} from './storage';

/** `INSERT … ON CONFLICT (key) DO UPDATE` of every other column: a row replaced whole, in both dialects. */
function upsert(table: string, columns: readonly string[], key: readonly string[]): string {
  const set = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}

/** Keys looked up per query by featuresExist and rawExist. */
const KEYS_PER_QUERY = 1000;
const keyOf = (k: RecordKey) => JSON.stringify([k.device, k.sensor, k.seq]);

const UPSERT_ALERT_ENTRY = upsert('alert_entries', rows.ALERT_ENTRY_COLUMNS, ['id']);
const UPSERT_REGISTRY = upsert('registry', rows.REGISTRY_COLUMNS, ['kind', 'id']);
const UPSERT_SHADOW = upsert('shadows', rows.SHADOW_COLUMNS, ['device']);
const UPSERT_STATE = upsert('controller_state', ['key', 'value_json'], ['key']);

/** A page's sort key: its columns, in order, with the type of each (for checking cursors). */
type SortKey = readonly (readonly [column: string, type: 'string' | 'number'])[];
const BY_TIME_SEQ: SortKey = [['ts_ms', 'number'], ['seq', 'number']];
const BY_TIME_ID: SortKey = [['ts_ms', 'number'], ['id', 'number']];

/**
 * Storage on an SQL database: one set of queries for SQLite and PostgreSQL, over the engine's executor. The
 * engines differ in how they commit (SQLite group-commits a turn's writes, PostgreSQL commits each call) and in
 * their DDL (migrations.ts), not in their queries.
 */
export class SqlStorage implements Storage {
  readonly #engine: SqlEngine;

  constructor(engine: SqlEngine) {
    this.#engine = engine;
  }

  async insertFeatures(record: FeatureRecord): Promise<boolean> {
    const [isNew] = await this.#engine.insertRows('features', rows.FEATURE_COLUMNS, [rows.featureValues(record)], rows.FEATURE_KEY);
    return isNew === true;
  }

  async insertRaw(record: RawRecord): Promise<boolean> {
    const [isNew] = await this.#engine.insertRows('raw_blocks', rows.RAW_COLUMNS, [rows.rawValues(record)], rows.FEATURE_KEY);
    return isNew === true;
  }

  async insertAlert(alert: AlertRecord): Promise<void> {
    await this.#engine.insertRows('alerts', rows.ALERT_COLUMNS, [rows.alertValues(alert)]);
  }

  async insertDeadLetter(letter: DeadLetterRecord): Promise<void> {
    await this.#engine.insertRows('dead_letters', rows.DEAD_LETTER_COLUMNS, [rows.deadLetterValues(letter)]);
  }

  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    const size =
      batch.features.length +
      batch.raw.length +
      batch.deadLetters.length +
      batch.events.length +
      (batch.alerts?.length ?? 0) +
      (batch.audit?.length ?? 0) +
      (batch.registry?.length ?? 0) +
      (batch.shadows?.length ?? 0);
    if (size === 0) return { featuresNew: [], rawNew: [] };
    return this.#engine.transaction(async (tx) => {
      const featuresNew = await tx.insertRows('features', rows.FEATURE_COLUMNS, batch.features.map(rows.featureValues), rows.FEATURE_KEY);
      const rawNew = await tx.insertRows('raw_blocks', rows.RAW_COLUMNS, batch.raw.map(rows.rawValues), rows.FEATURE_KEY);
      await tx.insertRows('dead_letters', rows.DEAD_LETTER_COLUMNS, batch.deadLetters.map(rows.deadLetterValues));
      await tx.insertRows('alerts', rows.ALERT_COLUMNS, batch.events.map(rows.alertValues));
      for (const entry of batch.alerts ?? []) await tx.run(UPSERT_ALERT_ENTRY, rows.alertEntryValues(entry));
      await tx.insertRows('audit_log', rows.AUDIT_COLUMNS, (batch.audit ?? []).map(rows.auditValues));
      for (const entry of batch.registry ?? []) await tx.run(UPSERT_REGISTRY, rows.registryValues(entry));
      for (const shadow of batch.shadows ?? []) await tx.run(UPSERT_SHADOW, rows.shadowValues(shadow));
      return { featuresNew, rawNew };
    });
  }

  featuresExist(keys: readonly RecordKey[]): Promise<boolean[]> {
    return this.#exist('features', keys);
  }

  rawExist(keys: readonly RecordKey[]): Promise<boolean[]> {
    return this.#exist('raw_blocks', keys);
  }

  async #exist(table: string, keys: readonly RecordKey[]): Promise<boolean[]> {
    const stored = new Set<string>();
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      const chunk = keys.slice(start, start + KEYS_PER_QUERY);
      const found = await this.#engine.all<RecordKey>(
        `SELECT device, sensor, seq FROM ${table} WHERE (device, sensor, seq) IN (VALUES ${chunk.map(() => '(?, ?, CAST(? AS BIGINT))').join(', ')})`,
        chunk.flatMap((k) => [k.device, k.sensor, k.seq]),
      );
      for (const k of found) stored.add(keyOf(k));
    }
    return keys.map((k) => stored.has(keyOf(k)));
  }

  async rawBlocks({ device, sensor, fromMs, toMs, limit = 1000 }: SeriesQuery): Promise<RawRecord[]> {
    const where = new Where().add('device = ?', device).add('sensor = ?', sensor).add('ts_ms >= ?', fromMs).add('ts_ms <= ?', toMs);
    return (await this.#engine.all(`SELECT * FROM raw_blocks ${where} ORDER BY seq LIMIT ?`, [...where.params, limit])).map(rows.toRawRecord);
  }

  async devices(): Promise<DeviceSummary[]> {
    const sensors = await this.#engine.all<{ device: string; sensor: string; readings: number; last_ts_ms: number }>(
      'SELECT device, sensor, count(*) AS readings, max(ts_ms) AS last_ts_ms FROM features GROUP BY device, sensor ORDER BY device, sensor',
    );
    const byDevice = new Map<string, DeviceSummary>();
    for (const s of sensors) {
      const device = byDevice.get(s.device) ?? { device: s.device, sensors: [], readings: 0, lastTsMs: -Infinity };
      device.sensors.push(s.sensor);
      device.readings += s.readings;
      device.lastTsMs = Math.max(device.lastTsMs, s.last_ts_ms);
      byDevice.set(s.device, device);
    }
    return [...byDevice.values()];
  }

  async latest(device: string): Promise<FeatureRecord[]> {
    const found = await this.#engine.all(
      `SELECT f.* FROM features f
       JOIN (SELECT sensor, max(ts_ms) AS ts FROM features WHERE device = ? GROUP BY sensor) l ON f.sensor = l.sensor AND f.ts_ms = l.ts
       WHERE f.device = ? ORDER BY f.sensor, f.seq DESC`,
      [device, device],
    );
    const seen = new Set<unknown>();
    return found.filter((r) => !seen.has(r.sensor) && seen.add(r.sensor)).map(rows.toFeatureRecord);
  }

  async series({ device, sensor, fromMs, toMs, limit = 1000 }: SeriesQuery): Promise<FeatureRecord[]> {
    const where = new Where().add('device = ?', device).add('sensor = ?', sensor).add('ts_ms >= ?', fromMs).add('ts_ms <= ?', toMs);
    const found = await this.#engine.all(
      `SELECT * FROM (SELECT * FROM features ${where} ORDER BY ts_ms DESC, seq DESC LIMIT ?) AS recent ORDER BY ts_ms, seq`,
      [...where.params, limit],
    );
    return found.map(rows.toFeatureRecord);
  }

  async alerts({ device, fromMs, toMs }: AlertQuery = {}): Promise<AlertRecord[]> {
    const where = new Where().add('device = ?', device).add('ts_ms >= ?', fromMs).add('ts_ms <= ?', toMs);
    return (await this.#engine.all(`SELECT * FROM alerts ${where} ORDER BY ts_ms, id`, where.params)).map(rows.toAlertRecord);
  }

  async sequences(): Promise<SequenceSummary[]> {
    return this.#engine.all<SequenceSummary>(
      `SELECT device, sensor, sum(coalesce(blocks, 1)) AS count, min(seq) AS "minSeq", max(seq + coalesce(blocks, 1) - 1) AS "maxSeq"
       FROM features GROUP BY device, sensor ORDER BY device, sensor`,
    );
  }

  async counts(): Promise<StorageCounts> {
    const [counts] = await this.#engine.all<StorageCounts>(
      `SELECT (SELECT count(*) FROM features) AS features, (SELECT count(*) FROM alerts) AS alerts,
              (SELECT count(*) FROM dead_letters) AS "deadLetters", (SELECT count(*) FROM raw_blocks) AS raw`,
    );
    return counts!;
  }

  async seriesPage(query: SeriesPageQuery): Promise<Page<FeatureRecord>> {
    return this.#page('features', 'series', query, rows.toFeatureRecord);
  }

  async rawPage(query: SeriesPageQuery): Promise<Page<RawRecord>> {
    return this.#page('raw_blocks', 'raw', query, rows.toRawRecord);
  }

  async #page<T>(table: string, kind: string, query: SeriesPageQuery, map: (row: Row) => T): Promise<Page<T>> {
    const where = new Where().add('device = ?', query.device).add('sensor = ?', query.sensor).add('ts_ms >= ?', query.fromMs).add('ts_ms <= ?', query.toMs);
    return this.#keysetPage(table, kind, where, query, BY_TIME_SEQ, map);
  }

  /**
   * One page of `table`'s rows matching `where`, in `sortKey` order (descending: newest first), starting strictly
   * after `query.cursor`: the keyset query behind every paged listing.
   */
  async #keysetPage<T>(
    table: string,
    kind: string,
    where: Where,
    query: { limit?: number | undefined; cursor?: string | undefined },
    sortKey: SortKey,
    map: (row: Row) => T,
    descending = false,
  ): Promise<Page<T>> {
    const limit = pageLimit(query.limit);
    const columns = sortKey.map(([column]) => column);
    if (query.cursor !== undefined) {
      const key = decodeCursor(kind, query.cursor, sortKey.map(([, type]) => type));
      where.add(`(${columns.join(', ')}) ${descending ? '<' : '>'} (${key.map(() => '?').join(', ')})`, ...key);
    }
    const order = columns.map((c) => (descending ? `${c} DESC` : c)).join(', ');
    const found = await this.#engine.all(`SELECT * FROM ${table} ${where} ORDER BY ${order} LIMIT ?`, [...where.params, limit + 1]);
    return toPage(found, limit, kind, (r) => columns.map((c) => r[c] as string | number), map);
  }

  async alertsPage(query: AlertPageQuery = {}): Promise<Page<AlertRecord>> {
    const where = new Where().add('device = ?', query.device).add('ts_ms >= ?', query.fromMs).add('ts_ms <= ?', query.toMs);
    return this.#keysetPage('alerts', 'alerts', where, query, BY_TIME_ID, rows.toAlertRecord);
  }

  async deadLettersPage(query: DeadLetterQuery = {}): Promise<Page<DeadLetterRecord>> {
    const where = new Where().add('stage = ?', query.stage).add('topic = ?', query.topic).add('ts_ms >= ?', query.fromMs).add('ts_ms <= ?', query.toMs);
    return this.#keysetPage('dead_letters', 'dead-letters', where, query, BY_TIME_ID, rows.toDeadLetter);
  }

  async compact(options: CompactOptions): Promise<CompactResult> {
    return compact(this.#engine, options);
  }

  async rollups(query: RollupQuery): Promise<Page<RollupRecord>> {
    const where = new Where()
      .add('device = ?', query.device)
      .add('sensor = ?', query.sensor)
      .add('resolution = ?', query.resolution)
      .add('bucket_ms >= ?', query.fromMs)
      .add('bucket_ms <= ?', query.toMs);
    return this.#keysetPage('feature_rollups', 'rollups', where, query, [['bucket_ms', 'number']], (r) => toRollupRecord(toBucket(r)));
  }

  async schemaVersion(): Promise<number> {
    const [row] = await this.#engine.all<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
    return row!.version;
  }

  // --- AlertStore ---------------------------------------------------------------------------------------

  async saveAlert(entry: AlertEntry): Promise<void> {
    await this.#engine.run(UPSERT_ALERT_ENTRY, rows.alertEntryValues(entry));
  }

  async alertEntry(id: string): Promise<AlertEntry | undefined> {
    const [row] = await this.#engine.all('SELECT * FROM alert_entries WHERE id = ?', [id]);
    return row && rows.toAlertEntry(row);
  }

  async openAlerts(): Promise<AlertEntry[]> {
    return (await this.#engine.all("SELECT * FROM alert_entries WHERE state <> 'cleared' ORDER BY raised_ms, id")).map(rows.toAlertEntry);
  }

  async alertEntries(query: AlertEntryQuery = {}): Promise<Page<AlertEntry>> {
    const where = new Where()
      .add('device = ?', query.device)
      .add('state = ?', query.state)
      .add('rule = ?', query.rule)
      .add('raised_ms >= ?', query.fromMs)
      .add('raised_ms <= ?', query.toMs);
    // Newest raised first.
    return this.#keysetPage('alert_entries', 'alert-entries', where, query, [['raised_ms', 'number'], ['id', 'string']], rows.toAlertEntry, true);
  }

  // --- AuditStore ---------------------------------------------------------------------------------------

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#engine.insertRows('audit_log', rows.AUDIT_COLUMNS, [rows.auditValues(entry)]);
  }

  async auditLog(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    const where = new Where().add('target = ?', query.target).add('actor = ?', query.actor).add('ts_ms >= ?', query.fromMs).add('ts_ms <= ?', query.toMs);
    return this.#keysetPage('audit_log', 'audit', where, query, BY_TIME_ID, rows.toAuditEntry);
  }

  // --- RegistryStore ------------------------------------------------------------------------------------

  async upsertDevice(entry: RegistryEntry): Promise<void> {
    await this.#engine.run(UPSERT_REGISTRY, rows.registryValues(entry));
  }

  async registry(): Promise<RegistryEntry[]> {
    return (await this.#engine.all('SELECT * FROM registry ORDER BY id, kind')).map(rows.toRegistryEntry);
  }

  async loadShadow(device: string): Promise<Shadow | undefined> {
    const [row] = await this.#engine.all('SELECT * FROM shadows WHERE device = ?', [device]);
    return row && rows.toShadow(row);
  }

  async saveShadow(shadow: Shadow): Promise<void> {
    await this.#engine.run(UPSERT_SHADOW, rows.shadowValues(shadow));
  }

  // --- ModelStore ---------------------------------------------------------------------------------------

  async putModel(record: ModelRecord): Promise<void> {
    const [isNew] = await this.#engine.insertRows('models', rows.MODEL_COLUMNS, [rows.modelValues(record)], ['version']);
    if (!isNew) {
      throw new StorageError(
        'E_STORAGE_MODEL_EXISTS',
        `model ${record.version} is registered already, and versions are immutable; register these bytes under a new version`,
      );
    }
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    const [row] = await this.#engine.all('SELECT * FROM models WHERE version = ?', [version]);
    return row && rows.toModel(row);
  }

  async listModels(): Promise<Omit<ModelRecord, 'bytes'>[]> {
    const found = await this.#engine.all(
      'SELECT version, sha256, signature, key_id, created_ms, trained_on, manifest_json FROM models ORDER BY created_ms, version',
    );
    return found.map(rows.toModelInfo);
  }

  // --- StateStore ---------------------------------------------------------------------------------------

  async loadState(key: string): Promise<unknown> {
    const [row] = await this.#engine.all('SELECT value_json FROM controller_state WHERE key = ?', [key]);
    return row && rows.fromJson(row.value_json);
  }

  /** `undefined` (or anything JSON cannot hold) removes the key, so loadState returns undefined again. */
  async saveState(key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) await this.#engine.run('DELETE FROM controller_state WHERE key = ?', [key]);
    else await this.#engine.run(UPSERT_STATE, [key, json]);
  }

  async close(): Promise<void> {
    await this.#engine.close();
  }
}
