import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startModuleWorker } from '../../sim';
import type { Role } from './layout';
import { RecordingError } from './payload';
import type { AddEntry, FromWorker, RecordWorkerData, ToWorker } from './record-protocol';
import type { LogTimeMode, TopicNames } from './recorded-entry';
import type { RecordingSummary } from './recording-writer';

/** Backlog (bytes handed over, not yet converted) above which the log warns that the recording lags the run. */
const BACKLOG_WARN_BYTES = 256 * 1024 * 1024;

/**
 * Where taps hand messages: a thread of its own converts each payload to MCAP JSON and writes the file, so the
 * run's event loop pays for a copy of each payload only. Turning 25.6 kHz blocks into JSON numbers costs as much
 * CPU as simulating them; on a second core it overlaps the run instead of doubling it.
 */
export class RecordingSink {
  readonly file: string;
  readonly #worker: Worker;
  readonly #logger: Logger | undefined;
  readonly #pending = new Map<number, { resolve: (message: Extract<FromWorker, { op: 'done' }>) => void; reject: (error: Error) => void }>();
  readonly #counts = new Map<string, number>();
  #batch: AddEntry[] = [];
  #transfer: ArrayBuffer[] = [];
  #flushScheduled = false;
  #nextId = 1;
  #handed = 0;
  #handedBytes = 0;
  #converted = 0;
  #convertedBytes = 0;
  #warned = false;
  #failure: Error | undefined;

  private constructor(file: string, worker: Worker, logger: Logger | undefined) {
    this.file = file;
    this.#worker = worker;
    this.#logger = logger;
  }

  /** Starts the recording thread on `file`; rejects if the file cannot be written. */
  static async open(file: string, mode: LogTimeMode, logger?: Logger): Promise<RecordingSink> {
    const worker = startWorker({ file, mode });
    const sink = new RecordingSink(file, worker, logger);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.op === 'ready') resolve();
        if (message.op === 'failed') reject(new RecordingError(message.code, message.message));
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => reject(new RecordingError('E_RECORDING_WRITE', `the recording thread failed: ${error.message}`, { cause: error })));
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    worker.on('message', (message: FromWorker) => sink.#receive(message));
    worker.on('error', (error) => sink.#fail(new RecordingError('E_RECORDING_WRITE', `the recording thread failed: ${error.message}`, { cause: error })));
    return sink;
  }

  /** Hands one message over; it is copied, so the caller may reuse `payload`. */
  add(topic: string, payload: Uint8Array, role: Role, flags: { qos: 0 | 1 | 2; retain: boolean }, receivedMs: number, names?: TopicNames): void {
    if (this.#failure) return;
    this.#counts.set(topic, (this.#counts.get(topic) ?? 0) + 1);
    // A copy of exactly these bytes: a Buffer from the socket may view a much larger pooled buffer.
    const copy = new Uint8Array(payload);
    this.#batch.push({ topic, payload: copy, role, qos: flags.qos, retain: flags.retain, receivedMs, ...(names ? { names } : {}) });
    this.#transfer.push(copy.buffer);
    this.#handed++;
    this.#handedBytes += copy.byteLength;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Messages handed over so far, per topic. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  async metadata(name: string, entries: Record<string, string>): Promise<void> {
    this.#flush();
    await this.#call((id) => ({ op: 'metadata', id, name, entries }));
  }

  /** Waits until everything handed over is written, closes the file, and ends the thread. */
  async close(): Promise<RecordingSummary> {
    this.#flush();
    try {
      const done = await this.#call((id) => ({ op: 'close', id }));
      return done.summary!;
    } finally {
      await this.#worker.terminate();
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#batch.length === 0 || this.#failure) return;
    this.#worker.postMessage({ op: 'add', batch: this.#batch } satisfies ToWorker, this.#transfer);
    this.#batch = [];
    this.#transfer = [];
  }

  async #call(message: (id: number) => ToWorker): Promise<Extract<FromWorker, { op: 'done' }>> {
    if (this.#failure) throw this.#failure;
    const id = this.#nextId++;
    const done = await new Promise<Extract<FromWorker, { op: 'done' }>>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(message(id));
    });
    if (done.error) throw new RecordingError('E_RECORDING_WRITE', `writing ${this.file} failed: ${done.error}`);
    return done;
  }

  #receive(message: FromWorker): void {
    if (message.op === 'done') {
      this.#pending.get(message.id)?.resolve(message);
      this.#pending.delete(message.id);
    } else if (message.op === 'converted') {
      this.#converted = message.count;
      this.#convertedBytes = message.bytes;
      const backlogBytes = this.#handedBytes - this.#convertedBytes;
      if (!this.#warned && backlogBytes > BACKLOG_WARN_BYTES) {
        this.#warned = true;
        this.#logger?.warn({ backlogBytes, messages: this.#handed - this.#converted }, 'the recording lags the run; it catches up after the run ends, holding the backlog in memory');
      }
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/** The recording thread (`record-worker`): bundled beside the CLI, or its TypeScript source through tsx. */
function startWorker(data: RecordWorkerData): Worker {
  return startModuleWorker(import.meta.url, 'record-worker', data);
}
