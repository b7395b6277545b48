// cloud/: durable ingest, storage (SQLite, PostgreSQL), event-time rules and alerts, automation, the device registry,
// the model lifecycle (train, sign, staged rollout, drift) and the REST API.
export { Cloud, type CloudOptions, type CloudStats, type CloudEvents } from './cloud';
export {
  SqliteStorage,
  PostgresStorage,
  openStorage,
  exportParquet,
  StorageError,
  PostgresOptionsSchema,
  RetentionSchema,
  MIGRATIONS,
  LATEST_VERSION,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type SqliteStorageOptions,
  type PostgresStorageOptions,
  type PostgresOptions,
  type Retention,
  type ParquetExportQuery,
  type StorageErrorCode,
  type Migration,
  type Dialect,
} from './storage/index';
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
  SeriesPageQuery,
  AlertPageQuery,
  DeadLetterQuery,
  IngestBatch,
  IngestOutcome,
  RecordKey,
  RollupResolution,
  RollupRecord,
  RollupQuery,
  FeatureStats,
  CompactOptions,
  CompactResult,
} from './storage/index';
export { AlertEngine, ThresholdRuleSchema, type ThresholdRule } from '../protocol';
export { cloudApi, cloudRoutes, openApiDocument, defineRoute, mountRoutes, type CloudApiOptions, type Route, type OpenApiDocument } from './api';
export type { Page, PageQuery, AlertEntry, AlertEntryQuery, AlertState, AlertTransition, AuditEntry, AuditQuery, RegistryEntry, Shadow, ModelRecord } from './records';
export { CloudConfigSchema, loadCloudConfig, type CloudConfig, type CloudConfigInput } from './config';
export { startCloudService, type CloudService } from './service';
export { CloudRuleSchema, CloudRulesSchema, RULE_TYPES, type CloudRule, type CloudRuleInput } from './analytics';
export { RolloutSpecSchema, DriftPolicySchema, type RolloutSpecInput, type RolloutStatus, type DriftPolicyInput } from './lifecycle';
export { ModelSigner, verifyModelSignature } from './models';
export { ModelLoop, type TrainRequest } from './model-loop';
export { DeviceRegistry, thingDescription } from './registry';
