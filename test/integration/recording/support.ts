import { open } from 'node:fs/promises';
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';

/** One MCAP file read with @mcap/core's own indexed reader, not twinbed's: what Foxglove or any tool would see. */
export interface McapContents {
  profile: string;
  channels: { id: number; topic: string; messageEncoding: string; metadata: Map<string, string>; schema: { name: string; encoding: string; data: Record<string, unknown> } }[];
  /** Per channel id, from the summary's statistics. */
  counts: Map<number, number>;
  metadata: Map<string, Map<string, string>>;
  messages: { channelId: number; topic: string; logTime: bigint; publishTime: bigint; json: Record<string, unknown> }[];
}

const decoder = new TextDecoder();

export async function readMcap(file: string, options: { messages?: boolean } = {}): Promise<McapContents> {
  const handle = await open(file, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
    const channels = [...reader.channelsById.values()].map((c) => {
      const schema = reader.schemasById.get(c.schemaId)!;
      return { id: c.id, topic: c.topic, messageEncoding: c.messageEncoding, metadata: c.metadata, schema: { name: schema.name, encoding: schema.encoding, data: JSON.parse(decoder.decode(schema.data)) as Record<string, unknown> } };
    });
    const counts = new Map([...(reader.statistics?.channelMessageCounts ?? new Map<number, bigint>())].map(([id, n]) => [id, Number(n)]));
    const metadata = new Map<string, Map<string, string>>();
    for await (const record of reader.readMetadata()) metadata.set(record.name, record.metadata);
    const messages: McapContents['messages'] = [];
    if (options.messages !== false) {
      const topicOf = new Map(channels.map((c) => [c.id, c.topic]));
      for await (const m of reader.readMessages()) {
        messages.push({ channelId: m.channelId, topic: topicOf.get(m.channelId)!, logTime: m.logTime, publishTime: m.publishTime, json: JSON.parse(decoder.decode(m.data)) as Record<string, unknown> });
      }
    }
    return { profile: reader.header.profile, channels, counts, metadata, messages };
  } finally {
    await handle.close();
  }
}
