import type { DeadLetterV1, EventV1 } from '../protocol';

/** One stored feature record; (device, sensor, seq) is its identity. */
export interface FeatureRecord {
  device: string;
  sensor: string;
  seq: number;
  /** Event time of the summarised block, ms since the Unix epoch. */
  tsMs: number;
  windowMs: number;
  unit: string;
  features: Record<string, number>;
  /** When the cloud stored it, by the cloud's clock. */
  receivedMs: number;
}

/** An alert state change: the event the cloud publishes, without its envelope fields. */
export type AlertRecord = Omit<EventV1, 'type' | 'v' | 'kind'>;

export type DeadLetterRecord = Omit<DeadLetterV1, 'type' | 'v'>;

export interface DeviceSummary {
  device: string;
  sensors: string[];
  readings: number;
  lastTsMs: number;
}

/** Per (device, sensor): how many distinct sequence numbers are stored and their range. */
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
