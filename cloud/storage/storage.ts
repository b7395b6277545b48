import type { DeadLetterV1, EventV1, RawBlockV1 } from '../../protocol';
import type { AlertEntry, AlertStore, AuditEntry, AuditStore, ModelStore, Page, PageQuery, RegistryEntry, RegistryStore, Shadow, StateStore } from '../records';

/** One stored feature record; (device, sensor, seq) is its identity. */
export interface FeatureRecord {
  device: string;
  sensor: string;
  /** First block of the window; with `blocks` the readings it covers. */
  seq: number;
  /** Blocks the window summarises (seq … seq + blocks − 1). Absent means 1. */
  blocks?: number;
  /** Event time of the window's first block, ms since the Unix epoch. */
  tsMs: number;
  windowMs: number;
  unit: string;
  features: Record<string, number>;
  /** When the cloud stored it, by the cloud's clock. */
  receivedMs: number;
}

/** An alert or anomaly state change, raised by the cloud's rules or reported by an edge gateway. */
export type AlertRecord = Omit<EventV1, 'type' | 'v' | 'kind'> & {
  /** Absent means `alert` (a threshold rule). */
  kind?: EventV1['kind'];
};

/** A raw block a gateway uplinked, still encoded as it travelled. */
export type RawRecord = Omit<RawBlockV1, 'type' | 'v'> & { receivedMs: number };

export type DeadLetterRecord = Omit<DeadLetterV1, 'type' | 'v'>;

export interface DeviceSummary {
  device: string;
  sensors: string[];
  readings: number;
  lastTsMs: number;
}

/** Per (device, sensor): how many readings (blocks) the stored windows cover, and their seq range. */
export interface SequenceSummary {
  device: string;
  sensor: string;
  count: number;
  minSeq: number;
  maxSeq: number;
}

export interface StorageCounts {
  features: number;
  alerts: number;
  deadLetters: number;
  raw: number;
}

export interface SeriesQuery {
  device: string;
  sensor: string;
  fromMs?: number;
  toMs?: number;
  /** At most this many records, the latest ones. Default 1000. */
  limit?: number;
}

export interface AlertQuery {
  device?: string;
  fromMs?: number;
  toMs?: number;
}

/** One sensor of one device within the inclusive event-time range [fromMs, toMs], a page at a time, oldest first. */
export interface SeriesPageQuery extends PageQuery {
  device: string;
  sensor: string;
  fromMs?: number;
  toMs?: number;
}

/** Alert events within the inclusive event-time range, a page at a time, oldest first. */
export interface AlertPageQuery extends AlertQuery, PageQuery {}

/** Dead letters within the inclusive event-time range, a page at a time, oldest first. */
export interface DeadLetterQuery extends PageQuery {
  stage?: DeadLetterRecord['stage'];
  topic?: string;
  fromMs?: number;
  toMs?: number;
}

/** What one MQTT read (or one flush of the ingest queue) brings: stored together, or not at all. */
export interface IngestBatch {
  features: FeatureRecord[];
  raw: RawRecord[];
  deadLetters: DeadLetterRecord[];
  events: AlertRecord[];
  /** Alert lifecycles the batch changed, upserted by id as saveAlert does. */
  alerts?: AlertEntry[];
  /** Audit entries the batch's commands produced, appended as appendAudit does. */
  audit?: AuditEntry[];
  /** Registry entries the batch's readings touched, upserted as upsertDevice does. */
  registry?: RegistryEntry[];
  /** Shadows the batch's readings updated, saved as saveShadow does. */
  shadows?: Shadow[];
}

/** The identity of a feature window or a raw block. */
export type RecordKey = Pick<FeatureRecord, 'device' | 'sensor' | 'seq'>;

/** Per record of the batch, in its order: true for the first copy stored, false for a duplicate key. */
export interface IngestOutcome {
  featuresNew: boolean[];
  rawNew: boolean[];
}

export type RollupResolution = '1m' | '1h';

/** One feature over the windows of a rollup bucket that carried it. */
export interface FeatureStats {
  min: number;
  max: number;
  mean: number;
}

