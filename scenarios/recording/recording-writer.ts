import { open, stat, type FileHandle } from 'node:fs/promises';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import { channelMetadata, LIBRARY, PROFILE, schemaFor, type ChannelInfo } from './layout';
import { RecordingError } from './payload';

/** What a finished recording holds. */
export interface RecordingSummary {
  file: string;
  /** Messages per topic. */
  topics: Record<string, number>;
  messages: number;
  /** Size of the file. */
  bytes: number;
}

const encoder = new TextEncoder();

/**
 * An MCAP file being written, one call at a time: McapWriter corrupts the file when a call starts before the previous
 * one finished, so every call here is queued behind the last and awaited in order. Callers need not await `add`;
 * the first error is kept and thrown by `close`.
 */
export class RecordingWriter {
  readonly file: string;
  readonly #handle: FileHandle;
  readonly #writer: McapWriter;
  readonly #schemas = new Map<string, number>();
  readonly #channels = new Map<string, { id: number; topic: string; sequence: number }>();
  readonly #counts = new Map<string, number>();
  #tail: Promise<void> = Promise.resolve();
  #error: unknown;
  #closed = false;

  private constructor(file: string, handle: FileHandle, writer: McapWriter) {
    this.file = file;
    this.#handle = handle;
    this.#writer = writer;
  }

  /** Creates (or truncates) `file` and writes the MCAP header. */
  static async create(file: string, options: { chunkSize?: number } = {}): Promise<RecordingWriter> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'w');
    } catch (error) {
      throw new RecordingError('E_RECORDING_WRITE', `cannot write the recording ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the folder exists and is writable`, { cause: error });
    }
    // 4 MiB chunks: a 25.6 kHz block is ~20 kB of JSON, so a chunk holds about 200 of them.
    const writer = new McapWriter({ writable: new FileHandleWritable(handle), chunkSize: options.chunkSize ?? 4 * 1024 * 1024 });
    await writer.start({ profile: PROFILE, library: LIBRARY });
    return new RecordingWriter(file, handle, writer);
  }

  /** Adds a message on `topic`'s channel for `info` (registered on first use). Times are ns since the epoch. */
  add(topic: string, info: ChannelInfo, data: Uint8Array, logTime: bigint, publishTime: bigint = logTime): void {
    this.#counts.set(topic, (this.#counts.get(topic) ?? 0) + 1);
    this.#enqueue(async () => {
      const channel = await this.#channel(topic, info);
      await this.#writer.addMessage({ channelId: channel.id, sequence: channel.sequence++, logTime, publishTime, data });
    });
  }

  /** Adds a metadata record (a name and a string map). */
  async metadata(name: string, entries: Record<string, string>): Promise<void> {
    await this.#enqueue(() => this.#writer.addMetadata({ name, metadata: new Map(Object.entries(entries)) }));
    this.#throwIfFailed();
  }

  /** Messages queued or written so far, per topic. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  /** Waits for every queued call. */
  async flush(): Promise<void> {
    await this.#enqueue(async () => {});
    this.#throwIfFailed();
  }

  /** Writes the summary and index, and closes the file. Throws the first write error, if any. */
  async close(): Promise<RecordingSummary> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#enqueue(() => this.#writer.end()).finally(() => this.#handle.close());
    }
    this.#throwIfFailed();
    const { size } = await stat(this.file);
    const topics = Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
    return { file: this.file, topics, messages: [...this.#counts.values()].reduce((a, b) => a + b, 0), bytes: size };
  }

  /** Runs `step` after every call queued before it; never rejects (a failure is kept, and later steps skipped). */
  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#tail = this.#tail.then(async () => {
      if (this.#error !== undefined) return;
      try {
        await step();
      } catch (error) {
        this.#error = error;
      }
    });
    return this.#tail;
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#failure();
  }

  async #channel(topic: string, info: ChannelInfo): Promise<{ id: number; topic: string; sequence: number }> {
    // A topic whose format changes mid-recording (a device switching codec) gets a channel per format.
    const key = `${topic}\u0000${info.wire}/${info.codec ?? ''}/${info.packed ?? ''}/${info.type ?? ''}/${info.v ?? ''}`;
    let channel = this.#channels.get(key);
    if (channel) return channel;
    const schema = schemaFor(info);
    let schemaId = this.#schemas.get(schema.name);
    if (schemaId === undefined) {
      schemaId = await this.#writer.registerSchema({ name: schema.name, encoding: 'jsonschema', data: encoder.encode(JSON.stringify(schema.data)) });
      this.#schemas.set(schema.name, schemaId);
    }
    const id = await this.#writer.registerChannel({ schemaId, topic, messageEncoding: 'json', metadata: channelMetadata(info) });
    this.#channels.set(key, (channel = { id, topic, sequence: 0 }));
    return channel;
  }

  #failure(): RecordingError {
    const error = this.#error as Error;
    return error instanceof RecordingError ? error : new RecordingError('E_RECORDING_WRITE', `writing ${this.file} failed: ${error.message}`, { cause: error });
  }
}
