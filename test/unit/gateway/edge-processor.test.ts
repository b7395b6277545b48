import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  AnomalyDetector,
  decodeRawBlock,
  EdgeProcessor,
  nodeGzip,
  PipelineSchema,
  PRIORITY,
  type EdgeProcessorOptions,
  type ModelLease,
  type ModelSource,
  type Processed,
  type SlotModel,
} from '../../../gateway/index';
import {
  decodeMessage,
  encodeMessage,
  ThresholdRuleSchema,
  topics,
  type DeadLetterV1,
  type EventV1,
  type FeaturesV2,
  type RawBlockV1,
  type TelemetryV1,
} from '../../../protocol/index';
import { VirtualClock } from '../../../sim/index';

const SITE = 'site-1';
const START_MS = Date.UTC(2026, 0, 1);

/** One record per 1 s block of 100 samples at 100 Hz; raw blocks 2 s before and after an event. */
function processor(deadLetters: DeadLetterV1[] = [], anomaly?: EdgeProcessorOptions['anomaly']): EdgeProcessor {
  return new EdgeProcessor({
    site: SITE,
    gateway: 'gw-7',
    ...(anomaly ? { anomaly } : {}),
    pipelines: [
      PipelineSchema.parse({
        sensors: ['vib'],
        window: { blocks: 1, function: 'rect' },
        features: { stats: ['rms', 'peak', 'crest'] },
        rawUplink: { mode: 'around-events', preS: 2, postS: 2, encoding: 'delta-f32' },
      }),
    ],
    rules: [ThresholdRuleSchema.parse({ name: 'vib-high', metric: 'rms', sensor: 'vib', above: 1 })],
    actions: [{ on: 'vib-high', action: 'stop' }],
    clock: new VirtualClock(START_MS),
    wallMs: () => performance.now(),
    gzip: nodeGzip,
    log: pino({ level: 'silent' }),
    onDeadLetter: (letter) => deadLetters.push(letter),
  });
}

/** Block `seq` of device pump-1, sensor vib: a constant of `level` (so its RMS is `level`). */
function block(seq: number, level: number): Buffer {
  const message: TelemetryV1 = { type: 'telemetry', v: 1, device: 'pump-1', sensor: 'vib', seq, tsMs: START_MS + seq * 1000, rateHz: 100, unit: 'g', values: new Array(100).fill(level) };
  return Buffer.from(encodeMessage(message, 'cbor'));
}

const route = { topic: topics.telemetry(SITE, 'pump-1', 'vib') };

/** Feeds blocks with the given levels from seq `from`; returns every output, in order. */
async function feed(edge: EdgeProcessor, levels: number[], from = 0): Promise<Processed[]> {
  const out: Processed[] = [];
  for (const [i, level] of levels.entries()) out.push(await edge.process(block(from + i, level), route, 1, 1000 + from + i));
  return out;
}

const rawSeqs = (outputs: Processed[]) =>
  outputs.flatMap((p) =>
    p.enqueue
      .filter((e) => e.priority === PRIORITY.raw)
      .map((e) => {
        const raw = decodeMessage(e.payload) as RawBlockV1;
        expect(Array.from(decodeRawBlock(raw, nodeGzip))).toHaveLength(100);
        return raw.seq;
      }),
  );

/** A model whose score is the window's RMS, with a version the test can swap as an activation would. */
class RmsModel implements ModelSource {
  version = 'v1';
  threshold = 1.5;
  features = ['rms'];

  acquire(): ModelLease {
    const model: SlotModel = { version: this.version, featureNames: this.features, threshold: this.threshold, scoreBatch: async (flat) => Float32Array.of(flat[0]!) };
    return { model, release: () => {} };
  }

  observe(): void {}
}

/** The features windows queued, decoded, in order. */
const windowsOf = (outputs: Processed[]): FeaturesV2[] =>
  outputs.flatMap((p) => p.enqueue.filter((e) => e.priority === PRIORITY.features && e.topic.includes('/features/')).map((e) => decodeMessage(e.payload) as FeaturesV2));

