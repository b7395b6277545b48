import { describe, expect, it } from 'vitest';
import { Deadband, PipelineSchema, SensorPipeline } from '../../../../gateway/dsp/index';
import { block } from './signals';

/** A slow-sensor pipeline with report-by-exception (not the default: a site opts in to it). */
const DEADBAND = PipelineSchema.parse({
  sensors: ['temp'],
  window: { blocks: 1, function: 'rect' },
  features: { stats: ['mean', 'rms', 'peak', 'crest'] },
  deadband: { delta: 0.5, maxIntervalS: 60, feature: 'mean' },
});

describe('deadband pipeline (default for slow sensors)', () => {
  it('reports the first value, then only a move of ≥ 0.5 since the last report or 60 s without one', () => {
    const temps = [25.0, 25.2, 25.4, 25.5, 25.1, 24.9, ...new Array<number>(60).fill(24.9), 24.95];
    const p = new SensorPipeline(DEADBAND, { device: 'pump-1', sensor: 'temp' });
    // One sample a second, one block a sample: tsMs = T0 + seq·1000.
    const outputs = temps.flatMap((value, seq) => p.push(block(seq, [value], { rateHz: 1, unit: 'degC', sensor: 'temp' })));
    const reports = outputs.flatMap((o, seq) => (o.kind === 'report' ? [[seq, o.message.features.mean]] : []));
    expect(reports).toEqual([
      [0, 25.0], // first value
      [3, expect.closeTo(25.5, 5)], // moved exactly 0.5 from 25.0
      [5, expect.closeTo(24.9, 5)], // moved 0.6 from 25.5
      [65, expect.closeTo(24.9, 5)], // 60 s after the report at seq 5, unchanged
    ]);
    // Every block gets an answer, so the gateway can release it from its inbox.
    expect(outputs.map((o) => o.blockSeqs)).toEqual(temps.map((_, seq) => [seq]));
    expect(outputs.filter((o) => o.kind === 'suppressed')).toHaveLength(temps.length - 4);
    expect(outputs[1]).toEqual({ kind: 'suppressed', blockSeqs: [1], releaseSeqs: [1] });
  });

  it('carries the watched feature (mean) and the required rms, peak and crest in every report', () => {
    const p = new SensorPipeline(DEADBAND, { device: 'pump-1', sensor: 'temp' });
    const [out] = p.push(block(0, [40], { rateHz: 1, unit: 'degC', sensor: 'temp' }));
    expect(out).toMatchObject({ kind: 'report', message: { unit: 'degC', blocks: 1, windowMs: 1000, features: { mean: 40, rms: 40, peak: 40, crest: 1 } } });
  });
});

describe('Deadband', () => {
  it('measures the interval in event time from the last report, not from the last value', () => {
    const band = new Deadband(1, 10_000);
    expect([0, 4000, 8000, 10_000, 12_000].map((t) => band.offer(0.1, t))).toEqual([true, false, false, true, false]);
    band.reset();
    expect(band.offer(0.1, 12_500)).toBe(true);
  });
});
