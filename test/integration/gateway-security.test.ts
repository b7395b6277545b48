import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { Gateway, loadGatewayConfig } from '../../gateway';
import { decodeAs, encodeMessage, encodeSigned, type DeadLetterV1, type TelemetryV1 } from '../../protocol';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { runTwinbed, waitUntil } from '../support/twinbed-process';

const SITE = 'plant-s';
const reading = (device: string, seq: number): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device,
  sensor: 'accel',
  seq,
  tsMs: 1_767_225_600_000 + seq * 40,
  rateHz: 1000,
  unit: 'g',
  values: [0.5, -0.5, 0.5, -0.5],
});

// The real gateway, configured from a YAML file and the output of the real `twinbed certs`: mutual TLS, device
// passwords, topic ACLs and signed payloads; what it refuses goes to the dead-letter topic with the reason.
describe('a secured gateway', () => {
  let dir: string;
  let cloudBroker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let gateway: Gateway;
  let secrets: Record<string, string>;
  const letters: DeadLetterV1[] = [];
  let watcher: mqtt.MqttClient;
  const clients: mqtt.MqttClient[] = [];

  /** Connects as `device` with its own certificate, and the given password. */
  async function device(id: string, password = secrets[id]!, cert = id): Promise<mqtt.MqttClient> {
    const client = await mqtt.connectAsync(gateway.deviceUrl, {
      clientId: `twinbed-${SITE}-${id}`,
      username: id,
      password,
      ca: await readFile(join(dir, 'ca.pem')),
      cert: await readFile(join(dir, `${cert}.pem`)),
      key: await readFile(join(dir, `${cert}.key`)),
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-secure-gw-'));
    const certs = await runTwinbed(['certs', '--out', dir, '--site', SITE, '--devices', 'pump-1,pump-2']);
    expect(certs.code, certs.stderr).toBe(0);
    secrets = Object.fromEntries([...certs.stdout.matchAll(/^\s+(\S+)\s+secret=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
    // pump-2 must sign everything it sends.
    const registryFile = join(dir, 'devices.yaml');
    const registry = await readFile(registryFile, 'utf8');
    await writeFile(registryFile, registry.replace(/(id: pump-2[\s\S]*?requireHmac: )false/, '$1true'));
    expect(Object.keys(secrets).sort()).toEqual(['pump-1', 'pump-2']);

    cloudBroker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, clock: new ScaledRealClock() });
    const file = join(dir, 'gateway.yaml');
    await writeFile(
        file,
        [
          `site: ${SITE}`,
          'devices:',
          '  listen: { port: 0 }',
          'upstream:',
          `  url: ${cloudBroker.url}`,
          'pipelines:',
          "  - { sensors: ['*'], window: { blocks: 1 } }",
          'security:',
          '  registry: devices.yaml',
          '  tls: { cert: server.pem, key: server.key, ca: ca.pem, clientCert: require }',
          '',
        ].join('\n'),
    );
    gateway = await Gateway.start({ config: await loadGatewayConfig(file), clock: new ScaledRealClock() });
    watcher = await mqtt.connectAsync(cloudBroker.url);
    watcher.on('message', (_t, payload) => letters.push(decodeAs(payload, 'deadletter')));
    await watcher.subscribeAsync(`twinbed/v1/${SITE}/deadletter`, { qos: 1 });
  });

  afterAll(async () => {
    for (const client of clients) await client.endAsync(true);
    await watcher?.endAsync();
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await cloudBroker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves devices over mqtts:// and stores a signed reading from a device with its certificate and secret', async () => {
    expect(gateway.deviceUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const registry = await readFile(join(dir, 'devices.yaml'), 'utf8');
    expect(registry).not.toContain(secrets['pump-1']!);
    const key = Buffer.from(/id: pump-1[\s\S]*?hmacKey: (\S+)/.exec(registry)![1]!, 'base64');
    const pump1 = await device('pump-1');
    await pump1.publishAsync(`twinbed/v1/${SITE}/pump-1/telemetry/accel`, Buffer.from(encodeSigned(reading('pump-1', 0), (b) => createHmac('sha256', key).update(b).digest())), { qos: 1 });
    expect(await waitUntil(() => cloud.stats().stored === 1, 5000)).toBe(true);
  });

  it('refuses a wrong password and another device’s certificate', async () => {
    await expect(device('pump-1', 'not-the-secret')).rejects.toThrow(/Bad username or password|Connection refused/i);
    await expect(device('pump-1', secrets['pump-1'], 'pump-2')).rejects.toThrow(/Not authorized|Connection refused/i);
  });

  it('dead-letters a tampered payload and a replayed sequence number with their reasons, and keeps running', async () => {
    const registry = await readFile(join(dir, 'devices.yaml'), 'utf8');
    const key = Buffer.from(/id: pump-2[\s\S]*?hmacKey: (\S+)/.exec(registry)![1]!, 'base64');
    const mac = (b: Uint8Array) => createHmac('sha256', key).update(b).digest();
    const pump2 = await device('pump-2');
    const topic = `twinbed/v1/${SITE}/pump-2/telemetry/accel`;
    const signed = Buffer.from(encodeSigned(reading('pump-2', 5), mac, 'json'));
    const tampered = Buffer.from(signed.toString('utf8').replace('"mac":"', '"mac":"AAAA'));
    await pump2.publishAsync(topic, tampered, { qos: 1 });
    await pump2.publishAsync(topic, signed, { qos: 1 });
    await pump2.publishAsync(topic, signed, { qos: 1 });
    await pump2.publishAsync(topic, Buffer.from(encodeMessage(reading('pump-2', 6), 'cbor')), { qos: 1 });
    expect(await waitUntil(() => letters.length >= 3, 5000)).toBe(true);
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/MAC|mac/),
      expect.stringMatching(/^replayed seq 5 for pump-2\/accel/),
      expect.stringMatching(/unsigned|must sign|signed/i),
    ]);
    expect(letters.every((l) => l.stage === 'gateway' && l.topic === topic)).toBe(true);
    expect(await waitUntil(() => cloud.stats().stored === 2, 5000)).toBe(true);
    expect(gateway.counters().deadLettered).toBe(3);
  });
});
