import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListReporter, loadTarget, parseScenario, replayRecording, runScenario, type ReplayInfo } from '../../../scenarios';
import { readMcap, type McapContents } from '../recording/support';
import { emulator, ptyPair } from './support';

// A recorded run replayed into a target that binds pump-1 to a device (`twinbed emulate` on a socat pty pair): pump-2
// is the recording, byte for byte; pump-1 is the device, live, and the recorded step on pump-1 goes to it at its
// recorded time. The replay is recorded too, so what each device published is read back from the device broker.

const STEP_AT_S = 3;

const SCENARIO = [
  'name: replay-on-hardware',
  'durationS: 6',
  // Recorded in virtual time; the replay runs at ×1, as hardware must.
  'timeScale: max',
  'seed: 3',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: pump, id: pump-2 }',
  'steps:',
  `  - { atS: ${STEP_AT_S}, device: pump-1, action: stop, args: { rampS: 0.2 } }`,
  '',
].join('\n');

interface Block {
  device: string;
  sensor: string;
  seq: number;
  tsMs: number;
  rateHz: number;
  values: number[];
}

function telemetry(contents: McapContents, device: string): Block[] {
  return contents.messages.map((m) => m.json as unknown as Block & { type: string }).filter((m) => m.type === 'telemetry' && m.device === device);
}

/** Standard deviation of a block's samples: its vibration, whatever its offset. */
function acRms(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

function meanAcRms(blocks: readonly Block[]): number {
  expect(blocks.length).toBeGreaterThan(0);
  return blocks.reduce((a, b) => a + acRms(b.values), 0) / blocks.length;
}

describe('a recorded run replayed into a target that binds a twin to hardware', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-replay-hw-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes the device live in place of its recorded readings, sends it the recorded step, and replays the rest', async () => {
    const scenarioFile = join(dir, 'replay-on-hardware.yaml');
    await writeFile(scenarioFile, SCENARIO);
    const recorded = join(dir, 'recorded.mcap');
    const run = await runScenario(parseScenario(SCENARIO, scenarioFile), { file: scenarioFile, source: SCENARIO, record: { file: recorded } });
    expect(run.timeline.steps).toEqual([expect.objectContaining({ device: 'pump-1', action: 'stop', atS: STEP_AT_S })]);

    const pty = await ptyPair(dir);
    const proc = await emulator(['--serial', pty.device, '--device', 'pump-1', '--seed', '11']);
    try {
      const targetFile = join(dir, 'hardware-target.yaml');
      await writeFile(
        targetFile,
        [
          'kind: embedded',
          'hardware:',
          '  - device: pump-1',
          `    serial: { path: ${pty.host}, reopenMs: 0 }`,
          '    sensors: { accel: { unit: g, rateHz: 100, blockSamples: 25 }, winding-temp: { unit: degC, rateHz: 1 } }',
          '',
        ].join('\n'),
      );
      const replayed = join(dir, 'replayed.mcap');
      let info: ReplayInfo | undefined;
      let printed = '';
      const result = await replayRecording(
        recorded,
        { target: await loadTarget(targetFile), record: { file: replayed }, reporters: [new ListReporter((text) => (printed += text))] },
        (i) => (info = i),
      );

      // What went out from the recording: pump-2's channels, none of pump-1's; the output says pump-1 was the device.
      expect(info!.live).toEqual(['pump-1']);
      expect(info!.channels.map((c) => c.info.device)).not.toContain('pump-1');
      expect(info!.channels.map((c) => c.info.device)).toContain('pump-2');
      expect(printed).toContain('note: pump-1 is live hardware');
      expect(printed).toContain(`hardware pump-1 (serial ${pty.host} @115200)`);

      // The recorded step reached the device at its recorded time, and the device acknowledged it.
      const hw = result.stats.hardware!['pump-1']!;
      expect(hw.identity).toMatchObject({ device: 'pump-1', firmware: 'twinbed-emulate/1' });
      expect(result.timeline.steps).toEqual([{ device: 'pump-1', action: 'stop', atS: STEP_AT_S, outcome: 'stopping over 0.2 s' }]);
      expect(hw.commands.acknowledged).toBe(1);
      expect(hw.framingErrors).toEqual({});
      expect(result.stats.devices).toMatchObject({ connected: 2, failed: 0 });
      expect(result.stats.acked).toBe(result.stats.published);

      const [before, after] = await Promise.all([readMcap(recorded), readMcap(replayed)]);
      // pump-2 is the recording, message for message.
      const recordedPump2 = telemetry(before, 'pump-2');
      expect(recordedPump2.length).toBeGreaterThan(0);
      expect(telemetry(after, 'pump-2')).toEqual(recordedPump2);
      // pump-1 is the device: its readings at the binding's rate and block size, as many as it handed over, none of
      // them the recorded twin's; and after the step its vibration stopped.
      const recordedPump1 = telemetry(before, 'pump-1').filter((b) => b.sensor === 'accel');
      const live = telemetry(after, 'pump-1').filter((b) => b.sensor === 'accel');
      expect(recordedPump1.length).toBeGreaterThan(0);
      expect(recordedPump1[0]!.rateHz).not.toBe(100);
      expect(live.length).toBe(hw.published.accel);
      expect(live.every((b) => b.rateHz === 100 && b.values.length === 25)).toBe(true);
      const recordedValues = new Set(recordedPump1.map((b) => JSON.stringify(b.values)));
      expect(live.some((b) => recordedValues.has(JSON.stringify(b.values)))).toBe(false);
      const startMs = Date.parse(parseScenario(SCENARIO).startTime);
      const atS = (b: Block) => (b.tsMs - startMs) / 1000;
      const running = live.filter((b) => atS(b) + 0.25 <= STEP_AT_S);
      // Well after the step and its 0.2 s ramp, however late a loaded machine delivered it.
      const stopped = live.filter((b) => atS(b) >= STEP_AT_S + 1.2);
      expect(meanAcRms(stopped)).toBeLessThan(0.3 * meanAcRms(running));
      expect(result.telemetrySha256).not.toBe(run.telemetrySha256);
    } finally {
      await proc.stop();
      await pty.close();
    }
  });
});
