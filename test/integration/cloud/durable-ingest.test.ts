import { afterEach, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../../cloud';
import { encodeMessage, topics, type FeaturesV1, type FeaturesV2 } from '../../../protocol';
import { connectMqtt, startBroker, VirtualClock, type EmbeddedBroker, type MqttClient } from '../../../sim';
import { waitUntil } from '../../support/twinbed-process';

const START_MS = Date.parse('2026-01-01T00:00:00Z');

function window(seq: number, v: 1 | 2): FeaturesV1 | FeaturesV2 {
  const base = { type: 'features', device: 'pump-1', sensor: 'accel', seq, tsMs: START_MS + seq * 1000, windowMs: 1000, unit: 'g', features: { rms: 0.05, peak: 0.15, crest: 3 } } as const;
  return v === 1 ? { ...base, v: 1 } : { ...base, v: 2, gateway: 'gw-1', model: { version: '1.0.0', score: 0.4, threshold: 1 } };
}

describe('durable cloud ingest over MQTT', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let publisher: MqttClient;
  afterEach(async () => {
    await publisher?.endAsync();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  async function start(): Promise<{ cloudAcks: number[] }> {
    broker = await startBroker();
    const cloudAcks: number[] = [];
    // PUBACKs the broker takes from the cloud's session.
    broker.aedes.on('ack', (packet, client) => {
      if (client?.id === 'cloud-under-test' && packet && 'messageId' in packet && packet.messageId !== undefined) cloudAcks.push(packet.messageId);
    });
    storage = new SqliteStorage(':memory:');
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(START_MS), clientId: 'cloud-under-test' });
    publisher = await connectMqtt(broker.url, { clientId: 'gateway-side' });
    return { cloudAcks };
  }

  it('acknowledges every QoS 1 window once it is stored, and none before', async () => {
    const { cloudAcks } = await start();
    for (let seq = 0; seq < 40; seq++) await publisher.publishAsync(topics.features('plant', 'pump-1', 'accel'), Buffer.from(encodeMessage(window(seq, 2), 'cbor')), { qos: 1 });
    expect(await waitUntil(() => cloudAcks.length === 40, 10_000), `${cloudAcks.length} PUBACKs`).toBe(true);
    await cloud.idle();
    expect((await storage.counts()).features).toBe(40);
    expect(cloud.stats()).toMatchObject({ received: 40, stored: 40, duplicatesDropped: 0 });
  });

  it('upcasts v1 windows to v2: both versions are stored alike, and a copy of either is a duplicate', async () => {
    await start();
    const topic = topics.features('plant', 'pump-1', 'accel');
    await publisher.publishAsync(topic, Buffer.from(encodeMessage(window(0, 1), 'json')), { qos: 1 });
    await publisher.publishAsync(topic, Buffer.from(encodeMessage(window(1, 2), 'cbor')), { qos: 1 });
    await publisher.publishAsync(topic, Buffer.from(encodeMessage(window(1, 1), 'json')), { qos: 1 });
    expect(await waitUntil(() => cloud.stats().received === 3, 10_000)).toBe(true);
    await cloud.idle();
    const stored = await storage.series({ device: 'pump-1', sensor: 'accel' });
    expect(stored.map((r) => [r.seq, r.features.rms, r.unit])).toEqual([
      [0, 0.05, 'g'],
      [1, 0.05, 'g'],
    ]);
    expect(cloud.stats()).toMatchObject({ stored: 2, duplicatesDropped: 1 });
  });

  it('dead-letters a malformed window with its reason, queryable, and goes on', async () => {
    await start();
    const topic = topics.features('plant', 'pump-1', 'accel');
    await publisher.publishAsync(topic, Buffer.from('{"type":"features","v":2,"device":"pump-1"'), { qos: 1 });
    await publisher.publishAsync(topic, Buffer.from(encodeMessage(window(0, 2), 'cbor')), { qos: 1 });
    expect(await waitUntil(() => cloud.stats().received === 2, 10_000)).toBe(true);
    await cloud.idle();
    const letters = await storage.deadLettersPage({ stage: 'cloud' });
    expect(letters.items).toHaveLength(1);
    expect(letters.items[0]).toMatchObject({ stage: 'cloud', topic });
    expect(letters.items[0]!.reason).toMatch(/not valid JSON/);
    expect(cloud.stats()).toMatchObject({ deadLettered: 1, stored: 1 });
  });
});
