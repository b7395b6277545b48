import type { DeadLetterV1, ThresholdRule } from '../protocol';
import type { IngestRoute } from './device-auth';
import type { PipelineConfig } from './dsp';
import type { ActionConfig } from './edge-config';
import type { Processed, RawRequest } from './edge-processor';

/** What the edge worker is built from: the serialisable part of EdgeProcessorOptions. */
export interface EdgeWorkerData {
  site: string;
  gateway: string;
  pipelines: readonly PipelineConfig[];
  rules: readonly ThresholdRule[];
  actions: readonly ActionConfig[];
  reorderHoldMs: number;
}

/** One device payload to process, as `EdgeProcessor.process` takes it. */
export interface EdgeItem {
  payload: Uint8Array;
  route: IngestRoute;
  qos: 0 | 1 | 2;
  inboxId?: number;
}

/** `nowMs`: the gateway clock when the request was sent; the worker's processor reads it as its clock. */
export type ToEdgeWorker =
  | { kind: 'process'; id: number; nowMs: number; items: EdgeItem[] }
  | { kind: 'flush'; id: number; nowMs: number }
  | { kind: 'request-raw'; id: number; request: RawRequest };

/** What the processor told its callbacks while handling one request, replayed on the gateway's thread. */
export interface EdgeEffects {
  deadLetters: DeadLetterV1[];
  idleFlushes: { device: string; sensor: string }[];
  logs: { level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string }[];
}

/** A processed item, or why processing threw (the row stays in the inbox, as in the gateway's thread). */
export type EdgeOutcome = { ok: true; processed: Processed } | { ok: false; error: string };

export type FromEdgeWorker =
  | { kind: 'ready'; threadId: number }
  | { kind: 'processed'; id: number; outcomes: EdgeOutcome[]; effects: EdgeEffects }
  | { kind: 'flushed'; id: number; processed: Processed; effects: EdgeEffects }
  | { kind: 'raw-requested'; id: number; streams: string[] }
  | { kind: 'failed'; id: number; error: string };
