import type { Role } from './layout';
import type { LogTimeMode, TopicNames } from './recorded-entry';
import type { RecordingSummary } from './recording-writer';

/** What the recording thread starts with. */
export interface RecordWorkerData {
  file: string;
  mode: LogTimeMode;
}

/** One message to record, as a tap received it. */
export interface AddEntry {
  topic: string;
  /** A copy of the payload, owned by the message (transferred). */
  payload: Uint8Array;
  role: Role;
  qos: 0 | 1 | 2;
  retain: boolean;
  receivedMs: number;
  names?: TopicNames;
}

export type ToWorker =
  | { op: 'add'; batch: AddEntry[] }
  | { op: 'metadata'; id: number; name: string; entries: Record<string, string> }
  | { op: 'close'; id: number };

export type FromWorker =
  | { op: 'ready' }
  | { op: 'failed'; message: string; code: string }
  /** Messages (and their payload bytes) converted so far, for the backlog. */
  | { op: 'converted'; count: number; bytes: number }
  | { op: 'done'; id: number; summary?: RecordingSummary; error?: string };
