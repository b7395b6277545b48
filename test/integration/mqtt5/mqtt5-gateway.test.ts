import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, type TelemetryV1 } from '../../../protocol';
import type { RunResult } from '../../../scenarios';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { runTwinbed } from '../../support/twinbed-process';
import { startTap, until } from './tap';

// MQTT 5 devices through twinbed's own gateway to its cloud: an `embedded` target whose devices connect to a
// Mosquitto (MQTT 5) instead of the gateway's embedded broker; the gateway takes their readings from it.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
/** 20 s of a pump: 500 accel blocks of 40 ms and two 10 s blocks of each temperature. */
const BLOCKS_PER_PUMP = 504;

let dir: string;
let broker: Mosquitto;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-mqtt5-gw-'));
  // The gateway takes 20 s of vibration from the broker as fast as it can process it: let its queue grow.
  broker = await startMosquitto(['max_queued_messages 0']);
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('MQTT 5 devices through the embedded gateway, taking devices from Mosquitto', () => {
  it('stores every QoS 1 reading exactly once', { timeout: 90_000 }, async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const scenario = join(dir, 'two-pumps.yaml');
    const target = join(dir, 'embedded-mqtt5.yaml');
    const report = join(dir, 'report.json');
    await writeFile(
      scenario,
      yaml('name: two pumps over MQTT 5', 'durationS: 20', 'twins:', '  - { template: pump, id: pump-1 }', '  - { template: pump, id: pump-2 }', 'expect:', '  - { type: stored-exactly-once }'),
    );
    await writeFile(target, yaml('kind: embedded', 'devices:', `  url: ${url}`, '  protocolVersion: 5', '  messageExpiryS: 3600'));
    // Beside the gateway, the tap sees what the devices put on Mosquitto: user properties exist only in MQTT 5.
    const tap = await startTap(url, ['twinbed/v1/+/+/telemetry/+']);
    try {
      const { code, stdout, stderr } = await runTwinbed(['run', scenario, '--target', target, '--json', report]);
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      const result = JSON.parse(await readFile(report, 'utf8')) as RunResult;
      const published = 2 * BLOCKS_PER_PUMP;
      expect(result.target).toBe(target);
      expect(result.expectations).toEqual([
        { name: 'every QoS 1 reading stored exactly once', type: 'stored-exactly-once', passed: true, detail: `QoS 1 published ${published}, stored ${published}, duplicates dropped 0` },
      ]);
      expect(result.stats).toMatchObject({ published, acked: published, stored: published, duplicatesDropped: 0, qos1: { published, stored: published } });
      expect(result.stats.devices).toMatchObject({ connected: 2, failed: 0, errors: {} });
      // Went through the gateway, not around it: it took in every device byte the twins published.
      expect(result.stats.edge!.bytesIn).toBe(result.stats.bytesPublished);

      await until(() => tap.messages.length >= published, `${published} readings at the tap`);
      expect(tap.messages).toHaveLength(published);
      for (const message of tap.messages) {
        const block = decodeMessage(message.payload) as TelemetryV1;
        expect(message.properties.userProperties).toEqual({ device: block.device, seq: String(block.seq) });
        expect(message.properties.messageExpiryInterval).toBeGreaterThan(0);
      }
    } finally {
      await tap.close();
    }
  });
});
