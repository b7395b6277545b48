// The edge worker thread: one EdgeProcessor (decode, resequence, pipelines, features, local rules and actions, raw
// uplink) fed by the gateway's thread over messages, so the DSP runs on a core of its own. Requests are handled one
// at a time, in the order sent: the processor sees exactly what it would see in the gateway's thread.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { monotonicWallMs } from '../sim';
import { nodeGzip } from './dsp';
import { EdgeProcessor, type Processed } from './edge-processor';
import type { EdgeEffects, EdgeOutcome, EdgeWorkerData, FromEdgeWorker, ToEdgeWorker } from './edge-worker-protocol';

const data = workerData as EdgeWorkerData;
const port = parentPort!;
let nowMs = 0;
let effects: EdgeEffects = { deadLetters: [], idleFlushes: [], logs: [] };
const logAt = (level: 'info' | 'warn' | 'error') => (fields: Record<string, unknown>, message: string) => void effects.logs.push({ level, fields, message });

const processor = new EdgeProcessor({
  site: data.site,
  gateway: data.gateway,
  pipelines: data.pipelines,
  rules: data.rules,
  actions: data.actions,
  reorderHoldMs: data.reorderHoldMs,
  clock: { now: () => nowMs },
  // timeOrigin + now: the same monotonic wall clock in every thread of the process.
  wallMs: monotonicWallMs,
  gzip: nodeGzip,
  log: { info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
  onDeadLetter: (letter) => void effects.deadLetters.push(letter),
  onIdleFlush: (stream) => void effects.idleFlushes.push(stream),
});

function takeEffects(): EdgeEffects {
  const taken = effects;
  effects = { deadLetters: [], idleFlushes: [], logs: [] };
  return taken;
}

async function handle(request: ToEdgeWorker): Promise<FromEdgeWorker> {
  switch (request.kind) {
    case 'process': {
      nowMs = request.nowMs;
      const outcomes: EdgeOutcome[] = [];
      for (const item of request.items) {
        try {
          outcomes.push({ ok: true, processed: await processor.process(Buffer.from(item.payload.buffer, item.payload.byteOffset, item.payload.byteLength), item.route, item.qos, item.inboxId) });
        } catch (error) {
          outcomes.push({ ok: false, error: (error as Error).stack ?? String(error) });
        }
      }
      return { kind: 'processed', id: request.id, outcomes, effects: takeEffects() };
    }
    case 'flush':
      nowMs = request.nowMs;
      return { kind: 'flushed', id: request.id, processed: await processor.flush(), effects: takeEffects() };
    case 'request-raw':
      return { kind: 'raw-requested', id: request.id, streams: processor.requestRaw(request.request) };
  }
}

/**
 * Each outgoing payload in an ArrayBuffer of its own, to transfer: posting a view clones its whole buffer, and an
 * encoder's output may be a view into a larger one.
 */
function ownBuffers(processed: Processed, transfer: ArrayBuffer[]): void {
  for (const message of processed.enqueue) {
    const own = new Uint8Array(message.payload);
    message.payload = own;
    transfer.push(own.buffer);
  }
}

let queue = Promise.resolve();
port.on('message', (request: ToEdgeWorker) => {
  queue = queue.then(async () => {
    let reply: FromEdgeWorker;
    const transfer: ArrayBuffer[] = [];
    try {
      reply = await handle(request);
      if (reply.kind === 'processed') for (const outcome of reply.outcomes) if (outcome.ok) ownBuffers(outcome.processed, transfer);
      if (reply.kind === 'flushed') ownBuffers(reply.processed, transfer);
    } catch (error) {
      reply = { kind: 'failed', id: request.id, error: (error as Error).stack ?? String(error) };
    }
    port.postMessage(reply, transfer);
  });
});
port.postMessage({ kind: 'ready', threadId } satisfies FromEdgeWorker);
