// cloud/: ingest, storage, alert rules and the REST API.
export { Cloud, type CloudOptions, type CloudStats, type CloudEvents } from './cloud';
export { SqliteStorage } from './sqlite-storage';
export type {
  Storage,
  FeatureRecord,
  AlertRecord,
  DeadLetterRecord,
  RawRecord,
  DeviceSummary,
  SequenceSummary,
  StorageCounts,
  SeriesQuery,
  AlertQuery,
} from './storage';
export { AlertEngine, ThresholdRuleSchema, type ThresholdRule } from '../protocol';
export { cloudApi } from './api';
