import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetLoadReport } from '../../../scenarios';
import { connectMqtt } from '../../../sim';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { runTwinbed, spawnTwinbed, waitUntil } from '../../support/twinbed-process';
import { countsByTopic, messagesOn, readMcap } from './support';

// The live system: `twinbed twins` publishing a pump on a Mosquitto, and an alert from "its pipeline". Over 4 s the
// pump publishes 100 accel blocks of 40 ms and 2 winding-temp blocks of 2 s (bearing-temp's 10 s blocks: none).
const SCENARIO = `
name: live pump
seed: 3
durationS: 4
site: lab
twins:
  - { template: pump, id: pump-1, sensors: { winding-temp: { blockSamples: 2 } } }
faults:
  - { type: imbalance, device: pump-1, atS: 1, unbalanceGmm: 8000 }
`;
const ACCEL = 'twinbed/v1/lab/pump-1/telemetry/accel';
const WINDING = 'twinbed/v1/lab/pump-1/telemetry/winding-temp';
const EVENTS = 'twinbed/v1/lab/pump-1/event';

/** `text` as a regular expression that matches it literally. */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let dir: string;
let broker: Mosquitto;
let scenario: string;
let target: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-record-'));
  // log_type all: the broker logs each SUBACK, so the test knows when the recorder listens (it prints nothing then).
  broker = await startMosquitto(['log_type all', 'max_queued_messages 0']);
  scenario = join(dir, 'live.yaml');
  target = join(dir, 'plant.yaml');
  await writeFile(scenario, SCENARIO);
  await writeFile(
    target,
    [
      'kind: mqtt',
      'devices:',
      `  url: mqtt://127.0.0.1:${broker.port}`,
      'observe:',
      "  topics: [{ filter: 'twinbed/v1/+/+/event', as: alert, fields: { device: device, time: tsMs, state: state, rule: rule } }]",
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('twinbed record', () => {
  it('--target FILE --out REC.mcap records a live system: every reading twinbed twins published, and the alert its pipeline published', async () => {
    const out = join(dir, 'live.mcap');
    const logFrom = broker.output().length;
    // --duration is only a cap here; the test ends the recording as a user would, with a signal, once the load is done.
    const recorder = spawnTwinbed(['record', '--target', target, '--out', out, '--duration', '120']);
    try {
      const listening = await waitUntil(() => /Sending SUBACK to twinbed-recorder-/.test(broker.output().slice(logFrom)), 20_000);
      expect(listening, `the recorder subscribed\n${recorder.stderr()}`).toBe(true);

      const reportFile = join(dir, 'twins.json');
      const twins = await runTwinbed(['twins', scenario, '--target', target, '--time-scale', 'max', '--report', reportFile]);
      expect(twins.code, twins.stdout + twins.stderr).toBe(0);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetLoadReport;
      const alert = { device: 'pump-1', tsMs: Date.parse('2026-01-01T00:00:02Z'), state: 'raised', rule: 'vibration high', value: 0.31 };
      const pipeline = await connectMqtt(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'plant-pipeline' });
      await pipeline.publishAsync(EVENTS, JSON.stringify(alert), { qos: 1 });
      await pipeline.endAsync();

      // SIGTERM, as Ctrl-C: the recorder takes in what the broker still holds for it, closes the file and exits 0.
      expect(await recorder.stop(), recorder.stdout() + recorder.stderr()).toBe(0);
      expect(recorder.stdout()).toMatch(new RegExp(`^recorded 103 messages on 3 topics into ${escaped(out)} \\(.* MB\\) in .* s\\n  ${EVENTS}: 1\\n  ${ACCEL}: 100\\n  ${WINDING}: 2\\n$`));

      const mcap = await readMcap(out);
      expect(mcap.profile).toBe('twinbed');
      expect(mcap.metadata.get('twinbed.recording')?.get('kind')).toBe('live');
      const counts = countsByTopic(mcap);
      expect(counts).toEqual({ [ACCEL]: 100, [WINDING]: 2, [EVENTS]: 1 });
      // Exactly what the twins say they sent and the broker acknowledged, each block once and in order.
      expect(counts[ACCEL]! + counts[WINDING]!).toBe(report.perDevice['pump-1']!.readings);
      expect(report.messages).toMatchObject({ sent: 102, acked: 102 });
      expect(messagesOn(mcap, ACCEL).map((m) => m.seq)).toEqual([...Array(100).keys()]);
      expect(messagesOn(mcap, WINDING).map((m) => m.seq)).toEqual([0, 1]);
      const byTopic = new Map(mcap.channels.map((c) => [c.topic, Object.fromEntries(c.metadata)]));
      expect(byTopic.get(ACCEL)).toMatchObject({ role: 'telemetry', wire: 'twinbed', codec: 'cbor', device: 'pump-1', sensor: 'accel' });
      // The pipeline's alert is not twinbed's envelope: kept byte for byte as the JSON it was.
      expect(byTopic.get(EVENTS)).toMatchObject({ role: 'alert', wire: 'json' });
      expect(messagesOn(mcap, EVENTS)).toEqual([alert]);
    } finally {
      await recorder.stop();
    }
  });

  it('--duration S ends the recording by itself, exits 1 when nothing arrived, and leaves a complete, empty MCAP file', async () => {
    const out = join(dir, 'quiet.mcap');
    const { code, stdout, stderr } = await runTwinbed(['record', '--target', target, '--out', out, '--duration', '0.5']);
    expect(code, stdout + stderr).toBe(1);
    expect(stdout).toMatch(new RegExp(`^recorded 0 messages on 0 topics into ${escaped(out)} `));
    const mcap = await readMcap(out);
    expect(mcap.profile).toBe('twinbed');
    expect(mcap.channels).toEqual([]);
    expect(JSON.parse(mcap.metadata.get('twinbed.recording')!.get('topics')!)).toEqual(['twinbed/v1/+/+/telemetry/+', 'twinbed/v1/+/+/cmd', 'twinbed-truth/v1/+/+', 'twinbed/v1/+/+/event']);
  });
});
