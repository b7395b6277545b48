import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../sim';
import type { IngestRoute } from './device-auth';
import type { EdgeEffects, EdgeItem, EdgeOutcome, EdgeWorkerData, FromEdgeWorker, ToEdgeWorker } from './edge-worker-protocol';
import type { EdgeLog, Processed, RawRequest } from './edge-processor';
import type { DeadLetterV1 } from '../protocol';

export interface EdgeWorkerClientOptions {
  data: EdgeWorkerData;
  /** The gateway clock's now, sent with each request. */
  nowMs: () => number;
  log: EdgeLog;
  onDeadLetter: (letter: DeadLetterV1) => void;
  onIdleFlush: (stream: { device: string; sensor: string }) => void;
  /** Told once if the worker dies on its own (a crash, not `close`): every request from then on fails. */
  onCrash?: (error: EdgeWorkerError) => void;
}

type Reply = Exclude<FromEdgeWorker, { kind: 'ready' }>;

/** Thrown for every request once the edge worker died: the gateway cannot process device data any more. */
export class EdgeWorkerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`edge worker: ${message}`, options);
    this.name = 'EdgeWorkerError';
  }
}

/**
 * The gateway's side of the edge worker (`processing.thread: worker`): the same calls as EdgeProcessor, answered by
 * the one in the worker thread, in the order made. What the processor logs and dead-letters there is replayed here.
 */
export class EdgeWorkerClient {
  readonly #worker: Worker;
  readonly #o: EdgeWorkerClientOptions;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  #next = 1;
  #failure: EdgeWorkerError | undefined;
  /** The worker's thread id, as it reported it. */
  readonly threadId: number;

  private constructor(worker: Worker, options: EdgeWorkerClientOptions, threadId: number) {
    this.#worker = worker;
    this.threadId = threadId;
    this.#o = options;
    worker.on('message', (message: FromEdgeWorker) => {
      if (message.kind === 'ready') return;
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.kind === 'failed') pending.reject(new EdgeWorkerError(message.error));
      else pending.resolve(message);
    });
    worker.on('error', (error) => this.#fail(new EdgeWorkerError(`it crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.#fail(new EdgeWorkerError(`it exited (code ${code})`)));
  }

  /** Starts the worker and waits until its processor is built. */
  static async start(options: EdgeWorkerClientOptions): Promise<EdgeWorkerClient> {
    const worker = startModuleWorker(import.meta.url, 'edge-worker', options.data);
    const threadId = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: FromEdgeWorker) => {
        if (message.kind !== 'ready') return;
        worker.off('error', onError).off('exit', onExit).off('message', onMessage);
        resolve(message.threadId);
      };
      const onError = (error: Error) => reject(new EdgeWorkerError(`it could not start: ${error.message}`, { cause: error }));
      const onExit = (code: number) => reject(new EdgeWorkerError(`it exited while starting (code ${code})`));
      worker.on('message', onMessage).once('error', onError).once('exit', onExit);
    });
    return new EdgeWorkerClient(worker, options, threadId);
  }

  /** Processes payloads in order; one outcome each (a failure leaves that row in the inbox, as in the gateway's thread). */
  async process(items: EdgeItem[]): Promise<EdgeOutcome[]> {
    const reply = await this.#request({ kind: 'process', id: this.#next++, nowMs: this.#o.nowMs(), items });
    if (reply.kind !== 'processed') throw new EdgeWorkerError(`expected processed, got ${reply.kind}`);
    this.#replay(reply.effects);
    return reply.outcomes;
  }

  /** One payload, as EdgeProcessor.process: a failure throws. */
  async processOne(payload: Buffer, route: IngestRoute, qos: 0 | 1 | 2, inboxId?: number): Promise<Processed> {
    const [outcome] = await this.process([{ payload, route, qos, ...(inboxId === undefined ? {} : { inboxId }) }]);
    if (!outcome!.ok) throw new EdgeWorkerError(outcome!.error);
    return outcome!.processed;
  }

  async flush(): Promise<Processed> {
    const reply = await this.#request({ kind: 'flush', id: this.#next++, nowMs: this.#o.nowMs() });
    if (reply.kind !== 'flushed') throw new EdgeWorkerError(`expected flushed, got ${reply.kind}`);
    this.#replay(reply.effects);
    return reply.processed;
  }

  async requestRaw(request: RawRequest): Promise<string[]> {
    const reply = await this.#request({ kind: 'request-raw', id: this.#next++, request });
    if (reply.kind !== 'raw-requested') throw new EdgeWorkerError(`expected raw-requested, got ${reply.kind}`);
    return reply.streams;
  }

  /** Stops the worker; requests still pending fail. Idempotent. */
  async close(): Promise<void> {
    this.#failure ??= new EdgeWorkerError('it was stopped');
    await this.#worker.terminate();
    this.#fail(this.#failure);
  }

  #request(request: ToEdgeWorker): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    // Each payload in an ArrayBuffer of its own, transferred: a broker's payload is a view into its whole socket read.
    const transfer: ArrayBuffer[] = [];
    if (request.kind === 'process') {
      for (const item of request.items) {
        const own = new Uint8Array(item.payload);
        item.payload = own;
        transfer.push(own.buffer);
      }
    }
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      this.#worker.postMessage(request, transfer);
    });
  }

  #replay(effects: EdgeEffects): void {
    for (const { level, fields, message } of effects.logs) this.#o.log[level](fields, message);
    for (const letter of effects.deadLetters) this.#o.onDeadLetter(letter);
    for (const stream of effects.idleFlushes) this.#o.onIdleFlush(stream);
  }

  /** Ends the worker thread as a crash would, for crash tests: requests fail and `onCrash` is told. */
  async kill(): Promise<void> {
    await this.#worker.terminate();
  }

  #fail(error: EdgeWorkerError): void {
    const first = this.#failure === undefined;
    this.#failure ??= error;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    // A crash emits both `error` and `exit`: tell it once. `close` sets the failure first, so a stop is never a crash.
    if (first) this.#o.onCrash?.(error);
  }
}
