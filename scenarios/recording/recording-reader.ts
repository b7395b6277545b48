import { open, type FileHandle } from 'node:fs/promises';
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { METADATA, parseChannelMetadata, PROFILE, toMs, type ChannelInfo } from './layout';
import { RecordingError } from './payload';

/** A channel of a recording: its topic, what its messages are, and how many it holds. */
export interface RecordedChannel {
  id: number;
  topic: string;
  info: ChannelInfo;
  schemaName: string;
  messages: number;
}

/** One recorded message, in log-time order. */
export interface RecordedMessage {
  channel: RecordedChannel;
  /** ns since the epoch. */
  logTime: bigint;
  publishTime: bigint;
  /** UTF-8 JSON. */
  data: Uint8Array;
}

/** The scenario a recording was made with, as stored in it. */
export interface RecordedScenario {
  /** The YAML text (or, for a run that had no file, the parsed scenario as JSON). */
  text: string;
  format: 'yaml' | 'json';
  /** The scenario file's absolute path when it was recorded: files it names (a model) are relative to its folder. */
  file?: string;
}

/** A twinbed recording opened for reading through @mcap/core's indexed reader. */
export class Recording {
  readonly file: string;
  readonly channels: readonly RecordedChannel[];
  /** Metadata records by name. */
  readonly metadata: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** First and last log time, ms since the epoch (both 0 for an empty recording). */
  readonly startMs: number;
  readonly endMs: number;
  readonly #reader: McapIndexedReader;
  readonly #handle: FileHandle;

  private constructor(file: string, handle: FileHandle, reader: McapIndexedReader, metadata: Map<string, Map<string, string>>) {
    this.file = file;
    this.#handle = handle;
    this.#reader = reader;
    this.metadata = metadata;
    const counts = reader.statistics?.channelMessageCounts ?? new Map<number, bigint>();
    this.channels = [...reader.channelsById.values()].flatMap((channel) => {
      const info = parseChannelMetadata(channel.metadata);
      if (!info) return [];
      return [{ id: channel.id, topic: channel.topic, info, schemaName: reader.schemasById.get(channel.schemaId)?.name ?? '', messages: Number(counts.get(channel.id) ?? 0n) }];
    });
    this.startMs = toMs(reader.statistics?.messageStartTime ?? 0n);
    this.endMs = toMs(reader.statistics?.messageEndTime ?? 0n);
  }

  /** Opens `file`; refuses a file that is not a complete twinbed MCAP recording, saying why. */
  static async open(file: string): Promise<Recording> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw new RecordingError('E_RECORDING_READ', `${file}: cannot read the recording (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
    try {
      let reader: McapIndexedReader;
      try {
        reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
      } catch (error) {
        throw new RecordingError('E_RECORDING_FORMAT', `${file}: not a complete MCAP file (${(error as Error).message}); a recording that was cut off can be recovered with \`mcap recover\``, { cause: error });
      }
      if (reader.header.profile !== PROFILE) {
        throw new RecordingError('E_RECORDING_FORMAT', `${file}: an MCAP file of profile "${reader.header.profile}", not a twinbed recording (profile "${PROFILE}")`);
      }
      const metadata = new Map<string, Map<string, string>>();
      for await (const record of reader.readMetadata()) metadata.set(record.name, record.metadata);
      return new Recording(file, handle, reader, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** `kind` of the recording: run, live or import. */
  get kind(): string | undefined {
    return this.metadata.get(METADATA.recording)?.get('kind');
  }

  /** The seed of the recorded run. */
  get seed(): string | number | undefined {
    const seed = this.metadata.get(METADATA.recording)?.get('seed');
    return seed === undefined ? undefined : /^-?\d+$/.test(seed) ? Number(seed) : seed;
  }

  /** The scenario stored in the recording, if it was made by a run. */
  scenario(): RecordedScenario | undefined {
    const record = this.metadata.get(METADATA.scenario);
    const yaml = record?.get('yaml');
    const json = record?.get('json');
    const file = record?.get('file');
    if (yaml !== undefined) return { text: yaml, format: 'yaml', ...(file ? { file } : {}) };
    if (json !== undefined) return { text: json, format: 'json', ...(file ? { file } : {}) };
    return undefined;
  }

  /** The messages of `channels` (default: all), in log-time order (ties in the order they were recorded). */
  async *messages(channels?: readonly RecordedChannel[]): AsyncGenerator<RecordedMessage> {
    const byId = new Map((channels ?? this.channels).map((c) => [c.id, c]));
    if (byId.size === 0) return;
    const topics = [...new Set([...byId.values()].map((c) => c.topic))];
    for await (const message of this.#reader.readMessages({ topics })) {
      const channel = byId.get(message.channelId);
      if (channel) yield { channel, logTime: message.logTime, publishTime: message.publishTime, data: message.data };
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
