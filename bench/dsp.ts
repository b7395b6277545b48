// DSP benchmark: the gateway's vibration pipelines on one core, 200 channels of 25.6 kHz accelerometer blocks fed
// round-robin as a gateway receives them, against the per-block rms/peak/crest loop the gateway ran before pipelines,
// measured in the same run. Pure computation: no broker, no store.
import os from 'node:os';
import { PipelineSchema, RealFft, SensorPipeline, VIBRATION_PIPELINE, windowTable, type PipelineConfigInput } from '../gateway';
import type { TelemetryV1 } from '../protocol';
import { RandomStreams } from '../sim';
import { createMachines, MachineSchema } from '../twins';
import { blockFeatures } from '../test/support/block-features';
import { machineLine } from './machine';

export interface DspPipelineResult {
  name: string;
  /** Blocks through the pipeline per second, best measured second. */
  blocksPerS: number;
  /** Feature windows out per second (one per channel per second of signal). */
  windowsPerS: number;
  /** 25.6 kHz channels one core keeps up with in real time: blocks/s ÷ 25. */
  realtimeChannels: number;
  /** Pipeline blocks/s ÷ baseline blocks/s: below 1, the pipeline costs more per block than the bare loop. */
  ofBaseline: number;
}

export interface DspBenchResult {
  channels: number;
  /** Timed stretches per configuration, each of `SECONDS_PER_STRETCH` seconds of signal (the baseline: ×10 as long). */
  stretches: number;
  /** The bare per-block loop (rms, peak, crest of each block), blocks/s, best measured second. */
  baselineBlocksPerS: number;
  /**
   * One 1 s window's 32,768-point real FFT alone, ms (best stretch): the part of a window's cost whose arithmetic the
   * bit-identical features (test/unit/gateway/dsp/features-golden.test.ts) fix.
   */
  fftMsPerWindow: number;
  pipelines: DspPipelineResult[];
  /** 1-minute load average when the bench started: above the core count, other work shared the machine. */
  loadAverage: number;
}

const RATE_HZ = 25_600;
const BLOCK = 1024;
/** Blocks per second of signal and per default 1 s window. */
const BLOCKS_PER_S = RATE_HZ / BLOCK;
const CHANNELS = 200;
/** Timed stretches per configuration, after one untimed stretch that warms the JIT and fills the filters. */
const STRETCHES = 5;
/**
 * Seconds of signal in one stretch: 5,000 blocks, 0.2–0.4 s of work for a pipeline. The bare loop is some 30 times as
 * fast, so its stretches are ten times as long: windows of a few ms would time the scheduler, not the loop.
 */
const SECONDS_PER_STRETCH = { pipeline: 1, baseline: 10 };

const FULL: PipelineConfigInput = {
  ...VIBRATION_PIPELINE,
  features: {
    ...VIBRATION_PIPELINE.features,
    envelope: { bandHz: [2500, 4500], bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04 }, shaftRpmFrom: 'peak' },
  },
};

const CONFIGS: ReadonlyArray<readonly [string, PipelineConfigInput]> = [
  ['default vibration (2 Hz high-pass, 1 s Hann, stats, 3 bands, 3 peaks)', VIBRATION_PIPELINE],
  ['full (default + envelope BPFO/BPFI/BSF/FTF, shaft speed from the 1× peak)', FULL],
];

