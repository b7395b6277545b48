import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCerts, type CertsResult } from '../../../cli/certs';
import { buildGatewaySecurity, type GatewaySecurity } from '../../../gateway/security/config';
import { DeviceRegistry, loadRegistry } from '../../../gateway/security/device-registry';
import { connectInProcess } from '../../../gateway/security/in-process-link';
import { hmacSha256 } from '../../../gateway/security/integrity';
import { deviceTlsServerOptions, loadTlsMaterial } from '../../../gateway/security/tls';
import { decodeMessage, encodeMessage, encodeSigned, filters, topics, type Message, type TelemetryV1 } from '../../../protocol';
import { connectMqtt } from '../../../sim';
import { startPolicyBroker, type TestBroker } from './secure-broker';

// A twin as twins/ would run one: sim's connectMqtt over mqtts:// with its certificate and secret, signing each
// block with its HMAC key. The gateway side verifies what arrives.

const SITE = 'plant-1';
let dir: string;
let issued: CertsResult['issued'];
let security: GatewaySecurity;
let broker: TestBroker;
let edge: mqtt.MqttClient;
let twin: mqtt.MqttClient;
const arrived: Message[] = [];

const block = (seq: number): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq,
  tsMs: 1_700_000_000_000 + seq * 40,
  rateHz: 25_600,
  unit: 'g',
  values: new Float32Array([0.25, -0.5, 1]),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-twin-tls-'));
  ({ issued } = await runCerts({ out: dir, site: SITE, devices: ['pump-1'] }, { write: () => {}, nowMs: Date.now() }));
  const loaded = await loadRegistry(join(dir, 'devices.yaml'));
  const registry = new DeviceRegistry(loaded.devices().map((d) => ({ ...d, requireHmac: true })));
  const material = await loadTlsMaterial({ cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') });
  security = buildGatewaySecurity(registry, SITE, { tls: deviceTlsServerOptions(material, 'require'), clientCert: 'require' });
  broker = await startPolicyBroker(security.policy, security.tls);
  edge = await connectInProcess(broker.aedes, { clientId: 'gw-edge', username: security.internal.username, password: security.internal.password });
  edge.on('message', (_topic, payload) => arrived.push(decodeMessage(payload)));
  await edge.subscribeAsync(filters.telemetry(SITE), { qos: 1 });
  twin = await connectMqtt(`mqtts://127.0.0.1:${broker.port}`, {
    clientId: `twinbed-${SITE}-pump-1`,
    username: 'pump-1',
    password: issued[0]!.secret,
    ca: await readFile(join(dir, 'ca.pem')),
    cert: await readFile(join(dir, 'pump-1.pem')),
    key: await readFile(join(dir, 'pump-1.key')),
    reconnectPeriod: 0,
  });
});

afterAll(async () => {
  await twin?.endAsync();
  await edge?.endAsync();
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a twin over mutual TLS with signed telemetry', () => {
  it('delivers signed blocks that verify in order, and an unsigned block that is refused as E_UNSIGNED', async () => {
    const mac = hmacSha256(Buffer.from(issued[0]!.hmacKey, 'base64'));
    const topic = topics.telemetry(SITE, 'pump-1', 'accel');
    for (let seq = 0; seq < 3; seq++) await twin.publishAsync(topic, Buffer.from(encodeSigned(block(seq), mac, 'cbor')), { qos: 1 });
    await twin.publishAsync(topic, Buffer.from(encodeMessage(block(3), 'cbor')), { qos: 1 });
    const until = Date.now() + 5000;
    while (arrived.length < 4 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(arrived.map((m) => m.type)).toEqual(['signed', 'signed', 'signed', 'telemetry']);
    expect(arrived.slice(0, 3).map((m) => security.verifier.verify(m))).toEqual([block(0), block(1), block(2)]);
    expect(() => security.verifier.verify(arrived[3]!)).toThrow(expect.objectContaining({ code: 'E_UNSIGNED' }));
  });
});