describe('EdgeProcessor', () => {
  describe('features v2', () => {
    const scored = (model: RmsModel, sensors = ['vib']) => ({ detector: new AnomalyDetector(model, { anomalyAfter: 2, clearAfter: 2 }, () => 0), sensors });

    it('stamps every window with the gateway id, and leaves the model out where none scores the sensor', async () => {
      const windows = windowsOf(await feed(processor([], scored(new RmsModel(), ['accel'])), [0.5, 2]));
      expect(windows.map((w) => [w.type, w.v, w.gateway, w.seq, w.features.rms])).toEqual([
        ['features', 2, 'gw-7', 0, 0.5],
        ['features', 2, 'gw-7', 1, 2],
      ]);
      expect(windows.map((w) => w.model)).toEqual([undefined, undefined]);
      // No detector at all: the same.
      expect(windowsOf(await feed(processor(), [0.5])).map((w) => [w.v, w.gateway, w.model])).toEqual([[2, 'gw-7', undefined]]);
    });

    it('carries the score of every window the model scores, before, during and after a raised anomaly', async () => {
      const outputs = await feed(processor([], scored(new RmsModel())), [0.5, 2, 3, 2.5, 0.25, 0.5, 0.75]);
      expect(windowsOf(outputs).map((w) => w.model)).toEqual([0.5, 2, 3, 2.5, 0.25, 0.5, 0.75].map((score) => ({ version: 'v1', score, threshold: 1.5 })));
      const events = outputs.flatMap((p) => p.enqueue.filter((e) => e.priority === PRIORITY.events).map((e) => decodeMessage(e.payload) as EventV1));
      // Raised on the second window over 1.5 (seq 2), cleared on the second under it (seq 5): seqs 3–4 were scored while raised.
      expect(events.filter((e) => e.kind === 'anomaly').map((e) => [e.state, e.tsMs - START_MS])).toEqual([
        ['raised', 2000],
        ['cleared', 5000],
      ]);
    });

    it('names the version that scored each window: the next window after a swap carries the new one', async () => {
      const model = new RmsModel();
      const edge = processor([], scored(model));
      const before = windowsOf(await feed(edge, [0.5, 0.5]));
      model.version = 'v2';
      model.threshold = 0.25;
      const after = windowsOf(await feed(edge, [0.5, 0.5], 2));
      expect([...before, ...after].map((w) => [w.seq, w.model?.version, w.model?.threshold])).toEqual([
        [0, 'v1', 1.5],
        [1, 'v1', 1.5],
        [2, 'v2', 0.25],
        [3, 'v2', 0.25],
      ]);
    });

    it('sends a window the model could not score without a model field, rather than not at all', async () => {
      const model = new RmsModel();
      model.features = ['rms', 'kurtosis']; // the pipeline computes no kurtosis: FeatureVectorError on every window
      const windows = windowsOf(await feed(processor([], scored(model)), [0.5, 2]));
      expect(windows.map((w) => [w.seq, w.gateway, 'model' in w])).toEqual([
        [0, 'gw-7', false],
        [1, 'gw-7', false],
      ]);
    });
  });


  it('puts a resent block back in its place: blocks after a gap wait for it, then every block is a window, in order', async () => {
    const edge = processor();
    const outputs = [];
    for (const seq of [0, 2, 3, 1, 4]) outputs.push(await edge.process(block(seq, 0.5), route, 1, 1000 + seq));
    const windows = outputs.flatMap((p) => p.enqueue.filter((e) => e.priority === PRIORITY.features).map((e) => (decodeMessage(e.payload) as { seq: number }).seq));
    expect(windows).toEqual([0, 1, 2, 3, 4]);
    // The held blocks' inbox rows are released with their windows, when the missing one arrives.
    expect(outputs.map((p) => p.release)).toEqual([[1000], [], [], [1001, 1002, 1003], [1004]]);
  });

  it('dead-letters a block that comes after the gateway stopped waiting for it, with the reason, and releases it', async () => {
    const letters: DeadLetterV1[] = [];
    const edge = processor(letters);
    // Blocks are 1 s long: the default 2000 ms hold gives up on seq 1 once the blocks waiting behind it span 2 s.
    for (const seq of [0, 2, 3, 4]) await edge.process(block(seq, 0.5), route, 1, 1000 + seq);
    const late = await edge.process(block(1, 0.5), route, 1, 1001);
    expect(late.result).toEqual({ accepted: false, reason: expect.stringMatching(/^pump-1\/vib seq 1 arrived after the gateway stopped waiting for it \(2000 ms of event time past the gap\)/) });
    expect(late.release).toEqual([1001]);
    expect(letters.map((l) => l.reason)).toEqual([(late.result as { reason: string }).reason]);
    // A copy of a block already processed is not news: released, not dead-lettered.
    const copy = await edge.process(block(3, 0.5), route, 1, 1099);
    expect(copy).toMatchObject({ result: { accepted: true }, release: [1099], enqueue: [] });
  });

  it('turns each block into a features record and releases its inbox row in the same hand-over', async () => {
    const [first] = await feed(processor(), [0.5]);
    expect(first!.result).toEqual({ accepted: true });
    expect(first!.release).toEqual([1000]);
    expect(first!.enqueue).toHaveLength(1);
    expect(first!.enqueue[0]).toMatchObject({ priority: PRIORITY.features, topic: topics.features(SITE, 'pump-1', 'vib'), qos: 1, key: { device: 'pump-1', sensor: 'vib', seq: 0 } });
    expect(decodeMessage(first!.enqueue[0]!.payload)).toMatchObject({ type: 'features', device: 'pump-1', seq: 0, features: { rms: 0.5, peak: 0.5, crest: 1 } });
  });

  it('on a rule crossing queues the event, a stop command to the device, and raw blocks 2 s before and after', async () => {
    const outputs = await feed(processor(), [0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 2]);
    const events = outputs.flatMap((p) => p.enqueue.filter((e) => e.priority === PRIORITY.events).map((e) => decodeMessage(e.payload) as EventV1));
    expect(events.map((e) => [e.state, e.rule, e.origin, e.tsMs - START_MS])).toEqual([['raised', 'vib-high', 'edge', 4000]]);
    expect(outputs[4]!.commands.map((c) => [c.device, c.command.action])).toEqual([['pump-1', 'stop']]);
    // Seqs 2–3 were held in the ring (the 2 s before the event); 4 raised it; 5–6 fall within the 2 s after.
    expect(rawSeqs(outputs)).toEqual([2, 3, 4, 5, 6]);
  });

  it('sends raw blocks on a cloud request, from the next block for the seconds asked, and none before', async () => {
    const edge = processor();
    const before = await feed(edge, [0.5, 0.5, 0.5]);
    expect(rawSeqs(before)).toEqual([]);
    expect(edge.requestRaw({ device: 'pump-1', seconds: 3 })).toEqual(['pump-1/vib']);
    expect(edge.requestRaw({ device: 'pump-9', seconds: 3 })).toEqual([]);
    const after = await feed(edge, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 3);
    // The 2 s ring (seqs 1–2), then seq 3 (the next block) and the 3 s after it (4–6).
    expect(rawSeqs(after)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('dead-letters an undecodable payload with its reason, and ignores a late copy of a block it has processed', async () => {
    const deadLetters: DeadLetterV1[] = [];
    const edge = processor(deadLetters);
    const bad = await edge.process(Buffer.from('{"type":"telemetry","v":1}'), route, 1, 7);
    expect(bad.result.accepted).toBe(false);
    expect(bad.release).toEqual([7]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatch(/device/);
    await feed(edge, [0.5, 0.5, 0.5]);
    // (A seq 0 would be a restarted device, not a late copy.)
    const late = await edge.process(block(1, 0.5), route, 1, 99);
    expect(late.enqueue).toEqual([]);
    expect(late.release).toEqual([99]);
    expect(deadLetters).toHaveLength(1);
  });
});