/** One second of a healthy pump's accelerometer, as its twin generates it; every channel replays it. */
async function oneSecond(): Promise<Float32Array[]> {
  const [pump] = await createMachines(
    { twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1' })], faults: [], startTime: '2026-01-01T00:00:00Z' },
    new RandomStreams(1),
  );
  const accel = pump!.channels.find((c) => c.sensor === 'accel')!;
  return Array.from({ length: BLOCKS_PER_S }, (_, b) => accel.next((b * BLOCK) / RATE_HZ).values.slice());
}

/**
 * Feeds 1 + STRETCHES stretches of signal to all channels, block b of every channel before block b + 1 of any, and
 * times each stretch after the first. Returns blocks/s in the best stretch: other work on a shared machine only ever
 * makes a stretch slower. Throws unless every channel closed exactly one window per second of signal.
 */
function run(second: readonly Float32Array[], config: PipelineConfigInput | 'baseline'): number {
  const seconds = SECONDS_PER_STRETCH[config === 'baseline' ? 'baseline' : 'pipeline'];
  const pipelines =
    config === 'baseline' ? [] : Array.from({ length: CHANNELS }, (_, c) => new SensorPipeline(PipelineSchema.parse(config), { device: `pump-${c}`, sensor: 'accel' }));
  const blocks: TelemetryV1[] = Array.from({ length: CHANNELS }, (_, c) => ({ type: 'telemetry', v: 1, device: `pump-${c}`, sensor: 'accel', seq: 0, tsMs: 0, rateHz: RATE_HZ, unit: 'g', values: second[0]! }));
  let bestS = Infinity;
  let sink = 0;
  for (let stretch = 0; stretch <= STRETCHES; stretch++) {
    let windows = 0;
    const started = performance.now();
    for (let i = 0; i < seconds * BLOCKS_PER_S; i++) {
      const s = stretch * seconds + Math.floor(i / BLOCKS_PER_S);
      const b = i % BLOCKS_PER_S;
      for (let c = 0; c < CHANNELS; c++) {
        const block = blocks[c]!;
        block.seq = s * BLOCKS_PER_S + b;
        block.tsMs = (1000 * block.seq * BLOCK) / RATE_HZ;
        block.values = second[b]!;
        if (config === 'baseline') sink += blockFeatures(block.values).rms;
        else for (const out of pipelines[c]!.push(block)) if (out.kind === 'features') windows++;
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    if (config !== 'baseline' && windows !== CHANNELS * seconds) throw new Error(`dsp bench: stretch ${stretch} closed ${windows} windows for ${CHANNELS} channels × ${seconds} s`);
    if (stretch > 0) bestS = Math.min(bestS, elapsedS);
  }
  // Keeps the baseline's result alive, so the JIT cannot drop the loop it times.
  if (!Number.isFinite(sink)) throw new Error('dsp bench: the baseline produced a non-finite rms');
  return (CHANNELS * seconds * BLOCKS_PER_S) / bestS;
}

/** The default window's FFT on one second of signal (Hann-weighted, zero-padded to 32,768), ms per transform, best stretch. */
function fftPerWindowMs(second: readonly Float32Array[]): number {
  const n = 32_768;
  const x = new Float64Array(n);
  const hann = windowTable('hann', RATE_HZ).values;
  second.forEach((block, b) => block.forEach((v, i) => (x[b * BLOCK + i] = v * hann[b * BLOCK + i]!)));
  const fft = new RealFft(n);
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  const perStretch = 200;
  let bestMs = Infinity;
  for (let stretch = 0; stretch <= STRETCHES; stretch++) {
    const started = performance.now();
    for (let i = 0; i < perStretch; i++) fft.transform(x, re, im);
    if (stretch > 0) bestMs = Math.min(bestMs, (performance.now() - started) / perStretch);
  }
  if (!Number.isFinite(re[1]!)) throw new Error('dsp bench: the FFT produced a non-finite bin');
  return bestMs;
}

export async function dspBench(): Promise<DspBenchResult> {
  const loadAverage = Number(os.loadavg()[0]!.toFixed(2));
  const second = await oneSecond();
  const baseline = run(second, 'baseline');
  const pipelines = CONFIGS.map(([name, config]): DspPipelineResult => {
    const blocksPerS = run(second, config);
    return {
      name,
      blocksPerS: Math.round(blocksPerS),
      windowsPerS: Math.round(blocksPerS / BLOCKS_PER_S),
      realtimeChannels: Math.floor(blocksPerS / BLOCKS_PER_S),
      ofBaseline: Number((blocksPerS / baseline).toFixed(3)),
    };
  });
  const fftMsPerWindow = Number(fftPerWindowMs(second).toFixed(3));
  return { channels: CHANNELS, stretches: STRETCHES, baselineBlocksPerS: Math.round(baseline), fftMsPerWindow, pipelines, loadAverage };
}

export function formatDsp(r: DspBenchResult): string {
  const k = (x: number) => `${(x / 1000).toFixed(1)} k`;
  return [
    `dsp: ${r.channels} channels of 1024-sample blocks at 25.6 kHz (a pump accelerometer), round-robin, best of ${r.stretches} timed stretches each, one core, on ${machineLine()}, load average ${r.loadAverage}`,
    `  per-block rms/peak/crest, the gateway before pipelines (baseline)   ${k(r.baselineBlocksPerS)} blocks/s`,
    ...r.pipelines.map(
      (p) => `  ${p.name}\n      ${k(p.blocksPerS)} blocks/s, ${p.windowsPerS} windows/s, ${p.realtimeChannels} channels in real time, ×${p.ofBaseline} of baseline (×${(1 / p.ofBaseline).toFixed(0)} its cost per block)`,
    ),
    `  of a default window's cost, its 32 k-point real FFT alone: ${r.fftMsPerWindow} ms (${((r.fftMsPerWindow * 1000) / BLOCKS_PER_S).toFixed(1)} µs a block; ` +
      `${((r.fftMsPerWindow / (1000 / r.pipelines[0]!.windowsPerS)) * 100).toFixed(0)}% of it)`,
  ].join('\n');
}
