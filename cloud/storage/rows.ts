// Records ↔ table rows, shared by both engines. Columns are listed in the order their values are given; both engines
// return JSON columns as text and bytes as a Buffer.
import type { AlertEntry, AuditEntry, ModelRecord, RegistryEntry, Shadow } from '../records';
import type { Row } from './sql-engine';
import type { AlertRecord, DeadLetterRecord, FeatureRecord, RawRecord } from './storage';

export const FEATURE_KEY = ['device', 'sensor', 'seq'] as const;

export const FEATURE_COLUMNS = ['device', 'sensor', 'seq', 'ts_ms', 'window_ms', 'unit', 'rms', 'peak', 'crest', 'features_json', 'received_ms', 'blocks'] as const;
export const featureValues = (r: FeatureRecord): unknown[] => [
  r.device,
  r.sensor,
  r.seq,
  r.tsMs,
  r.windowMs,
  r.unit,
  r.features.rms ?? 0,
  r.features.peak ?? 0,
  r.features.crest ?? 0,
  JSON.stringify(r.features),
  r.receivedMs,
  r.blocks ?? null,
];
export const toFeatureRecord = (row: Row): FeatureRecord => ({
  device: row.device as string,
  sensor: row.sensor as string,
  seq: row.seq as number,
  tsMs: row.ts_ms as number,
  windowMs: row.window_ms as number,
  unit: row.unit as string,
  features: fromJson(row.features_json) as Record<string, number>,
  receivedMs: row.received_ms as number,
  ...(row.blocks === null ? {} : { blocks: row.blocks as number }),
});

export const RAW_COLUMNS = ['device', 'sensor', 'seq', 'ts_ms', 'rate_hz', 'unit', 'samples', 'encoding', 'data', 'received_ms'] as const;
export const rawValues = (r: RawRecord): unknown[] => [r.device, r.sensor, r.seq, r.tsMs, r.rateHz, r.unit, r.samples, r.encoding, toBuffer(r.data), r.receivedMs];
export const toRawRecord = (row: Row): RawRecord => ({
  device: row.device as string,
  sensor: row.sensor as string,
  seq: row.seq as number,
  tsMs: row.ts_ms as number,
  rateHz: row.rate_hz as number,
  unit: row.unit as string,
  samples: row.samples as number,
  encoding: row.encoding as RawRecord['encoding'],
  data: toBytes(row.data),
  receivedMs: row.received_ms as number,
});

export const ALERT_COLUMNS = ['device', 'sensor', 'rule', 'state', 'severity', 'ts_ms', 'value', 'threshold', 'message', 'kind', 'origin'] as const;
export const alertValues = (a: AlertRecord): unknown[] => [
  a.device,
  a.sensor ?? null,
  a.rule,
  a.state,
  a.severity,
  a.tsMs,
  a.value,
  a.threshold,
  a.message,
  a.kind ?? null,
  a.origin ?? null,
];
// Optional fields come back only when they were stored, so a record round-trips exactly.
export const toAlertRecord = (row: Row): AlertRecord => ({
  device: row.device as string,
  ...(row.sensor === null ? {} : { sensor: row.sensor as string }),
  rule: row.rule as string,
  state: row.state as AlertRecord['state'],
  severity: row.severity as AlertRecord['severity'],
  tsMs: row.ts_ms as number,
  value: row.value as number,
  threshold: row.threshold as number,
  message: row.message as string,
  ...(row.kind === null ? {} : { kind: row.kind as NonNullable<AlertRecord['kind']> }),
  ...(row.origin === null ? {} : { origin: row.origin as NonNullable<AlertRecord['origin']> }),
});

export const DEAD_LETTER_COLUMNS = ['stage', 'topic', 'reason', 'ts_ms', 'payload_b64'] as const;
export const deadLetterValues = (d: DeadLetterRecord): unknown[] => [d.stage, d.topic, d.reason, d.tsMs, d.payloadB64];
export const toDeadLetter = (row: Row): DeadLetterRecord => ({
  stage: row.stage as DeadLetterRecord['stage'],
  topic: row.topic as string,
  reason: row.reason as string,
  tsMs: row.ts_ms as number,
  payloadB64: row.payload_b64 as string,
});

