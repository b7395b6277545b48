import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCerts } from '../../../cli/certs';
import type { PolicyDenial } from '../../../gateway/security/broker-policy';
import { GatewaySecurityConfigSchema, loadGatewaySecurity, type GatewaySecurity } from '../../../gateway/security/config';
import { connectInProcess } from '../../../gateway/security/in-process-link';
import { hmacSha256 } from '../../../gateway/security/integrity';
import { decodeMessage, encodeMessage, encodeSigned, filters, topics, type CommandV1, type TelemetryV1 } from '../../../protocol';
import { startPolicyBroker, subscribed, type TestBroker } from './secure-broker';

// Real Debian mosquitto clients (OpenSSL) against aedes with the policy behind mutual TLS, using only what
// `twinbed certs` wrote: a TLS stack twinbed did not write accepts our CA, server certificate and client keys.

const SITE = 'plant-1';
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

let dir: string;
let secrets: Record<string, { secret: string; hmacKey: string }>;
let security: GatewaySecurity;
let broker: TestBroker;
let edge: mqtt.MqttClient;
const received: { topic: string; payload: Buffer }[] = [];
const denials: PolicyDenial[] = [];

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command to completion; kills it (by its own pid) after timeoutMs. */
function run(command: string, args: readonly string[], timeoutMs = 10_000): { done: Promise<Run> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    }),
  );
  return { done };
}

/** mosquitto client flags for a device: TLS to 127.0.0.1 (checked against the server certificate's IP SAN). */
function deviceArgs(device: string, options: { cert?: string; username?: string; password?: string; cafile?: string } = {}): string[] {
  const cert = options.cert ?? device;
  return [
    '-h', '127.0.0.1',
    '-p', String(broker.port),
    '--cafile', options.cafile ?? join(dir, 'ca.pem'),
    ...(cert ? ['--cert', join(dir, `${cert}.pem`), '--key', join(dir, `${cert}.key`)] : []),
    '-u', options.username ?? device,
    '-P', options.password ?? secrets[device]!.secret,
    '-i', device,
    '-q', '1',
  ];
}

const telemetry = (seq: number): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq,
  tsMs: 1_700_000_000_250,
  rateHz: 25_600,
  unit: 'g',
  values: [0.125, -0.5, 2],
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-mosquitto-tls-'));
  const result = await runCerts({ out: dir, site: SITE, devices: ['pump-1', 'pump-2'], hosts: ['127.0.0.1', 'localhost'] }, { write: () => {}, nowMs: Date.now() });
  secrets = Object.fromEntries(result.issued.map((d) => [d.device, d]));
  const config = GatewaySecurityConfigSchema.parse({
    registry: join(dir, 'devices.yaml'),
    tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem'), clientCert: 'require' },
  });
  security = await loadGatewaySecurity(config, SITE, (d) => denials.push(d));
  broker = await startPolicyBroker(security.policy, security.tls);
  edge = await connectInProcess(broker.aedes, { clientId: `twinbed-${SITE}-gw-1-edge`, username: security.internal.username, password: security.internal.password });
  edge.on('message', (topic, payload) => received.push({ topic, payload }));
  await edge.subscribeAsync(filters.telemetry(SITE), { qos: 1 });
});

