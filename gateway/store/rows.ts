import type { Priority } from './priority';

/** The (device, sensor, seq) a message derives from; the cloud deduplicates on it, and so does the outbox. */
export interface DedupeKey {
  device: string;
  sensor: string;
  seq: number;
}

/** A device payload accepted before its PUBACK (or HTTP/CoAP response). */
export interface InboxInput {
  device: string;
  sensor: string;
  /** Block sequence number, or null when the payload could not be read that far (it will be dead-lettered). */
  seq: number | null;
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  /** Arrival time, ms since the epoch. Default: the store's clock. */
  receivedMs?: number;
}

export interface InboxRow {
  /** Arrival order: ids only grow, across restarts too. */
  id: number;
  device: string;
  sensor: string;
  seq: number | null;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  receivedMs: number;
}

/** A message to send upstream. */
export interface OutboxInput {
  /** 0 events, 1 features, 2 raw: lower goes first and is dropped last. */
  priority: Priority;
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1;
  /** Dedupe key; a second message with the same topic and key is not queued while the first still is. */
  key?: DedupeKey;
}

export interface OutboxRow {
  id: number;
  priority: Priority;
  topic: string;
  /** The exact bytes to publish: a resend is byte-identical, so the cloud's dedupe recognises it. */
  payload: Buffer;
  qos: 0 | 1;
  /** Payload bytes, the unit of `maxBytes`. */
  bytes: number;
  enqueuedMs: number;
  key: DedupeKey | null;
  /** Times the row was handed to the uplink before this read (by this process or an earlier one). */
  attempts: number;
}

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

export function inboxRow(row: Row): InboxRow {
  return {
    id: row.id as number,
    device: row.device as string,
    sensor: row.sensor as string,
    seq: row.seq as number | null,
    topic: row.topic as string,
    payload: row.payload as Buffer,
    qos: row.qos as 0 | 1 | 2,
    receivedMs: row.received_ms as number,
  };
}

export function outboxRow(row: Row): OutboxRow {
  return {
    id: row.id as number,
    priority: row.priority as Priority,
    topic: row.topic as string,
    payload: row.payload as Buffer,
    qos: row.qos as 0 | 1,
    bytes: row.bytes as number,
    enqueuedMs: row.enqueued_ms as number,
    key: row.seq === null ? null : { device: row.device as string, sensor: row.sensor as string, seq: row.seq as number },
    attempts: row.attempts as number,
  };
}

/** A Buffer view of the same memory (better-sqlite3 binds Buffers as BLOBs). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