/** Feature windows of one (device, sensor) folded into a bucket of one minute or one hour. */
export interface RollupRecord {
  device: string;
  sensor: string;
  resolution: RollupResolution;
  /** Start of the bucket, ms since the Unix epoch, a multiple of the resolution. */
  bucketMs: number;
  /** Feature windows folded in. */
  count: number;
  features: Record<string, FeatureStats>;
}

/** Buckets whose start lies in the inclusive range [fromMs, toMs], a page at a time, oldest first. */
export interface RollupQuery extends PageQuery {
  device: string;
  sensor: string;
  resolution: RollupResolution;
  fromMs?: number;
  toMs?: number;
}

export interface CompactOptions {
  /** Event time compaction runs at, ms since the Unix epoch (from the cloud's clock). */
  nowMs: number;
  /** Feature windows and raw blocks whose tsMs is earlier than nowMs − this are rolled up (windows) and deleted, ms. */
  rawRetentionMs: number;
  /** Minute rollups whose bucket starts earlier than nowMs − this are deleted, ms; hour rollups are kept. */
  minuteRetentionMs: number;
}

export interface CompactResult {
  /** Feature windows folded into rollups, then deleted. */
  rolledUp: number;
  /** Raw blocks deleted. */
  deletedRaw: number;
  /** Minute rollups deleted. */
  deletedMinute: number;
}

/**
 * Where the cloud keeps what it ingests, and the durable records of its control plane (the ports of records.ts).
 * Async so that network databases (PostgreSQL) fit the same contract; every implementation must pass
 * test/unit/cloud/storage-contract.ts. Every write has committed (to disk, for a file or a server) when its promise
 * resolves: the cloud acknowledges a message to its gateway only after that.
 */
export interface Storage extends AlertStore, AuditStore, RegistryStore, ModelStore, StateStore {
  /** Stores a record unless (device, sensor, seq) is already stored; returns false for a duplicate. */
  insertFeatures(record: FeatureRecord): Promise<boolean>;
  insertAlert(alert: AlertRecord): Promise<void>;
  insertDeadLetter(letter: DeadLetterRecord): Promise<void>;
  /** Stores a raw block unless (device, sensor, seq) is already stored; returns false for a duplicate. */
  insertRaw(record: RawRecord): Promise<boolean>;
  /** The whole batch in one transaction; a key repeated within the batch is stored once (its first copy). */
  ingest(batch: IngestBatch): Promise<IngestOutcome>;
  /** Per key, in order: whether a feature window with that (device, sensor, seq) is stored. */
  featuresExist(keys: readonly RecordKey[]): Promise<boolean[]>;
  /** Per key, in order: whether a raw block with that (device, sensor, seq) is stored. */
  rawExist(keys: readonly RecordKey[]): Promise<boolean[]>;
  /** Raw blocks of one sensor in seq order, within the event-time range. */
  rawBlocks(query: SeriesQuery): Promise<RawRecord[]>;
  devices(): Promise<DeviceSummary[]>;
  /** The latest record of each of the device's sensors. */
  latest(device: string): Promise<FeatureRecord[]>;
  /** Records in event-time order within [fromMs, toMs]. */
  series(query: SeriesQuery): Promise<FeatureRecord[]>;
  alerts(query?: AlertQuery): Promise<AlertRecord[]>;
  sequences(): Promise<SequenceSummary[]>;
  counts(): Promise<StorageCounts>;
  /** Pages in (tsMs, seq) order; rows stored between two pages never shift one already returned or still to come. */
  seriesPage(query: SeriesPageQuery): Promise<Page<FeatureRecord>>;
  /** Pages in (tsMs, arrival) order. */
  alertsPage(query?: AlertPageQuery): Promise<Page<AlertRecord>>;
  /** Pages in (tsMs, seq) order. */
  rawPage(query: SeriesPageQuery): Promise<Page<RawRecord>>;
  /** Pages in (tsMs, arrival) order, each letter with its reason and payload. */
  deadLettersPage(query?: DeadLetterQuery): Promise<Page<DeadLetterRecord>>;
  /** Rolls up and deletes what is past retention; running it twice at the same nowMs changes nothing more. */
  compact(options: CompactOptions): Promise<CompactResult>;
  rollups(query: RollupQuery): Promise<Page<RollupRecord>>;
  /** The newest migration applied to the database. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
