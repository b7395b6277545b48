import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, type TelemetryV1 } from '../../../protocol';
import { readScenario, runScenario, type RunResult } from '../../../scenarios';
import { connectMqtt } from '../../../sim';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { ROOT, runTwinbed, waitUntil } from '../../support/twinbed-process';
import { countsByTopic, messagesOn, readMcap, type McapContents } from './support';

let dir: string;
let broker: Mosquitto;
let recording: string;
let original: RunResult;
let mcap: McapContents;
let target: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-replay-'));
  // Unbounded queues: the checking subscriber must not lose a QoS 1 reading of a replay at virtual time.
  broker = await startMosquitto(['max_queued_messages 0']);
  const fixture = join(ROOT, 'test/fixtures/recordings/pump-imbalance.yaml');
  const { scenario, source } = await readScenario(fixture);
  recording = join(dir, 'pump-imbalance.mcap');
  original = await runScenario(scenario, { file: fixture, source, record: { file: recording } });
  mcap = await readMcap(recording);
  target = join(dir, 'mosquitto.yaml');
  await writeFile(
    target,
    [
      'kind: mqtt',
      'devices:',
      `  url: mqtt://127.0.0.1:${broker.port}`,
      'observe:',
      "  topics: [{ filter: 'twinbed/v1/+/+/event', as: alert, fields: { device: device, time: tsMs } }]",
      'settle: { quietMs: 200, timeoutS: 10 }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('twinbed replay', () => {
  it('--target FILE --speed max publishes every recorded reading into a Mosquitto-backed mqtt target, as the twins published them', async () => {
    const readings = mcap.channels.filter((c) => c.metadata.get('role') === 'telemetry').map((c) => c.topic).sort();
    const recorded = countsByTopic(mcap);
    expect(Object.fromEntries(readings.map((t) => [t, recorded[t]]))).toEqual({
      'twinbed/v1/lab/pump-1/telemetry/accel': 1000,
      'twinbed/v1/lab/pump-1/telemetry/bearing-temp': 4,
      'twinbed/v1/lab/pump-1/telemetry/winding-temp': 4,
    });

    // What the broker passes on, as any consumer of the plant broker sees it.
    const checker = await connectMqtt(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'replay-checker' });
    const seen = new Map<string, TelemetryV1[]>();
    let barrier = false;
    checker.on('message', (topic, payload) => {
      if (topic === 'replay-checker/barrier') return void (barrier = true);
      const list = seen.get(topic) ?? [];
      seen.set(topic, list);
      list.push(decodeMessage(payload) as TelemetryV1);
    });
    await checker.subscribeAsync(['twinbed/v1/#', 'twinbed-truth/#', 'replay-checker/barrier'], { qos: 1 });
    try {
      const json = join(dir, 'replay.json');
      const replay = await runTwinbed(['replay', recording, '--target', target, '--speed', 'max', '--json', json]);
      expect(replay.code, replay.stdout + replay.stderr).toBe(0);
      expect(replay.stdout).toContain(`3 device topics, 1008 messages as fast as the target acknowledges`);
      expect(replay.stdout).toContain(`published 1008 readings from 1 device into ${target}, 1008 acknowledged`);
      // The broker acknowledged every reading before the command exited, so a marker published now arrives after them.
      await checker.publishAsync('replay-checker/barrier', 'end', { qos: 1 });
      expect(await waitUntil(() => barrier, 10_000), 'the marker came back').toBe(true);

      // Readings only (ground truth stays with twinbed on an mqtt target), each topic as often as recorded...
      expect([...seen.keys()].sort()).toEqual(readings);
      for (const topic of readings) expect(seen.get(topic)!.length, topic).toBe(recorded[topic]);
      // ...each block once and in order, with the recorded samples.
      for (const topic of readings) {
        const sent = seen.get(topic)!;
        const kept = messagesOn(mcap, topic) as unknown as TelemetryV1[];
        expect(sent.map((m) => m.seq), topic).toEqual(kept.map((m) => m.seq));
        expect(sent.map((m) => m.tsMs), topic).toEqual(kept.map((m) => m.tsMs));
        const differing = sent.filter((m, i) => m.values.length !== kept[i]!.values.length || m.values.some((v, j) => v !== kept[i]!.values[j]));
        expect(differing.map((m) => m.seq), `${topic}: blocks whose samples differ from the recording`).toEqual([]);
      }

      const report = JSON.parse(await readFile(json, 'utf8')) as RunResult;
      expect(report).toMatchObject({ target, passed: true, expectations: [] });
      expect(report.stats).toMatchObject({ published: 1008, acked: 1008, devices: { connected: 1, failed: 0 } });
      // The same bytes the twins published in the recorded run.
      expect(report.telemetrySha256).toBe(original.telemetrySha256);
    } finally {
      await checker.endAsync();
    }
  });
});