afterAll(async () => {
  await edge?.endAsync();
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mosquitto clients over mutual TLS with twinbed-issued certificates', () => {
  it('mosquitto_pub publishes a JSON telemetry envelope that the gateway side decodes intact', async () => {
    const topic = topics.telemetry(SITE, 'pump-1', 'accel');
    const message = telemetry(1);
    const { code, stderr } = await run(MOSQUITTO_PUB, [...deviceArgs('pump-1'), '-t', topic, '-m', new TextDecoder().decode(encodeMessage(message, 'json'))]).done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    await waitFor(() => received.some((r) => r.topic === topic), 'the telemetry');
    expect(decodeMessage(received.find((r) => r.topic === topic)!.payload)).toEqual(message);
  });

  it('mosquitto_sub receives a command envelope published to its cmd topic, then exits (-C 1)', async () => {
    const topic = topics.cmd(SITE, 'pump-1');
    const sub = run(MOSQUITTO_SUB, [...deviceArgs('pump-1'), '-t', topic, '-C', '1']);
    await subscribed(broker.aedes, 'pump-1', topic);
    const command: CommandV1 = { type: 'cmd', v: 1, device: 'pump-1', tsMs: 1_700_000_000_500, id: 'c-17', action: 'set-speed', args: { speedRpm: 1480 } };
    await edge.publishAsync(topic, Buffer.from(encodeMessage(command, 'json')), { qos: 1 });
    const { code, stdout, stderr } = await sub.done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(decodeMessage(stdout)).toEqual(command);
  });

  it('a signed CBOR envelope sent by mosquitto_pub verifies at the gateway, and the same bytes sent again are a replay', async () => {
    const topic = topics.telemetry(SITE, 'pump-1', 'temp');
    const message = { ...telemetry(7), sensor: 'temp', unit: 'degC' };
    const file = join(dir, 'signed.cbor');
    await writeFile(file, encodeSigned(message, hmacSha256(Buffer.from(secrets['pump-1']!.hmacKey, 'base64')), 'cbor'));
    for (let i = 0; i < 2; i++) expect((await run(MOSQUITTO_PUB, [...deviceArgs('pump-1'), '-t', topic, '-f', file]).done).code).toBe(0);
    await waitFor(() => received.filter((r) => r.topic === topic).length === 2, 'both copies');
    const [first, second] = received.filter((r) => r.topic === topic).map((r) => decodeMessage(r.payload));
    expect(security.verifier.verify(first!)).toEqual(message);
    expect(() => security.verifier.verify(second!)).toThrow('replayed seq 7 for pump-1/temp (highest seen 7, window 1024)');
  });

  it('refuses a client without a certificate during the TLS handshake, before MQTT', async () => {
    const [denialsBefore, tlsBefore] = [denials.length, broker.tlsErrors.length];
    const { code } = await run(MOSQUITTO_PUB, [...deviceArgs('pump-1', { cert: '' }), '-t', topics.status(SITE, 'pump-1'), '-m', '{}']).done;
    expect(code).not.toBe(0);
    expect(broker.tlsErrors.slice(tlsBefore).map((e) => e.message)).toContainEqual(expect.stringMatching(/peer did not return a certificate/));
    expect(denials.length).toBe(denialsBefore); // never reached authenticate
  });

  it('refuses the right certificate with a wrong password: bad user name or password', async () => {
    const { code, stderr } = await run(MOSQUITTO_PUB, [...deviceArgs('pump-1', { password: secrets['pump-2']!.secret }), '-t', topics.status(SITE, 'pump-1'), '-m', '{}']).done;
    expect(code).toBe(4); // mosquitto_pub exits with the CONNACK return code
    expect(stderr).toMatch(/Connection Refused: bad user name or password/);
  });

  it("refuses pump-2's certificate presented with pump-1's credentials: not authorised", async () => {
    const before = denials.length;
    const { code, stderr } = await run(MOSQUITTO_PUB, [...deviceArgs('pump-1', { cert: 'pump-2' }), '-t', topics.status(SITE, 'pump-1'), '-m', '{}']).done;
    expect(code).toBe(5);
    expect(stderr).toMatch(/Connection Refused: not authori[sz]ed/);
    expect(denials.slice(before)).toContainEqual(expect.objectContaining({ action: 'connect', reason: 'the client certificate is for pump-2 but the username is pump-1' }));
  });

  it("refuses to connect when the client trusts another site's CA (the server certificate does not verify)", async () => {
    const other = join(dir, 'other-site');
    await runCerts({ out: other, site: 'plant-9' }, { write: () => {}, nowMs: Date.now() });
    const tlsBefore = broker.tlsErrors.length;
    const { code } = await run(MOSQUITTO_PUB, [...deviceArgs('pump-1', { cafile: join(other, 'ca.pem') }), '-t', topics.status(SITE, 'pump-1'), '-m', '{}']).done;
    expect(code).not.toBe(0);
    expect(broker.tlsErrors.slice(tlsBefore).map((e) => e.message)).toContainEqual(expect.stringMatching(/alert unknown ca/));
  });
});
