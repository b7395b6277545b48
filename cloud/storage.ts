import type { DeadLetterV1, EventV1, RawBlockV1 } from '../protocol';

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

/**
 * Where the cloud keeps what it ingests. Async so that network databases (PostgreSQL) fit the same contract;
 * every implementation must pass test/unit/cloud/storage-contract.ts.
 */
export interface Storage {
  /** Stores a record unless (device, sensor, seq) is already stored; returns false for a duplicate. */
  insertFeatures(record: FeatureRecord): Promise<boolean>;
  insertAlert(alert: AlertRecord): Promise<void>;
  insertDeadLetter(letter: DeadLetterRecord): Promise<void>;
  /** Stores a raw block unless (device, sensor, seq) is already stored; returns false for a duplicate. */
  insertRaw(record: RawRecord): Promise<boolean>;
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
  close(): Promise<void>;
}
