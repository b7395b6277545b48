import { PipelineSchema, type PipelineConfig, type PipelineConfigInput } from './pipeline-config';
import { SensorPipeline } from './sensor-pipeline';

/** Rate at or below which a sensor counts as slow (temperatures, pressures) and gets the slow default. */
export const SLOW_SENSOR_MAX_RATE_HZ = 10;

/**
 * Vibration (unit `g`): 2 Hz high-pass against drift, 1 s Hann windows, full stats, three bands, three peaks, raw
 * blocks around events. No Hampel filter: bearing impacts are genuine outliers, and removing them would erase the
 * kurtosis and crest factor that reveal a defect (Hampel is for slow signals; declare it where it belongs).
 */
export const VIBRATION_PIPELINE: PipelineConfigInput = {
  sensors: ['*'],
  stages: [{ type: 'highpass', cutoffHz: 2, sections: 1 }],
  window: { seconds: 1, overlap: 0, function: 'hann' },
  features: {
    stats: ['rms', 'peak', 'crest', 'kurtosis', 'skewness'],
    bandsHz: [
      [10, 1000],
      [1000, 5000],
      [5000, 10000],
    ],
    peaks: 3,
  },
  rawUplink: { mode: 'around-events', preS: 2, postS: 2, encoding: 'delta-f32-gzip' },
  neverInflate: true,
};

/**
 * Motion (unit `g` at IMU rates, ≤ 1 kHz): the vibration pipeline, plus `dc`, the window's mean before the high-pass.
 * An IMU at rest reads its share of gravity there (about 1 g on the vertical axis), which the high-pass removes
 * from every other feature.
 */
export const MOTION_PIPELINE: PipelineConfigInput = { ...VIBRATION_PIPELINE, features: { ...VIBRATION_PIPELINE.features, dc: true } };

/** Rate at or below which a sensor in `g` counts as motion (an IMU) rather than vibration (an accelerometer at kHz). */
export const MOTION_MAX_RATE_HZ = 1000;

/**
 * Slow sensors (≤ 10 Hz): windows of two blocks. A slow sensor's block is a handful of samples, and a features
 * record costs more bytes than one block (≈ 185 B of CBOR against 136 B for the environment twin's block of six
 * samples, 186 B against 145 B for an RTD's ten) but less than two, so a record per block inflated the stream and a
 * record per two blocks reduces it. The window closes with its second block, as a vibration window does with its
 * last, so nothing waits longer than that, and `neverInflate` holds any window whose record its blocks cannot pay for
 * (smaller blocks, a window cut short by a gap). Report by exception (`deadband`) saves far more on quiet sensors, but
 * holds readings at the edge until news, a heartbeat or a drain: a site declares it where that trade-off suits it.
 */
export const SLOW_PIPELINE: PipelineConfigInput = {
  sensors: ['*'],
  window: { blocks: 2, function: 'rect' },
  features: { stats: ['mean', 'rms', 'peak', 'crest'] },
  neverInflate: true,
};

/** Every block becomes one features record (rms, peak, crest): what the gateway did before pipelines existed. */
export const PER_BLOCK_PIPELINE: PipelineConfigInput = {
  sensors: ['*'],
  window: { blocks: 1, function: 'rect' },
  features: { stats: ['rms', 'peak', 'crest'] },
};

// PER_BLOCK_PIPELINE stays what it says for whoever declares it; as a default it never inflates either.
const resolved = {
  vibration: PipelineSchema.parse(VIBRATION_PIPELINE),
  motion: PipelineSchema.parse(MOTION_PIPELINE),
  slow: PipelineSchema.parse(SLOW_PIPELINE),
  perBlock: PipelineSchema.parse({ ...PER_BLOCK_PIPELINE, neverInflate: true }),
};

/**
 * The pipeline for a sensor the gateway config does not name, chosen from its first block: unit `g` → the
 * vibration pipeline (the motion one at IMU rates, ≤ 1 kHz); rate ≤ 10 Hz → the slow pipeline (two blocks a window);
 * anything else → one record per block. Every default sets `neverInflate`: no stream sends more record
 * bytes than its readings brought in. The vibration default needs whole seconds of blocks before it reports (a
 * 4-sample block at 1 kHz makes 250-block windows), so a setup that wants a record per block declares
 * `window: { blocks: 1 }` (or `PER_BLOCK_PIPELINE`) for its sensors.
 */
export function defaultPipelineFor(stream: { unit: string; rateHz: number }): PipelineConfig {
  if (stream.unit === 'g') return stream.rateHz <= MOTION_MAX_RATE_HZ ? resolved.motion : resolved.vibration;
  if (stream.rateHz <= SLOW_SENSOR_MAX_RATE_HZ) return resolved.slow;
  return resolved.perBlock;
}

/** The first configured pipeline that names `sensor` (or `*`), else the default for the stream. */
export function pipelineFor(configs: readonly PipelineConfig[], sensor: string, stream: { unit: string; rateHz: number }): PipelineConfig {
  return configs.find((c) => SensorPipeline.matches(c, sensor)) ?? defaultPipelineFor(stream);
}
