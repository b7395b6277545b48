// The cloud's durable records, shared by its modules (analytics, automation, registry, models, rollout) and the
// Storage engines that keep them. Each module talks to the store through the narrow port it needs (below), and
// every Storage implements all of them, so SQLite and PostgreSQL run the same conformance suite.

/** One page of a query; pass `next` back as `cursor` for the following page. Absent `next`: the last page. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** Paging knobs every list query takes. */
export interface PageQuery {
  /** At most this many items. Default 100, at most 10 000. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/** Where an alert stands: raised → acknowledged → cleared, or shelved (silenced until a time) at any point before cleared. */
export type AlertState = 'raised' | 'acknowledged' | 'cleared' | 'shelved';

/** One step of an alert's life, by whom (a rule, `api:<user>`, `system`) and when (event time, ms). */
export interface AlertTransition {
  state: AlertState;
  tsMs: number;
  by: string;
  note?: string;
}

/**
 * An alert with its lifecycle. `id` is deterministic (rule, device, sensor and the event time it was raised), so a
 * restarted cloud that re-derives the same alert upserts the same row instead of adding a second.
 */
export interface AlertEntry {
  id: string;
  rule: string;
  device: string;
  sensor?: string;
  /** `alert` (a rule), `anomaly` (a model score), `drift`, `absent` (a silent device). */
  kind: string;
  origin: 'edge' | 'cloud';
  severity: 'warning' | 'critical';
  state: AlertState;
  /** Event time the alert was raised, ms since the Unix epoch. */
  raisedMs: number;
  /** Event time of the latest transition. */
  updatedMs: number;
  value: number;
  threshold: number;
  message: string;
  /** Set while shelved: notifications are held until this event time. */
  shelvedUntilMs?: number;
  history: AlertTransition[];
}

export interface AlertEntryQuery extends PageQuery {
  device?: string;
  state?: AlertState;
  rule?: string;
  fromMs?: number;
  toMs?: number;
}

/** Keeps alert lifecycles across restarts. */
export interface AlertStore {
  /** Inserts or replaces the alert with this id. */
  saveAlert(entry: AlertEntry): Promise<void>;
  alertEntry(id: string): Promise<AlertEntry | undefined>;
  /** Every alert not cleared: what a restarted cloud resumes with. */
  openAlerts(): Promise<AlertEntry[]>;
  /** Newest raised first. */
  alertEntries(query?: AlertEntryQuery): Promise<Page<AlertEntry>>;
}

/** Who or what sent a command, to whom, why, and what came of it. */
export interface AuditEntry {
  /** Event time, ms. */
  tsMs: number;
  /** `rule:<name>`, `api:<user>`, `rollout:<id>`, `shadow`, `system`. */
  actor: string;
  /** The device or gateway the command went to. */
  target: string;
  action: string;
  args?: Record<string, unknown>;
  /** The command's id on the wire, to match its reply. */
  commandId?: string;
  reason: string;
  /** `sent`, `rate-limited` (not sent), `ok` / `refused` (its reply). */
  outcome: 'sent' | 'rate-limited' | 'ok' | 'refused';
}

export interface AuditQuery extends PageQuery {
  target?: string;
  actor?: string;
  fromMs?: number;
  toMs?: number;
}

export interface AuditStore {
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Oldest first. */
  auditLog(query?: AuditQuery): Promise<Page<AuditEntry>>;
}

/** A device or gateway the cloud has heard of. */
export interface RegistryEntry {
  id: string;
  kind: 'device' | 'gateway';
  site: string;
  /** From the status topic and the last will; a device is online while its gateway is and it keeps sending. */
  online: boolean;
  /** Event time of the last message from or about it. */
  lastSeenMs: number;
  /** The gateway it was last heard through (devices). */
  gateway?: string;
  /** Sensors it has reported. */
  sensors: string[];
}

/** Desired and reported state of a device; `delta` is derived (desired keys whose value differs from reported). */
export interface Shadow {
  device: string;
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  /** Event times of the latest change to each side. */
  reportedMs: number;
  desiredMs: number;
  /** Increments on every change, for optimistic concurrency in the REST API. */
  version: number;
}

export interface RegistryStore {
  upsertDevice(entry: RegistryEntry): Promise<void>;
  registry(): Promise<RegistryEntry[]>;
  loadShadow(device: string): Promise<Shadow | undefined>;
  saveShadow(shadow: Shadow): Promise<void>;
}

/** A signed model version in the cloud's registry. */
export interface ModelRecord {
  /** Semver, e.g. `1.2.0`. */
  version: string;
  /** SHA-256 of `bytes`, hex. */
  sha256: string;
  /** Ed25519 signature over `bytes`, base64. */
  signature: string;
  /** Which signing key (the gateways' trusted key list names it). */
  keyId: string;
  /** When it was registered, event time ms. */
  createdMs: number;
  /** What it was trained on, e.g. `pump-1,pump-2 healthy windows 0–600 s`. */
  trainedOn: string;
  /** model.json beside the ONNX file (spec, threshold, stats). */
  manifest: Record<string, unknown>;
  /** The ONNX file. */
  bytes: Uint8Array;
}

export interface ModelStore {
  /** Refuses (throws) a version already registered: versions are immutable. */
  putModel(record: ModelRecord): Promise<void>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  /** Oldest first, without their bytes. */
  listModels(): Promise<Omit<ModelRecord, 'bytes'>[]>;
}

/** Durable state of long-running controllers (rollouts, drift references, rate limits), as JSON by key. */
export interface StateStore {
  loadState(key: string): Promise<unknown>;
  saveState(key: string, value: unknown): Promise<void>;
}
