import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeRecording, readScenario, runScenario, type RecordingSummary, type RunResult } from '../../../scenarios';
import { ROOT, runTwinbed } from '../../support/twinbed-process';
import { countsByTopic, detectionDelays, messagesOn, readMcap, verdicts, type McapContents } from './support';

// Issue 9: a recorded run reads back with @mcap/core's own indexed reader as one channel per topic, holding what the
// run published, and judging it again reproduces the verdict and the detection delays.

const TELEMETRY = ['accel', 'bearing-temp', 'winding-temp'].map((sensor) => `twinbed/v1/lab/pump-1/telemetry/${sensor}`);
const FEATURES = ['accel', 'bearing-temp', 'winding-temp'].map((sensor) => `twinbed/v1/lab/pump-1/features/${sensor}`);
const EVENTS = 'twinbed/v1/lab/pump-1/event';
const COMMANDS = 'twinbed/v1/lab/pump-1/cmd';
const TRUTH = 'twinbed-truth/v1/lab/pump-1';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-recorded-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a run recorded in-process (runScenario with record)', () => {
  const fixture = join(ROOT, 'test/fixtures/recordings/pump-imbalance-thresholds.yaml');
  let original: RunResult;
  let summary: RecordingSummary | undefined;
  let file: string;
  let mcap: McapContents;

  beforeAll(async () => {
    const { scenario, source } = await readScenario(fixture);
    original = await runScenario(scenario, { file: fixture, source, record: { dir, onWritten: (written) => (summary = written) } });
    file = join(dir, 'pump-imbalance-thresholds-seed7.mcap');
    mcap = await readMcap(file);
  });

  it('reads back with @mcap/core as one channel per topic, each holding as many messages as the run published or observed there', () => {
    expect(original.passed).toBe(true);
    expect(summary?.file).toBe(file);
    expect(mcap.profile).toBe('twinbed');
    expect(mcap.metadata.get('twinbed.recording')).toEqual(
      new Map(Object.entries({ kind: 'run', scenario: 'recorded pump imbalance, with thresholds', seed: '7', site: 'lab', startTime: '2026-01-01T00:00:00.000Z', durationS: '40', timeScale: 'max', target: 'embedded' })),
    );
    // One channel per topic: countsByTopic throws on a topic with two.
    const counts = countsByTopic(mcap);
    expect(Object.keys(counts).sort()).toEqual([TRUTH, COMMANDS, EVENTS, ...FEATURES, ...TELEMETRY].sort());
    expect(mcap.channels).toHaveLength(9);
    // The summary's statistics agree with the messages in the file, and with what twinbed's writer counted.
    for (const channel of mcap.channels) expect(mcap.messages.filter((m) => m.channelId === channel.id)).toHaveLength(mcap.counts.get(channel.id)!);
    expect(counts).toEqual(summary!.topics);

    // Readings: each sensor's channel holds exactly what its twin published (the run's own counters, which the
    // recording keeps), and together what the report says was published: 40 s of 40 ms accel blocks, 10 s RTD blocks.
    const published = mcap.metadata.get('twinbed.published')!;
    const sent = Object.fromEntries(TELEMETRY.map((topic) => [topic, (JSON.parse(published.get(`pump-1/${topic.split('/').pop()}`)!) as { sent: number }).sent]));
    expect(sent).toEqual({ [TELEMETRY[0]!]: 1000, [TELEMETRY[1]!]: 4, [TELEMETRY[2]!]: 4 });
    for (const topic of TELEMETRY) expect(counts[topic], topic).toBe(sent[topic]);
    expect(sum(TELEMETRY.map((t) => counts[t]!))).toBe(original.stats.published);
    expect(original.stats).toMatchObject({ published: 1008, acked: 1008, stored: 1008, qos1: { published: 1008, stored: 1008 } });
    expect(published.get('telemetrySha256')).toBe(original.telemetrySha256);
    // Every accel block once, in order.
    expect(messagesOn(mcap, TELEMETRY[0]!).map((m) => m.seq)).toEqual([...Array(1000).keys()]);

    // What the pipeline published: one features message per window, one event per alert, the command the twin obeyed.
    expect(sum(FEATURES.map((t) => counts[t]!))).toBe(original.stats.windows);
    // 40 one-second accel windows and, per temperature, 2 windows of two 10 s blocks (issue 12: a slow sensor's record
    // costs more than one block, so its windows are two blocks long).
    expect(original.stats.windows).toBe(44);
    expect(counts[EVENTS]).toBe(original.timeline.alerts.length);
    expect(messagesOn(mcap, EVENTS).map((e) => [e.rule, e.state])).toEqual(original.timeline.alerts.map((a) => [a.rule, a.state]));
    expect(counts[COMMANDS]).toBe(original.stats.commandsReceived);
    expect(messagesOn(mcap, COMMANDS).map((c) => c.action)).toEqual(original.timeline.commands.map((c) => c.action));
    // Ground truth: the imbalance's severity, from its onset to full (15 s → 20 s, a step a second).
    const [fault] = original.timeline.faults;
    const truth = messagesOn(mcap, TRUTH) as { tsMs: number; faults: { fault: string; severity: number }[] }[];
    expect(truth.map((t) => (t.tsMs - Date.parse('2026-01-01T00:00:00Z')) / 1000)).toEqual([15, 16, 17, 18, 19, 20]);
    expect([truth[0]!.tsMs, truth.at(-1)!.tsMs].map((ms) => (ms - Date.parse('2026-01-01T00:00:00Z')) / 1000)).toEqual([fault!.atS, fault!.fullAtS]);
    expect(truth.map((t) => t.faults[0]!.severity)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('judged again (judgeRecording) reproduces the verdict, every expectation and threshold result, and the detection delays', async () => {
    const replayed = await judgeRecording(file);

    expect(replayed.passed).toBe(true);
    expect(verdicts(replayed)).toEqual(verdicts(original));
    expect(verdicts(original).map((v) => [v.type, v.passed])).toEqual([
      ['no-alert', true],
      ['alert', true],
      ['stored-exactly-once', true],
      ['threshold', true],
      ['threshold', true],
      ['threshold', true],
    ]);
    // The imbalance starts at 15 s; the cloud's RMS rule fires on the 16 s window: 1 s, however it is stated.
    expect(detectionDelays(original)).toEqual({
      'alert: alert on pump-1 within 20 s of its imbalance onset': 1,
      'threshold: detection_delay_s{device:pump-1} max<5': 1,
      'threshold: detection_delay_s{device:pump-1} max<5: pump-1/imbalance': 1,
      'timeline: pump-1/imbalance': 1,
    });
    expect(detectionDelays(replayed)).toEqual(detectionDelays(original));
    expect(replayed.timeline.alerts).toEqual(original.timeline.alerts);
    // The same readings went in, byte for byte, and the pipeline made as much of them.
    expect(replayed.telemetrySha256).toBe(original.telemetrySha256);
    const { published, acked, stored, windows, alerts, duplicatesDropped, commandsReceived } = original.stats;
    expect(replayed.stats).toMatchObject({ published, acked, stored, windows, alerts, duplicatesDropped, commandsReceived });
  });
});

describe('twinbed run --record, then twinbed test --replay', () => {
  it('the recording holds the published readings, and twinbed test --replay passes it with the same expectation results and alert times', async () => {
    const fixture = 'test/fixtures/recordings/pump-imbalance.yaml';
    const runJson = join(dir, 'run.json');
    const run = await runTwinbed(['run', fixture, '--record', dir, '--json', runJson]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const file = join(dir, 'pump-imbalance-seed7.mcap');
    const original = JSON.parse(await readFile(runJson, 'utf8')) as RunResult;

    const mcap = await readMcap(file, { messages: false });
    const counts = countsByTopic(mcap);
    expect(run.stdout).toContain(`recorded ${sum(Object.values(counts))} messages on 9 topics into ${file}`);
    for (const topic of TELEMETRY) expect(run.stdout).toContain(`  ${topic}: ${counts[topic]}`);
    expect(sum(TELEMETRY.map((t) => counts[t]!))).toBe(original.stats.published);
    expect(original.stats.published).toBe(1008);

    const output = join(dir, 'replay-results');
    const replay = await runTwinbed(['test', '--replay', file, '--output', output]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`twinbed replay ${file}: recorded run of "recorded pump imbalance" (seed 7), 4 device topics, ${sum([TRUTH, ...TELEMETRY].map((t) => counts[t]!))} messages`);
    expect(replay.stdout).toContain('PASSED: 3 of 3 expectations hold');
    const replayed = JSON.parse(await readFile(join(output, 'pump-imbalance-seed7.json'), 'utf8')) as RunResult;

    expect(replayed.passed).toBe(true);
    expect(verdicts(replayed)).toEqual(verdicts(original));
    expect(detectionDelays(original)).toEqual({ 'alert: alert on pump-1 within 20 s of its imbalance onset': 1, 'timeline: pump-1/imbalance': 1 });
    expect(detectionDelays(replayed)).toEqual(detectionDelays(original));
    expect(replayed.timeline.alerts).toEqual(original.timeline.alerts);
    expect(replayed.telemetrySha256).toBe(original.telemetrySha256);
    expect(replayed.stats).toMatchObject({ published: 1008, acked: 1008, stored: 1008, windows: original.stats.windows, alerts: original.stats.alerts });
  });
});
