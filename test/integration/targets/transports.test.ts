import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCerts } from '../../../cli/certs';
import type { RunResult } from '../../../scenarios';
import { listen } from '../../../sim';
import { freePort } from '../proxy/support';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { runTwinbed } from '../../support/twinbed-process';

// The same run over the transports a user's broker may demand: mqtts:// with each device's client certificate and
// password (Mosquitto checks both), and ws://. The broker itself is the system under test: the run observes the
// telemetry it passes on, and judges every reading delivered once from the seqs.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const SCENARIO = yaml(
  'name: transports',
  'durationS: 10',
  'site: plant-t',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: pump, id: pump-2 }',
  'expect:',
  '  - { type: stored-exactly-once }',
);
/** 10 s of two pumps: 250 accel blocks (40 ms) and one 10 s block of each temperature, per pump. */
const BLOCKS = 2 * (250 + 2);

/** A target whose devices connect as `devices`, observed on `observeUrl` by the telemetry seqs. */
const target = (observeUrl: string, devices: string[]) =>
  yaml(
    'kind: mqtt',
    'devices:',
    ...devices.map((line) => `  ${line}`),
    'observe:',
    `  url: ${observeUrl}`,
    '  topics:',
    "    - { filter: 'twinbed/v1/+/+/telemetry/+', as: reading, fields: { device: device, sensor: sensor, seq: seq } }",
    'settle: { quietMs: 1000, timeoutS: 60 }',
  );

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-transports-'));
  await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runAgainst(targetText: string, name: string): Promise<{ code: number | string; result: RunResult; output: string }> {
  await writeFile(join(dir, `${name}.yaml`), targetText);
  const report = join(dir, `${name}.json`);
  const run = await runTwinbed(['run', join(dir, 'scenario.yaml'), '--target', join(dir, `${name}.yaml`), '--json', report]);
  const output = `${run.stdout}\n${run.stderr}`;
  return { code: run.code, result: JSON.parse(await readFile(report, 'utf8')) as RunResult, output };
}

describe('mqtts:// with a client certificate and a password per device', () => {
  let broker: Mosquitto;
  let tlsPort: number;
  let plainPort: number;

  beforeAll(async () => {
    const certs = join(dir, 'certs');
    const { issued } = await runCerts({ out: certs, site: 'plant-t', devices: ['pump-1', 'pump-2'] }, { write: () => {}, nowMs: Date.now() });
    const passwords = join(dir, 'passwords');
    await writeFile(passwords, '');
    for (const { device, secret } of issued) {
      await promisify(execFile)('/usr/bin/mosquitto_passwd', ['-b', passwords, device, secret]);
      await writeFile(join(dir, `${device}.secret`), `${secret}\n`);
    }
    // Mosquitto started as root drops to its own user: let it read the folder (a throwaway PKI, in a test).
    await promisify(execFile)('chmod', ['-R', 'a+rX', dir]);
    // Devices come over TLS with a client certificate, and a user name must match its password; the observer
    // reads anonymously on a second, plain loopback listener of the same broker.
    tlsPort = await freePort();
    plainPort = await freePort();
    broker = await startMosquitto([
      `password_file ${passwords}`,
      'max_queued_messages 0',
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${join(certs, 'ca.pem')}`,
      `certfile ${join(certs, 'server.pem')}`,
      `keyfile ${join(certs, 'server.key')}`,
      'require_certificate true',
      `listener ${plainPort} 127.0.0.1`,
    ]);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('connects every device with its own certificate and password from the target file, and delivers every reading once', async () => {
    const { code, result, output } = await runAgainst(
      target(`mqtt://127.0.0.1:${plainPort}`, [
        `url: mqtts://127.0.0.1:${tlsPort}`,
        "auth: { certDir: certs, username: '{device}', passwordFile: '{device}.secret' }",
      ]),
      'tls',
    );
    expect(code, output).toBe(0);
    expect(result.stats.devices).toMatchObject({ connected: 2, failed: 0, errors: {} });
    expect(result.stats.qos1).toEqual({ published: BLOCKS, stored: BLOCKS });
    expect(result.expectations[0]).toMatchObject({ type: 'stored-exactly-once', passed: true, detail: `QoS 1 published ${BLOCKS}, passed on ${BLOCKS}, copies redelivered 0` });
  });

  it('stops with exit 2 and the broker\'s reason when a device\'s password is wrong', async () => {
    await writeFile(join(dir, 'tls-bad.yaml'), target(`mqtt://127.0.0.1:${plainPort}`, [`url: mqtts://127.0.0.1:${tlsPort}`, "auth: { certDir: certs, username: '{device}', password: not-the-secret }"]));
    const run = await runTwinbed(['run', join(dir, 'scenario.yaml'), '--target', join(dir, 'tls-bad.yaml')]);
    const { code } = run;
    const output = `${run.stdout}\n${run.stderr}`;
    expect(code, output).toBe(2);
    expect(output).toMatch(/device pump-1 could not connect to mqtts:\/\/127\.0\.0\.1:\d+: CONNACK 0x05 Not authorized/);
  });
});

describe('ws://', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    aedes = await Aedes.createBroker();
    server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => aedes.handle(createWebSocketStream(socket) as never));
    const where = await listen(server, 0, '127.0.0.1');
    url = `ws://127.0.0.1:${where.port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('runs the twins over MQTT on WebSocket and delivers every reading once', async () => {
    const { code, result, output } = await runAgainst(target(url, [`url: ${url}`]), 'ws');
    expect(code, output).toBe(0);
    expect(result.stats.devices).toMatchObject({ connected: 2, failed: 0 });
    expect(result.stats.qos1).toEqual({ published: BLOCKS, stored: BLOCKS });
  });
});
