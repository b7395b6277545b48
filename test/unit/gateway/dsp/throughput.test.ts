// The vibration pipelines at gateway scale: 200 channels of 25.6 kHz blocks, fed round-robin as a gateway receives
// them. How many blocks a second one core takes is `npm run bench -- dsp`, a ratio against the per-block loop in the
// same run (CONTRIBUTING.md#benchmarks); here, what must hold at any speed: every channel closes one window per second,
// and interleaving changes no channel's features (the pipelines share FFT plans and window tables, never state).
import { describe, expect, it } from 'vitest';
import { PipelineSchema, SensorPipeline, VIBRATION_PIPELINE, type PipelineConfigInput } from '../../../../gateway/dsp/index';
import type { FeaturesV1, TelemetryV1 } from '../../../../protocol/index';
import { noise, sum, tone } from './signals';

const FS = 25_600;
const BLOCK = 1024;
const CHANNELS = 200;
const BLOCKS_PER_SECOND = FS / BLOCK; // 25
const SECONDS = 2;

const FULL: PipelineConfigInput = {
  ...VIBRATION_PIPELINE,
  features: {
    ...VIBRATION_PIPELINE.features,
    envelope: { bandHz: [2500, 4500], bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04 }, shaftRpmFrom: 'peak' },
  },
};

/** Four different machines (shaft line, resonance, noise floor); channel c plays signal c mod 4. */
const SIGNALS = [
  [1, 160.3, 0.5, 3001, 0.05],
  [0.4, 148.1, 0.9, 3520, 0.02],
  [2, 99.7, 0.1, 2750, 0.1],
  [0.7, 241.9, 0.3, 4100, 0.03],
].map(([a1, f1, a2, f2, sigma], k) => {
  const x = sum(tone(a1!, f1!, FS, SECONDS * FS), tone(a2!, f2!, FS, SECONDS * FS), noise(sigma!, SECONDS * FS, 7 + k));
  return Array.from({ length: SECONDS * BLOCKS_PER_SECOND }, (_, b) => Float32Array.from(x.subarray(b * BLOCK, (b + 1) * BLOCK)));
});

const telemetry = (channel: number, seq: number, values: Float32Array): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device: `pump-${channel}`,
  sensor: 'accel',
  seq,
  tsMs: (1000 * seq * BLOCK) / FS,
  rateHz: FS,
  unit: 'g',
  values,
});

/**
 * The feature windows of one pipeline per listed channel, fed block b of every channel before block b + 1 of any;
 * channel c plays signal c mod 4.
 */
function interleaved(config: PipelineConfigInput, channels: readonly number[]): FeaturesV1[][] {
  const pipelines = channels.map((c) => new SensorPipeline(PipelineSchema.parse(config), { device: `pump-${c}`, sensor: 'accel' }));
  const windows: FeaturesV1[][] = pipelines.map(() => []);
  for (let seq = 0; seq < SECONDS * BLOCKS_PER_SECOND; seq++) {
    for (const [i, c] of channels.entries()) {
      for (const out of pipelines[i]!.push(telemetry(c, seq, SIGNALS[c % SIGNALS.length]![seq]!))) {
        if (out.kind === 'features') windows[i]!.push(out.message);
      }
    }
  }
  return windows;
}

describe('200 vibration pipelines fed round-robin', () => {
  it.each([
    ['the default vibration pipeline', VIBRATION_PIPELINE],
    ['the full pipeline (envelope BPFO/BPFI/BSF/FTF, shaft speed from the 1× peak)', FULL],
  ] as const)('with %s, close one 25-block window per channel per second, each equal to that of its signal through a pipeline of its own', (_name, config) => {
    const windows = interleaved(config, Array.from({ length: CHANNELS }, (_, c) => c));
    // The four signals, each through a pipeline of its own that no other pipeline runs between.
    const alone = SIGNALS.map((_, k) => interleaved(config, [k])[0]!);
    for (const [c, got] of windows.entries()) {
      expect(got.map((w) => [w.device, w.seq, w.blocks, w.windowMs]), `pump-${c}`).toEqual([
        [`pump-${c}`, 0, 25, 1000],
        [`pump-${c}`, 25, 25, 1000],
      ]);
      // Bit for bit: the same samples through the same stages give the same float64 features whoever ran before.
      expect(got.map((w) => w.features), `pump-${c}`).toEqual(alone[c % SIGNALS.length]!.map((w) => w.features));
    }
    // The four machines differ, so equal features above are not all one answer.
    expect(new Set(alone.map((w) => w[1]!.features.rms)).size).toBe(SIGNALS.length);
  });
});
