import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeAs, encodeMessage, type DeadLetterV1 } from '../../protocol';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

// The raw client is plain mqtt.js, not twinbed's connect helper: malformed input arrives as any device would send it.
describe('malformed device payloads', () => {
  let cloudBroker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let gateway: Gateway;
  let device: mqtt.MqttClient;
  let watcher: mqtt.MqttClient;
  const letters: DeadLetterV1[] = [];

  beforeAll(async () => {
    const clock = new ScaledRealClock();
    cloudBroker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, clock });
    gateway = await Gateway.start({
      // A record per block: these tests send 4-sample blocks and look at each one's features.
      config: GatewayConfigSchema.parse({ site: 'plant-dl', devices: { listen: { port: 0 } }, upstream: { url: cloudBroker.url }, pipelines: [{ sensors: ['*'], window: { blocks: 1 } }] }),
      clock,
    });
    watcher = await mqtt.connectAsync(cloudBroker.url);
    watcher.on('message', (_topic, payload) => letters.push(decodeAs(payload, 'deadletter')));
    await watcher.subscribeAsync('twinbed/v1/plant-dl/deadletter', { qos: 1 });
    device = await mqtt.connectAsync(gateway.deviceUrl, { clientId: 'raw-device' });
  });

  afterAll(async () => {
    await device?.endAsync();
    await watcher?.endAsync();
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await cloudBroker?.close();
  });

  const topic = 'twinbed/v1/plant-dl/pump-9/telemetry/accel';
  const valid = (seq: number) => ({ type: 'telemetry', v: 1, device: 'pump-9', sensor: 'accel', seq, tsMs: 1_767_225_600_000, rateHz: 1000, unit: 'g', values: [0.5, -0.5, 0.5, -0.5] });

  it('dead-letters each bad payload with its reason and keeps processing good ones', async () => {
    await device.publishAsync(topic, Buffer.from('{"type":"telemetry", truncated'), { qos: 1 });
    await device.publishAsync(topic, Buffer.from(JSON.stringify({ ...valid(1), seq: -1 })), { qos: 1 });
    await device.publishAsync(topic, Buffer.from(JSON.stringify({ ...valid(2), values: [1, 'two', 3] })), { qos: 1 });
    await device.publishAsync('twinbed/v1/plant-dl/pump-8/telemetry/accel', Buffer.from(encodeMessage(valid(3) as never, 'cbor')), { qos: 1 });
    await device.publishAsync(topic, Buffer.from(JSON.stringify(valid(4))), { qos: 1 });

    expect(await waitUntil(() => letters.length >= 4 && cloud.stats().stored >= 1, 10_000)).toBe(true);
    expect(letters.map((l) => [l.stage, l.topic])).toEqual([
      ['gateway', topic],
      ['gateway', topic],
      ['gateway', topic],
      ['gateway', 'twinbed/v1/plant-dl/pump-8/telemetry/accel'],
    ]);
    expect(letters[0]!.reason).toMatch(/^not valid JSON/);
    expect(letters[1]!.reason).toMatch(/^seq: /);
    expect(letters[2]!.reason).toMatch(/^values/);
    expect(letters[3]!.reason).toBe('device: payload names pump-9/accel but arrived on twinbed/v1/plant-dl/pump-8/telemetry/accel');
    // The payload travels with the letter, byte for byte, so nothing is lost.
    expect(Buffer.from(letters[0]!.payloadB64, 'base64').toString()).toBe('{"type":"telemetry", truncated');

    expect(gateway.counters()).toMatchObject({ received: 5, deadLettered: 4, windows: 1 });
    await cloud.idle();
    expect(cloud.stats()).toMatchObject({ stored: 1, deadLettered: 4 });
    expect((await storage.counts()).deadLetters).toBe(4);
    const [latest] = await storage.latest('pump-9');
    expect(latest).toMatchObject({ seq: 4, features: { rms: 0.5, peak: 0.5, crest: 1 } });
  });

  it('dead-letters a malformed upstream message at the cloud too', async () => {
    const rogue = await mqtt.connectAsync(cloudBroker.url);
    await rogue.publishAsync('twinbed/v1/plant-dl/pump-9/features/accel', Buffer.from([0xff, 0x00, 0x13]), { qos: 1 });
    await rogue.endAsync();
    expect(await waitUntil(() => letters.some((l) => l.stage === 'cloud'), 10_000)).toBe(true);
    const letter = letters.find((l) => l.stage === 'cloud')!;
    expect(letter.topic).toBe('twinbed/v1/plant-dl/pump-9/features/accel');
    expect(letter.reason).toMatch(/CBOR|expected an object/);
    expect(cloud.stats().deadLettered).toBe(5);
  });
});
