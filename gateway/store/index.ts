// gateway/store/: offline-first store-and-forward — device payloads survive a killed gateway, the uplink queue
// survives an outage, and what the cloud gets is ordered by priority. Node-only (better-sqlite3).
export { DurableStore, type DurableStoreOptions } from './durable-store';
export type { DedupeKey, InboxInput, InboxRow, OutboxInput, OutboxRow } from './rows';
export type { CommitResult, EnqueueOutcome, OutboxChange, OutboxStats } from './durable-store';
export { Forwarder, type ForwarderOptions, type ForwarderStats, type UplinkClient } from './forwarder';
export { InboxPump, type InboxPumpOptions, type HandOver } from './inbox-pump';
export { InboxAdmission, type Backlog, type BacklogBounds } from './inbox-admission';
export { DROP_REASONS, type DropReason } from './outbox-space';
export { PRIORITY, PRIORITIES, PRIORITY_NAMES, type Priority, type PriorityName, type PerPriority } from './priority';
export { StoreError, UplinkRejectedError, type StoreErrorCode } from './errors';
export {
  StoreConfigSchema,
  OutboxBoundsSchema,
  InboxBoundsSchema,
  ForwarderConfigSchema,
  DropPolicySchema,
  SynchronousSchema,
  type StoreConfig,
  type StoreConfigInput,
  type OutboxBounds,
  type InboxBounds,
  type ForwarderConfig,
  type DropPolicy,
  type Synchronous,
} from './config';
export { SCHEMA_VERSION } from './schema';
