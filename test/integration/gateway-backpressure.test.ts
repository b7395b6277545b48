import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeAs, encodeMessage, type TelemetryV1 } from '../../protocol';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const SITE = 'plant-bp';
const BLOCKS = 400;

// A device that never waits for acknowledgements, against an inbox bound of 2 unprocessed rows: the broker reads
// many publishes per socket read, far more than 2, so the gateway must hold acknowledgements to stay in bounds.
describe('gateway inbox backpressure', () => {
  let upstream: EmbeddedBroker;
  let gateway: Gateway;
  let device: mqtt.MqttClient;
  let watcher: mqtt.MqttClient;
  const seqs: number[] = [];

  beforeAll(async () => {
    upstream = await startBroker();
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({
        site: SITE,
        devices: { listen: { port: 0 } },
        upstream: { url: upstream.url },
        store: { inbox: { maxPendingRows: 2 } },
        pipelines: [{ sensors: ['*'], window: { blocks: 1 } }],
      }),
      clock: new ScaledRealClock(),
    });
    watcher = await mqtt.connectAsync(upstream.url);
    watcher.on('message', (_topic, payload) => seqs.push(decodeAs(payload, 'features').seq));
    await watcher.subscribeAsync(`twinbed/v1/${SITE}/+/features/+`, { qos: 1 });
    device = await mqtt.connectAsync(gateway.deviceUrl, { clientId: 'eager-device' });
  });

  afterAll(async () => {
    await device?.endAsync();
    await watcher?.endAsync();
    await gateway?.stop();
    await upstream?.close();
  });

  it('holds acknowledgements while the inbox is full, keeps the backlog within its bound, and loses nothing', async () => {
    const block = (seq: number): TelemetryV1 => ({ type: 'telemetry', v: 1, device: 'pump-1', sensor: 'accel', seq, tsMs: 1_767_225_600_000 + seq * 10, rateHz: 400, unit: 'g', values: [0.5, -0.5, 0.5, -0.5] });
    const acks = Array.from({ length: BLOCKS }, (_, seq) => device.publishAsync(`twinbed/v1/${SITE}/pump-1/telemetry/accel`, Buffer.from(encodeMessage(block(seq), 'cbor')), { qos: 1 }));
    await Promise.all(acks);

    expect(await waitUntil(() => seqs.length >= BLOCKS, 20_000)).toBe(true);
    const counters = gateway.counters();
    expect(counters.backpressured).toBeGreaterThan(0);
    expect(gateway.inboxBacklog()).toMatchObject({ rows: 0, bytes: 0, highWaterRows: 2, waiting: 0 });
    expect(counters).toMatchObject({ received: BLOCKS, windows: BLOCKS, deadLettered: 0 });
    // Every block once, in order: a held acknowledgement delays a publish, it never reorders or drops one.
    expect(seqs).toEqual(Array.from({ length: BLOCKS }, (_, seq) => seq));
  });
});
