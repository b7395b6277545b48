import { describe, expect, it } from 'vitest';
import type { FeaturesV1 } from '../../../../protocol';
import { AnomalyDetector } from '../../../../gateway/model/anomaly-detector';
import { FeatureVectorError, ModelRunError } from '../../../../gateway/model/errors';
import type { ModelLease, ModelSource, SlotModel } from '../../../../gateway/model/model-slot';

/** A model whose score is the window's `level` feature, taking `latencyMs` on a fake clock. */
class ScriptedSource implements ModelSource {
  nowMs = 0;
  observed = 0;
  active: SlotModel | undefined;

  constructor(options: { version?: string; threshold?: number; latencyMs?: number } = {}) {
    this.active = {
      version: options.version ?? 'v1',
      featureNames: ['level', 'rms'],
      threshold: options.threshold ?? 10,
      scoreBatch: async (flat) => {
        this.nowMs += options.latencyMs ?? 0.25;
        return Float32Array.of(flat[0]!);
      },
    };
  }

  acquire(): ModelLease | undefined {
    return this.active && { model: this.active, release: () => {} };
  }

  observe(): void {
    this.observed++;
  }
}

let seq = 0;
function windowOf(level: number, sensor = 'accel', features: Record<string, number> = { level }): FeaturesV1 {
  return { type: 'features', v: 1, device: 'pump-1', sensor, seq: seq++, tsMs: 1000 * seq, windowMs: 1000, unit: 'g', features: { rms: 1, peak: 3, crest: 3, ...features } };
}

async function run(detector: AnomalyDetector, levels: number[], sensor?: string) {
  const verdicts = [];
  for (const level of levels) verdicts.push(await detector.process(windowOf(level, sensor)));
  return verdicts;
}

const events = (verdicts: Awaited<ReturnType<typeof run>>) =>
  verdicts.flatMap((v, i) => (v.scored && v.event ? [[i, v.event.state, v.event.severity] as const] : []));

describe('AnomalyDetector', () => {
  it('raises only after anomalyAfter consecutive windows over the threshold', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 3, clearAfter: 2 }, () => source.nowMs);
    // Two over, one under (resets), then three over: raised on the third of those.
    const verdicts = await run(detector, [12, 15, 9, 12, 13, 14, 20]);
    expect(events(verdicts)).toEqual([[5, 'raised', 'warning']]);
    const raised = verdicts[5]!;
    expect(raised.scored && raised.event).toMatchObject({
      type: 'event',
      kind: 'anomaly',
      origin: 'edge',
      rule: 'edge-anomaly',
      device: 'pump-1',
      sensor: 'accel',
      value: 14,
      threshold: 10,
      message: 'pump-1/accel anomaly score 14 over threshold 10 for 3 consecutive windows (model v1)',
    });
    expect(detector.raised()).toEqual(['pump-1/accel']);
  });

  it('clears after clearAfter consecutive windows at or under the threshold, once', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 2, clearAfter: 3 }, () => source.nowMs);
    const verdicts = await run(detector, [11, 11, 5, 5, 11, 10, 5, 5, 5, 5]);
    // A window exactly at the threshold counts as under (raise needs score > threshold).
    expect(events(verdicts)).toEqual([[1, 'raised', 'warning'], [7, 'cleared', 'warning']]);
    expect(detector.raised()).toEqual([]);
  });

  it('raises critical when the score reaches criticalRatio × threshold, and clears with the same severity', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 1, clearAfter: 1, criticalRatio: 3 }, () => source.nowMs);
    expect(events(await run(detector, [30, 1]))).toEqual([[0, 'raised', 'critical'], [1, 'cleared', 'critical']]);
  });

  it('debounces each (device, sensor) stream on its own', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 2 }, () => source.nowMs);
    await run(detector, [20], 'accel');
    await run(detector, [20], 'accel-2');
    expect(detector.raised()).toEqual([]);
    expect(events(await run(detector, [20], 'accel'))).toEqual([[0, 'raised', 'warning']]);
  });

  it('uses a configured threshold over the model\'s', async () => {
    const source = new ScriptedSource({ threshold: 10 });
    const detector = new AnomalyDetector(source, { threshold: 50 }, () => source.nowMs);
    expect(await detector.process(windowOf(20))).toMatchObject({ scored: true, score: 20, threshold: 50, over: false, modelVersion: 'v1' });
  });

  it('names every missing feature of the window, and the window', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, {}, () => source.nowMs);
    const window = windowOf(1, 'accel', {});
    const error = await detector.process(window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeatureVectorError);
    expect((error as FeatureVectorError).missing).toEqual(['level']);
    expect((error as Error).message).toContain(`pump-1/accel window seq ${window.seq} lacks level, which model v1 needs`);
  });

  it('refuses a non-finite score without moving the debounce counters', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 2 }, () => source.nowMs);
    await run(detector, [20]);
    source.active = { ...source.active!, scoreBatch: async () => Float32Array.of(NaN) };
    await expect(detector.process(windowOf(20))).rejects.toThrow(ModelRunError);
    source.active = new ScriptedSource().active;
    // Still only one window over: the NaN neither counted as over nor reset the count.
    expect(events(await run(detector, [20]))).toEqual([[0, 'raised', 'warning']]);
  });

  it('reports no verdict while no model is active, but still keeps the window for shadow runs', async () => {
    const source = new ScriptedSource();
    source.active = undefined;
    const detector = new AnomalyDetector(source);
    expect(await detector.process(windowOf(20))).toEqual({ scored: false, reason: 'no-active-model' });
    expect(source.observed).toBe(1);
  });

  it('measures the inference latency of every window into p50 and p99', async () => {
    const source = new ScriptedSource({ latencyMs: 0.5 });
    const detector = new AnomalyDetector(source, {}, () => source.nowMs);
    const verdicts = await run(detector, Array.from({ length: 100 }, () => 1));
    expect(verdicts[0]).toMatchObject({ latencyMs: 0.5 });
    const latency = detector.latency();
    expect(latency.count).toBe(100);
    expect(latency.p50Ms).toBeCloseTo(0.5, 2);
    expect(latency.p99Ms).toBeCloseTo(0.5, 2);
  });

  it('scores the windows of one stream in arrival order even when they are submitted together', async () => {
    const source = new ScriptedSource();
    const detector = new AnomalyDetector(source, { anomalyAfter: 3, clearAfter: 1 }, () => source.nowMs);
    const verdicts = await Promise.all([20, 20, 20, 1].map((level) => detector.process(windowOf(level))));
    expect(events(verdicts)).toEqual([[2, 'raised', 'warning'], [3, 'cleared', 'warning']]);
  });
});
