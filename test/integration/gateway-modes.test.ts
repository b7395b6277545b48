import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeAs, encodeMessage, type StatusV1 } from '../../protocol';
import { ScaledRealClock, startBroker, VirtualClock } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const block = (seq: number) =>
  Buffer.from(encodeMessage({ type: 'telemetry', v: 1, device: 'pump-1', sensor: 'accel', seq, tsMs: 1_767_225_600_000 + seq * 40, rateHz: 1000, unit: 'g', values: [1, -1, 1, -1] }));

describe('gateway broker modes and status', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  /** Registers whatever `thing` has of endAsync (clients), stop (gateways) or close (brokers) for after the test. */
  const track = <T extends { close?: () => Promise<void>; stop?: () => Promise<void>; endAsync?: () => Promise<void> }>(thing: T): T => {
    cleanups.push(async () => {
      await (thing.endAsync?.() ?? thing.stop?.() ?? thing.close?.());
    });
    return thing;
  };

  it('uses an existing device-side broker given by URL instead of embedding one', async () => {
    const devices = track(await startBroker());
    const cloud = track(await startBroker());
    const gateway = track(
      await Gateway.start({ config: GatewayConfigSchema.parse({ site: 's1', devices: { url: devices.url }, upstream: { url: cloud.url }, pipelines: [{ sensors: ['*'], window: { blocks: 1 } }] }), clock: new ScaledRealClock() }),
    );
    expect(gateway.deviceUrl).toBe(devices.url);
    const upstream = track(await mqtt.connectAsync(cloud.url));
    const features: unknown[] = [];
    upstream.on('message', (_t, payload) => features.push(decodeAs(payload, 'features')));
    await upstream.subscribeAsync('twinbed/v1/s1/pump-1/features/accel', { qos: 1 });
    const device = track(await mqtt.connectAsync(devices.url));
    await device.publishAsync('twinbed/v1/s1/pump-1/telemetry/accel', block(0), { qos: 1 });
    expect(await waitUntil(() => features.length === 1, 5000)).toBe(true);
    expect(features[0]).toMatchObject({ seq: 0, features: { rms: 1, peak: 1, crest: 1 }, windowMs: 4 });
  });

  it('publishes retained status with its counters on its clock, and offline when it stops', async () => {
    const cloud = track(await startBroker());
    const start = Date.parse('2026-01-01T00:00:00Z');
    const clock = new VirtualClock(start);
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: 's2', id: 'edge-7', devices: { listen: { port: 0 } }, upstream: { url: cloud.url }, statusIntervalS: 5, pipelines: [{ sensors: ['*'], window: { blocks: 1 } }] }),
      clock,
    });
    const device = track(await mqtt.connectAsync(gateway.deviceUrl));
    await device.publishAsync('twinbed/v1/s2/pump-1/telemetry/accel', block(0), { qos: 1 });
    await device.publishAsync('twinbed/v1/s2/pump-1/telemetry/accel', Buffer.from('garbage'), { qos: 1 });
    expect(await waitUntil(() => gateway.counters().received === 2, 5000)).toBe(true);
    // Received is not yet processed: the status must count the dead letter and the window too.
    await gateway.idle();
    await clock.runUntil(start + 5000);

    // Retained: a subscriber that arrives later still learns the gateway's state.
    const statuses: StatusV1[] = [];
    const watcher = track(await mqtt.connectAsync(cloud.url));
    watcher.on('message', (_t, payload) => statuses.push(decodeAs(payload, 'status')));
    await watcher.subscribeAsync('twinbed/v1/s2/edge-7/status', { qos: 1 });
    expect(await waitUntil(() => statuses.length >= 1, 5000)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ device: 'edge-7', state: 'online', tsMs: start + 5000, counters: { received: 2, deadLettered: 1, windows: 1 } });

    await gateway.stop();
    expect(await waitUntil(() => statuses.at(-1)?.state === 'offline', 5000)).toBe(true);
  });
});
