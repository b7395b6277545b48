import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeMessage, encodeMessage, topics, type CommandV1, type FeaturesV2 } from '../../protocol';
import { connectMqtt, startBroker, VirtualClock, type EmbeddedBroker, type MqttClient } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const SITE = 'plant-share';

describe('gateways sharing one device broker, each serving its own devices', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup(): Promise<{ devices: EmbeddedBroker; cloud: EmbeddedBroker; deviceClient: MqttClient; cloudClient: MqttClient }> {
    const devices = await startBroker();
    const cloud = await startBroker();
    closers.push(() => devices.close(), () => cloud.close());
    for (const [id, only] of [['gw-a', ['pump-1']], ['gw-b', ['pump-2']]] as const) {
      const gateway = await Gateway.start({
        config: GatewayConfigSchema.parse({ site: SITE, id, devices: { url: devices.url, only: [...only] }, upstream: { url: cloud.url } }),
        clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
      });
      closers.push(() => gateway.stop());
    }
    const deviceClient = await connectMqtt(devices.url, { clientId: 'devices-side' });
    const cloudClient = await connectMqtt(cloud.url, { clientId: 'cloud-side' });
    closers.push(() => deviceClient.endAsync(), () => cloudClient.endAsync());
    return { devices, cloud, deviceClient, cloudClient };
  }

  it('carries a cloud command to its device once, through the gateway that serves it', async () => {
    const { deviceClient, cloudClient } = await setup();
    const received: CommandV1[] = [];
    deviceClient.on('message', (_topic, payload) => received.push(decodeMessage(payload) as CommandV1));
    await deviceClient.subscribeAsync(topics.cmd(SITE, '+'), { qos: 1 });
    const command: CommandV1 = { type: 'cmd', v: 1, device: 'pump-1', tsMs: 0, id: 'heal-1', action: 'slow-down', args: { speedRpm: 888 } };
    // Gateways subscribe on their uplink's connect; a command sent before that is not theirs to carry.
    expect(await waitUntil(async () => {
      if (received.length > 0) return true;
      await cloudClient.publishAsync(topics.cmd(SITE, 'pump-1'), Buffer.from(encodeMessage({ ...command, id: `heal-${received.length}` }, 'json')), { qos: 1 });
      return false;
    }, 10_000)).toBe(true);
    // Neither gateway carries a command for a device it does not serve.
    await cloudClient.publishAsync(topics.cmd(SITE, 'pump-9'), Buffer.from(encodeMessage({ ...command, device: 'pump-9', id: 'stray' }, 'json')), { qos: 1 });
    await cloudClient.publishAsync(topics.cmd(SITE, 'pump-1'), Buffer.from(encodeMessage({ ...command, id: 'marker' }, 'json')), { qos: 1 });
    expect(await waitUntil(() => received.some((c) => c.id === 'marker'), 10_000)).toBe(true);
    expect(received.filter((c) => c.id === 'marker')).toHaveLength(1);
    expect(received.filter((c) => c.device === 'pump-9')).toEqual([]);
    expect(received.every((c) => c.device === 'pump-1' && c.action === 'slow-down' && c.args?.speedRpm === 888)).toBe(true);
  });

  it('takes only its own devices\' telemetry from the shared broker, and says so in each window', async () => {
    const { deviceClient, cloudClient } = await setup();
    const windows: FeaturesV2[] = [];
    cloudClient.on('message', (_topic, payload) => windows.push(decodeMessage(payload) as FeaturesV2));
    await cloudClient.subscribeAsync(`twinbed/v1/${SITE}/+/features/+`, { qos: 1 });
    // Two 10-sample blocks at 1 Hz per device: the slow-sensor default summarises them as one window (a record
    // costs more than one block, so it takes two: issue 12).
    for (const device of ['pump-1', 'pump-2']) {
      for (let seq = 0; seq < 2; seq++) {
        const block = { type: 'telemetry', v: 1, device, sensor: 'winding-temp', seq, tsMs: Date.parse('2026-01-01T00:00:00Z') + seq * 10_000, rateHz: 1, unit: 'degC', values: Array.from({ length: 10 }, () => 40) } as const;
        await deviceClient.publishAsync(topics.telemetry(SITE, device, 'winding-temp'), Buffer.from(encodeMessage(block, 'json')), { qos: 1 });
      }
    }
    expect(await waitUntil(() => windows.length >= 2, 10_000), `${windows.length} windows`).toBe(true);
    const by = (device: string) => [...new Set(windows.filter((w) => w.device === device).map((w) => w.gateway))];
    expect(by('pump-1')).toEqual(['gw-a']);
    expect(by('pump-2')).toEqual(['gw-b']);
    expect(windows).toHaveLength(2);
  });
});
