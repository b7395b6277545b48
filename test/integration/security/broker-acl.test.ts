import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerPolicy, createInternalCredential, type PolicyDenial } from '../../../gateway/security/broker-policy';
import { createDeviceEntry, DeviceRegistry } from '../../../gateway/security/device-registry';
import { connectInProcess } from '../../../gateway/security/in-process-link';
import { decodeMessage, encodeMessage, topics, type CommandV1, type TelemetryV1 } from '../../../protocol';
import { startPolicyBroker, type TestBroker } from './secure-broker';

// Plain mqtt.js devices against aedes with the policy hooks, over loopback TCP. The gateway's side is an internal
// client on the in-process link, subscribed to the whole site, so anything a device sneaks through shows up there.

const SITE = 'plant-1';
const SECRET_A = 'secret-of-pump-a-0123456789';
const SECRET_B = 'secret-of-pump-b-0123456789';

const telemetry = (device: string, seq: number): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device,
  sensor: 'accel',
  seq,
  tsMs: 1_700_000_000_000,
  rateHz: 100,
  unit: 'g',
  values: [0.5, -0.5],
});
const command = (device: string, id: string): CommandV1 => ({ type: 'cmd', v: 1, device, tsMs: 1_700_000_000_000, id, action: 'stop' });
const bytes = (message: TelemetryV1 | CommandV1) => Buffer.from(encodeMessage(message, 'json'));

let broker: TestBroker;
let url: string;
let edge: mqtt.MqttClient;
const seen: { topic: string; device: string }[] = [];
const denials: PolicyDenial[] = [];
const clients: mqtt.MqttClient[] = [];

async function device(id: string, secret: string, clientId = id): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId, username: id, password: secret, reconnectPeriod: 0, connectTimeout: 5000 });
  clients.push(client);
  return client;
}

const closeOf = (client: mqtt.MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  const registry = new DeviceRegistry([await createDeviceEntry('pump-a', SECRET_A), await createDeviceEntry('pump-b', SECRET_B)]);
  const internal = createInternalCredential();
  broker = await startPolicyBroker(brokerPolicy(registry, SITE, { internal, onDenied: (d) => denials.push(d) }));
  url = `mqtt://127.0.0.1:${broker.port}`;
  edge = await connectInProcess(broker.aedes, { clientId: `twinbed-${SITE}-gw-1-edge`, username: internal.username, password: internal.password, clean: true });
  edge.on('message', (topic, payload) => {
    const message = decodeMessage(payload);
    seen.push({ topic, device: 'device' in message ? message.device : '' });
  });
  await edge.subscribeAsync(`twinbed/v1/${SITE}/#`, { qos: 1 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await edge?.endAsync();
  await broker?.close();
});

describe('device-side broker with the security policy', () => {
  it.each([
    ['a wrong password', 'pump-a', SECRET_B],
    ['an unregistered device', 'pump-z', SECRET_A],
  ])('refuses %s with CONNACK 4, "Bad username or password"', async (_what, id, secret) => {
    const error = await device(id, secret).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 4, message: expect.stringMatching(/Bad username or password/i) });
  });

  it("refuses a device using another device's client id with CONNACK 2", async () => {
    const error = await device('pump-a', SECRET_A, 'pump-b').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 2 });
  });

  it("delivers nothing that device A publishes as B, closes A's connection, and still delivers A's own telemetry", async () => {
    const a = await device('pump-a', SECRET_A);
    const closed = closeOf(a);
    a.publish(topics.telemetry(SITE, 'pump-b', 'accel'), bytes(telemetry('pump-b', 1)), { qos: 1 });
    await closed; // [MQTT-3.3.5-2]: aedes closes the connection rather than acknowledge
    expect(denials.at(-1)).toMatchObject({ action: 'publish', device: 'pump-a', topic: 'twinbed/v1/plant-1/pump-b/telemetry/accel' });

    const again = await device('pump-a', SECRET_A);
    await again.publishAsync(topics.telemetry(SITE, 'pump-a', 'accel'), bytes(telemetry('pump-a', 2)), { qos: 1 });
    await waitFor(() => seen.some((s) => s.topic === topics.telemetry(SITE, 'pump-a', 'accel')), "A's own telemetry");
    expect(seen.filter((s) => s.topic.includes('/pump-b/'))).toEqual([]);
  });

  it.each([
    ['features', topics.features(SITE, 'pump-a', 'accel')],
    ['the dead-letter topic', topics.deadLetter(SITE)],
    ["its own command topic (commands come from the gateway)", topics.cmd(SITE, 'pump-a')],
  ])('closes a device that publishes to %s, and no subscriber gets it', async (_what, topic) => {
    const a = await device('pump-a', SECRET_A);
    const closed = closeOf(a);
    a.publish(topic, bytes(telemetry('pump-a', 3)), { qos: 1 });
    await closed;
    expect(seen.filter((s) => s.topic === topic)).toEqual([]);
  });

  it("answers A's subscription to B's cmd with SUBACK 0x80, grants its own, and delivers A only its own commands", async () => {
    const a = await device('pump-a', SECRET_A);
    const got: CommandV1[] = [];
    a.on('message', (_topic, payload) => got.push(decodeMessage(payload) as CommandV1));
    // mqtt.js rejects a SUBACK that refuses any filter; the packet still carries every return code.
    const refusal = await a.subscribeAsync([topics.cmd(SITE, 'pump-b'), topics.cmd(SITE, 'pump-a'), `twinbed/v1/${SITE}/+/cmd`], { qos: 1 }).catch((e: unknown) => e);
    expect((refusal as { packet?: { granted?: number[] } }).packet?.granted).toEqual([0x80, 1, 0x80]);
    expect(a.connected).toBe(true); // a refused filter is not a protocol error

    await edge.publishAsync(topics.cmd(SITE, 'pump-b'), bytes(command('pump-b', 'for-b')), { qos: 1 });
    await edge.publishAsync(topics.cmd(SITE, 'pump-a'), bytes(command('pump-a', 'for-a')), { qos: 1 });
    // for-b was routed before its PUBACK, so before for-a was sent: had A been given it, it would have come first.
    await waitFor(() => got.some((c) => c.id === 'for-a'), "A's command");
    expect(got.map((c) => c.id)).toEqual(['for-a']);
  });
});