export const ALERT_ENTRY_COLUMNS = [
  'id', 'rule', 'device', 'sensor', 'kind', 'origin', 'severity', 'state', 'raised_ms', 'updated_ms', 'value', 'threshold', 'message', 'shelved_until_ms', 'history_json',
] as const;
export const alertEntryValues = (e: AlertEntry): unknown[] => [
  e.id,
  e.rule,
  e.device,
  e.sensor ?? null,
  e.kind,
  e.origin,
  e.severity,
  e.state,
  e.raisedMs,
  e.updatedMs,
  e.value,
  e.threshold,
  e.message,
  e.shelvedUntilMs ?? null,
  JSON.stringify(e.history),
];
export const toAlertEntry = (row: Row): AlertEntry => ({
  id: row.id as string,
  rule: row.rule as string,
  device: row.device as string,
  ...(row.sensor === null ? {} : { sensor: row.sensor as string }),
  kind: row.kind as string,
  origin: row.origin as AlertEntry['origin'],
  severity: row.severity as AlertEntry['severity'],
  state: row.state as AlertEntry['state'],
  raisedMs: row.raised_ms as number,
  updatedMs: row.updated_ms as number,
  value: row.value as number,
  threshold: row.threshold as number,
  message: row.message as string,
  ...(row.shelved_until_ms === null ? {} : { shelvedUntilMs: row.shelved_until_ms as number }),
  history: fromJson(row.history_json) as AlertEntry['history'],
});

export const AUDIT_COLUMNS = ['ts_ms', 'actor', 'target', 'action', 'args_json', 'command_id', 'reason', 'outcome'] as const;
export const auditValues = (e: AuditEntry): unknown[] => [
  e.tsMs,
  e.actor,
  e.target,
  e.action,
  e.args === undefined ? null : JSON.stringify(e.args),
  e.commandId ?? null,
  e.reason,
  e.outcome,
];
export const toAuditEntry = (row: Row): AuditEntry => ({
  tsMs: row.ts_ms as number,
  actor: row.actor as string,
  target: row.target as string,
  action: row.action as string,
  ...(row.args_json === null ? {} : { args: fromJson(row.args_json) as Record<string, unknown> }),
  ...(row.command_id === null ? {} : { commandId: row.command_id as string }),
  reason: row.reason as string,
  outcome: row.outcome as AuditEntry['outcome'],
});

export const REGISTRY_COLUMNS = ['kind', 'id', 'site', 'online', 'last_seen_ms', 'gateway', 'sensors_json'] as const;
// SQLite binds no booleans; PostgreSQL reads '1' and '0' as a BOOLEAN's true and false.
export const registryValues = (e: RegistryEntry): unknown[] => [e.kind, e.id, e.site, e.online ? 1 : 0, e.lastSeenMs, e.gateway ?? null, JSON.stringify(e.sensors)];
export const toRegistryEntry = (row: Row): RegistryEntry => ({
  id: row.id as string,
  kind: row.kind as RegistryEntry['kind'],
  site: row.site as string,
  online: row.online === true || row.online === 1,
  lastSeenMs: row.last_seen_ms as number,
  ...(row.gateway === null ? {} : { gateway: row.gateway as string }),
  sensors: fromJson(row.sensors_json) as string[],
});

export const SHADOW_COLUMNS = ['device', 'reported_json', 'desired_json', 'reported_ms', 'desired_ms', 'version'] as const;
export const shadowValues = (s: Shadow): unknown[] => [s.device, JSON.stringify(s.reported), JSON.stringify(s.desired), s.reportedMs, s.desiredMs, s.version];
export const toShadow = (row: Row): Shadow => ({
  device: row.device as string,
  reported: fromJson(row.reported_json) as Record<string, unknown>,
  desired: fromJson(row.desired_json) as Record<string, unknown>,
  reportedMs: row.reported_ms as number,
  desiredMs: row.desired_ms as number,
  version: row.version as number,
});

export const MODEL_COLUMNS = ['version', 'sha256', 'signature', 'key_id', 'created_ms', 'trained_on', 'manifest_json', 'bytes'] as const;
export const modelValues = (m: ModelRecord): unknown[] => [m.version, m.sha256, m.signature, m.keyId, m.createdMs, m.trainedOn, JSON.stringify(m.manifest), toBuffer(m.bytes)];
export const toModelInfo = (row: Row): Omit<ModelRecord, 'bytes'> => ({
  version: row.version as string,
  sha256: row.sha256 as string,
  signature: row.signature as string,
  keyId: row.key_id as string,
  createdMs: row.created_ms as number,
  trainedOn: row.trained_on as string,
  manifest: fromJson(row.manifest_json) as Record<string, unknown>,
});
export const toModel = (row: Row): ModelRecord => ({ ...toModelInfo(row), bytes: toBytes(row.bytes) });

export function fromJson(value: unknown): unknown {
  return JSON.parse(value as string);
}

/** The same bytes as a Buffer, without a copy: what both drivers bind. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBytes(value: unknown): Uint8Array {
  const buffer = value as Buffer;
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
