import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPipelineFor, SensorPipeline } from '../../../../gateway/dsp/index';
import { initPhysics } from '../../../../twins/motion/index';
import { conveyor, record } from '../../twins/motion/motion-helpers';
import { blocksOf } from './signals';

/** Windows of `signal` through the default pipeline for its stream, as the gateway would cut them. */
function windows(signal: ArrayLike<number>, rateHz: number, blockSamples: number, sensor: string) {
  const pipeline = new SensorPipeline(defaultPipelineFor({ unit: 'g', rateHz }), { device: 'belt-1', sensor });
  return blocksOf(signal, rateHz, blockSamples, { sensor })
    .flatMap((b) => pipeline.push(b))
    .flatMap((o) => (o.kind === 'features' ? [o.message.features] : []));
}

describe('the DC level of a motion sensor', () => {
  beforeAll(async () => {
    await initPhysics();
  });

  it('reports dc, the window mean before the high-pass, for a sensor in g at IMU rates, and not for a kHz accelerometer', () => {
    expect(defaultPipelineFor({ unit: 'g', rateHz: 100 }).features.dc).toBe(true);
    expect(defaultPipelineFor({ unit: 'g', rateHz: 1000 }).features.dc).toBe(true);
    expect(defaultPipelineFor({ unit: 'g', rateHz: 25_600 }).features.dc).toBe(false);
  });

  it('reads 1 g + a 0.1 g offset exactly, while rms sees only the 0.05 g shake the high-pass keeps', () => {
    // 10 s at 100 Hz: 1.1 g of level and a 5 Hz shake of amplitude 0.05·√2 g (RMS 0.05 g).
    const signal = Float64Array.from({ length: 1000 }, (_, i) => 1.1 + 0.05 * Math.SQRT2 * Math.sin((2 * Math.PI * 5 * i) / 100));
    const out = windows(signal, 100, 100, 'imu-az');
    expect(out).toHaveLength(10);
    for (const f of out) expect(f.dc).toBeCloseTo(1.1, 6);
    // After the filter settles the RMS is the shake's, not the level's.
    expect(out.at(-1)!.rms).toBeCloseTo(0.05, 2);
  });

  it('reads about 1 g on the vertical axis of a conveyor tote at rest, and about 0 g on the horizontal ones', () => {
    const imu = record(conveyor({ speedMS: 0 }), 10, 100, 100);
    const [vertical, along] = [windows(imu['imu-az'], 100, 100, 'imu-az'), windows(imu['imu-ax'], 100, 100, 'imu-ax')];
    expect(vertical.at(-1)!.dc).toBeCloseTo(1, 1);
    expect(Math.abs(along.at(-1)!.dc!)).toBeLessThan(0.05);
    // What the headline showed before: the high-passed RMS, far below 1 g.
    expect(vertical.at(-1)!.rms).toBeLessThan(0.1);
  });
});
