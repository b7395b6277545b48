import { open } from 'node:fs/promises';
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import type { ExpectationResult, RunResult } from '../../../scenarios';

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

/** Messages per topic, from the summary's statistics; throws if a topic has more than one channel. */
export function countsByTopic(contents: Pick<McapContents, 'channels' | 'counts'>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const channel of contents.channels) {
    if (channel.topic in counts) throw new Error(`${channel.topic} has more than one channel`);
    counts[channel.topic] = contents.counts.get(channel.id) ?? 0;
  }
  return counts;
}

/** The decoded JSON messages of one topic, in log-time order. */
export function messagesOn(contents: Pick<McapContents, 'messages'>, topic: string): Record<string, unknown>[] {
  return contents.messages.filter((m) => m.topic === topic).map((m) => m.json);
}

/** What a report says about each expectation, without anything else: the verdict to reproduce. */
export function verdicts(result: Pick<RunResult, 'expectations'>): Pick<ExpectationResult, 'name' | 'type' | 'passed' | 'detail'>[] {
  return result.expectations.map(({ name, type, passed, detail }) => ({ name, type, passed, detail }));
}

/**
 * Every detection delay a report states, in seconds, by where it is stated: each `alert` expectation's "N s after the
 * onset", each detection_delay_s threshold's observed figure and per-fault delays, and per fault of the timeline the
 * first alert raised on its device at or after its onset.
 */
export function detectionDelays(result: Pick<RunResult, 'expectations' | 'timeline'>): Record<string, number> {
  const delays: Record<string, number> = {};
  for (const e of result.expectations) {
    if (e.type === 'alert') {
      const match = /, (\S+) s after the .*onset at \S+ s$/.exec(e.detail);
      if (!match) throw new Error(`no detection delay in "${e.detail}"`);
      delays[`alert: ${e.name}`] = Number(match[1]);
    }
    if (e.type === 'threshold' && e.name.startsWith('detection_delay_s')) {
      const match = /^observed \S+ (\S+) s, .*; \d+ faults?: (.*)$/.exec(e.detail);
      if (!match) throw new Error(`no detection delay in "${e.detail}"`);
      delays[`threshold: ${e.name}`] = Number(match[1]);
      for (const fault of match[2]!.split(', ')) {
        const [id, seconds] = fault.split(' ');
        delays[`threshold: ${e.name}: ${id}`] = Number(seconds);
      }
    }
  }
  for (const fault of result.timeline.faults) {
    const first = result.timeline.alerts.find((a) => a.device === fault.device && a.state === 'raised' && a.atS >= fault.atS);
    delays[`timeline: ${fault.id}`] = first ? first.atS - fault.atS : Infinity;
  }
  return delays;
}
