import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, type TelemetryV1 } from '../../../protocol';
import type { RunResult } from '../../../scenarios';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { runTwinbed } from '../../support/twinbed-process';
import { startTap, until } from './tap';

// An MQTT 5 fleet through `twinbed run` with a `kind: mqtt` target in front of Mosquitto 2, which speaks MQTT 5:
// what the twins put on the wire is read back by an independent mqtt.js MQTT 5 subscriber, not by twinbed.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const SESSION_EXPIRY_S = 300;
const MESSAGE_EXPIRY_S = 600;
/** 10 s of two pumps: 250 accel blocks (40 ms) and one 10 s block of each temperature, per pump. */
const BLOCKS_PER_PUMP = 252;

let dir: string;
let broker: Mosquitto;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-mqtt5-'));
  // The twins publish 10 s of vibration in well under a second: let every subscriber queue all of it.
  broker = await startMosquitto(['max_queued_messages 0']);
  url = `mqtt://127.0.0.1:${broker.port}`;
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

const SCENARIO = yaml(
  'name: mqtt 5 fleet',
  'durationS: 10',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: pump, id: pump-2 }',
  'expect:',
  '  - { type: no-alert }',
  '  - { type: stored-exactly-once }',
);

/** MQTT 5 devices with session and message expiry; the observer maps `observe` onto what expectations judge. */
function target(observe: readonly string[], skip: readonly string[] = []): string {
  return yaml(
    'kind: mqtt',
    'devices:',
    `  url: ${url}`,
    '  protocolVersion: 5',
    `  sessionExpiryS: ${SESSION_EXPIRY_S}`,
    `  messageExpiryS: ${MESSAGE_EXPIRY_S}`,
    'observe:',
    '  protocolVersion: 5',
    '  topics:',
    ...observe,
    'settle: { quietMs: 300, timeoutS: 30 }',
    ...skip,
  );
}

const ALARMS = ['    - { filter: line/+/alarm, as: alert, fields: { device: "$topic[1]", kind: kind } }'];
const TELEMETRY = ['    - { filter: twinbed/v1/+/+/telemetry/+, as: reading, fields: { device: device, sensor: sensor, seq: seq, time: tsMs } }'];

async function run(name: string, targetText: string): Promise<{ code: number | string; stdout: string; stderr: string; result: RunResult }> {
  const scenario = join(dir, `${name}.yaml`);
  const targetFile = join(dir, `${name}-target.yaml`);
  const report = join(dir, `${name}.json`);
  await writeFile(scenario, SCENARIO);
  await writeFile(targetFile, targetText);
  const out = await runTwinbed(['run', scenario, '--target', targetFile, '--json', report]);
  const result = JSON.parse(await readFile(report, 'utf8').catch(() => 'null')) as RunResult;
  return { ...out, result };
}

describe('an MQTT 5 fleet against Mosquitto through twinbed run --target', () => {
  it('puts user properties device and seq matching the payload, and a message expiry, on every reading', { timeout: 60_000 }, async () => {
    const tap = await startTap(url, ['twinbed/v1/+/+/telemetry/+']);
    try {
      const { code, stdout, stderr, result } = await run('props', target([...ALARMS, ...TELEMETRY]));
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      const published = 2 * BLOCKS_PER_PUMP;
      expect(result.stats).toMatchObject({ published, acked: published, qos1: { published, stored: published } });
      await until(() => tap.messages.length >= published, `${published} readings at the tap`);
      expect(tap.messages).toHaveLength(published);

      const seqs = new Map<string, number[]>();
      for (const message of tap.messages) {
        const block = decodeMessage(message.payload) as TelemetryV1;
        expect(message.topic).toBe(`twinbed/v1/site-1/${block.device}/telemetry/${block.sensor}`);
        expect(message.properties.userProperties, message.topic).toEqual({ device: block.device, seq: String(block.seq) });
        // Mosquitto forwards the interval less the time the message spent with it.
        expect(message.properties.messageExpiryInterval).toBeGreaterThan(MESSAGE_EXPIRY_S - 30);
        expect(message.properties.messageExpiryInterval).toBeLessThanOrEqual(MESSAGE_EXPIRY_S);
        const key = `${block.device}/${block.sensor}`;
        seqs.set(key, [...(seqs.get(key) ?? []), block.seq]);
      }
      expect([...seqs.keys()].sort()).toEqual(['pump-1/accel', 'pump-1/bearing-temp', 'pump-1/winding-temp', 'pump-2/accel', 'pump-2/bearing-temp', 'pump-2/winding-temp']);
      for (const [key, list] of seqs) expect(list, key).toEqual(Array.from({ length: key.endsWith('accel') ? 250 : 1 }, (_, i) => i));
      // Two subscribers (the tap and the run's observer) matched every reading: no reason code but Success.
      expect(result.stats.devices.errors).toEqual({});
      expect(result.stats.devices.pubackReasons).toBeUndefined();
    } finally {
      await tap.close();
    }
  });

  it('leaves each device\'s session on the broker after the run, for its session expiry interval', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await run('session', target(ALARMS, ['skip:', '  - { expectation: stored-exactly-once, reason: this run observes no readings }']));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    // Clean start with a session expiry: the device's session (its command subscription) outlives its DISCONNECT.
    const client = mqtt.connect(url, { protocolVersion: 5, clientId: 'twinbed-site-1-pump-2', clean: false, reconnectPeriod: 0, properties: { sessionExpiryInterval: 0 } });
    try {
      const sessionPresent = await new Promise<boolean>((resolve, reject) => {
        client.once('connect', (connack) => resolve(connack.sessionPresent));
        client.once('error', reject);
      });
      expect(sessionPresent).toBe(true);
    } finally {
      await client.endAsync();
    }
  });

  it('counts PUBACK 0x10 No matching subscribers as a reason, not an error, when nothing subscribes to the telemetry', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr, result } = await run('nobody', target(ALARMS, ['skip:', '  - { expectation: stored-exactly-once, reason: nothing subscribes to the telemetry here }']));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const published = 2 * BLOCKS_PER_PUMP;
    // QoS 1: every reading acknowledged, each PUBACK saying 0x10.
    expect(result.stats.published).toBe(published);
    expect(result.stats.acked).toBe(published);
    expect(result.stats.devices.pubackReasons).toEqual({ '0x10 No matching subscribers': published });
    expect(result.stats.devices.errors).toEqual({});
    expect(result.expectations.map((e) => [e.type, e.passed, e.skipped])).toEqual([
      ['no-alert', true, undefined],
      ['stored-exactly-once', false, 'nothing subscribes to the telemetry here'],
    ]);
  });
});
