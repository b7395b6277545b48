import { bearingOrders, type BearingOrders } from '../../protocol';
import { EnvelopeSpectrum } from './envelope';
import { nextPowerOfTwo, RealFft } from './fft';
import type { FeaturesConfig, StatName } from './pipeline-config';
import { bandEnergy, topPeaks, type PowerSpectrum } from './spectrum-features';
import { windowStats } from './stats';
import { WindowCache, type WindowFunction } from './window-functions';

/** Scratch for one FFT size, shared by every analyzer: analysis is synchronous, so no two windows use it at once. */
class SpectralWorkspace {
  readonly size: number;
  readonly padded: Float64Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly power: Float64Array;
  readonly fft: RealFft;
  #envelope: EnvelopeSpectrum | undefined;

  constructor(size: number) {
    this.size = size;
    this.padded = new Float64Array(size);
    this.re = new Float64Array(size / 2 + 1);
    this.im = new Float64Array(size / 2 + 1);
    this.power = new Float64Array(size / 2 + 1);
    this.fft = new RealFft(size);
  }

  get envelope(): EnvelopeSpectrum {
    this.#envelope ??= new EnvelopeSpectrum(this.size);
    return this.#envelope;
  }

  static readonly #bySize = new Map<number, SpectralWorkspace>();

  static of(size: number): SpectralWorkspace {
    let workspace = SpectralWorkspace.#bySize.get(size);
    if (!workspace) {
      workspace = new SpectralWorkspace(size);
      SpectralWorkspace.#bySize.set(size, workspace);
    }
    return workspace;
  }
}

let gatherBuffer = new Float64Array(0);
/** Window tables are immutable, so every analyzer shares them: one 1 s Hann table for all channels. */
const windowTables = new WindowCache(8);

/** Feature name of a band: [10, 1000] → `band10_1000Hz`. */
export function bandFeatureName(loHz: number, hiHz: number): string {
  return `band${loHz}_${hiHz}Hz`;
}

/**
 * Computes one window's features. Time-domain stats use the samples as they are; spectral features use the samples
 * times the window function, zero-padded to the next power of two N ≥ L (bins fs/N apart; a 1 s window of 25,600
 * samples becomes a 32,768-point FFT, 0.78 Hz bins). Keys:
 * - stats: `rms`, `peak`, `crest` always, plus the configured ones (`mean`, `std`, `kurtosis`, `skewness`);
 * - `band<lo>_<hi>Hz`: mean-square energy in [lo, hi), unit²;
 * - `peak<i>Hz`, `peak<i>Amp`, i = 1 … n: the n largest local maxima of the spectrum, largest first, frequency and
 *   sinusoid amplitude (unit) refined between bins (0 when there are fewer);
 * - `shaftHz` (configured, or the largest line in shaftSearchHz), then `envBpfo`, `envBpfi`, `envBsf` (at 2·BSF) and
 *   `envFtf`: envelope-spectrum amplitudes (unit, see EnvelopeSpectrum), the largest within ±2 bins of each defect
 *   frequency.
 */
export class WindowAnalyzer {
  readonly #config: FeaturesConfig;
  readonly #windowFunction: WindowFunction;
  readonly #stats: readonly StatName[];
  readonly #bandNames: string[];
  readonly #orders: BearingOrders | undefined;
  readonly #spectral: boolean;

  constructor(config: FeaturesConfig, windowFunction: WindowFunction) {
    this.#config = config;
    this.#windowFunction = windowFunction;
    this.#stats = config.stats.filter((s) => s !== 'rms' && s !== 'peak' && s !== 'crest');
    this.#bandNames = config.bandsHz.map(([lo, hi]) => bandFeatureName(lo, hi));
    this.#orders = config.envelope ? bearingOrders(config.envelope.bearing) : undefined;
    this.#spectral = config.bandsHz.length > 0 || config.peaks > 0 || config.envelope !== undefined;
  }

  /**
   * A buffer of at least `length` samples to gather a window into, shared by every analyzer (200 channels need one
   * 1 s buffer, not 200): valid until the next `buffer` call, so gather and `analyze` without yielding in between.
   */
  buffer(length: number): Float64Array {
    if (gatherBuffer.length < length) gatherBuffer = new Float64Array(nextPowerOfTwo(length));
    return gatherBuffer;
  }

  /** Features of x[0 … length−1] sampled at `sampleRateHz`; `extra` stats are added (e.g. the deadband's). */
  analyze(x: Float64Array, length: number, sampleRateHz: number, extra?: StatName): { rms: number; peak: number; crest: number } & Record<string, number> {
    const stats = windowStats(x, length);
    const features: { rms: number; peak: number; crest: number } & Record<string, number> = { rms: stats.rms, peak: stats.peak, crest: stats.crest };
    for (const name of this.#stats) features[name] = stats[name];
    if (extra !== undefined) features[extra] = stats[extra];
    if (!this.#spectral || length < 2) {
      this.#zeroSpectral(features);
      return features;
    }

    const n = Math.max(2, nextPowerOfTwo(length));
    const ws = SpectralWorkspace.of(n);
    const window = windowTables.get(this.#windowFunction, length);
    const w = window.values;
    const padded = ws.padded;
    for (let i = 0; i < length; i++) padded[i] = x[i]! * w[i]!;
    padded.fill(0, length, n);
    ws.fft.transform(padded, ws.re, ws.im);
    const half = n / 2;
    for (let k = 0; k <= half; k++) ws.power[k] = ws.re[k]! * ws.re[k]! + ws.im[k]! * ws.im[k]!;
    const spectrum: PowerSpectrum = { power: ws.power, size: n, sampleRateHz, windowSum: window.sum, windowSumSquares: window.sumSquares };

    this.#config.bandsHz.forEach(([lo, hi], i) => {
      features[this.#bandNames[i]!] = bandEnergy(spectrum, lo, hi);
    });
    if (this.#config.peaks > 0) {
      const peaks = topPeaks(spectrum, this.#config.peaks);
      for (let i = 0; i < this.#config.peaks; i++) {
        features[`peak${i + 1}Hz`] = peaks[i]?.hz ?? 0;
        features[`peak${i + 1}Amp`] = peaks[i]?.amplitude ?? 0;
      }
    }
    const envelope = this.#config.envelope;
    if (envelope && this.#orders) {
      const [searchLo, searchHi] = envelope.shaftSearchHz;
      const shaftHz = envelope.shaftRpm !== undefined ? envelope.shaftRpm / 60 : (topPeaks(spectrum, 1, searchLo, searchHi)[0]?.hz ?? 0);
      const env = ws.envelope;
      env.compute(ws.re, ws.im, n, sampleRateHz, envelope.bandHz[0], envelope.bandHz[1], w, length);
      features.shaftHz = shaftHz;
      features.envBpfo = env.amplitudeAt(this.#orders.bpfo * shaftHz);
      features.envBpfi = env.amplitudeAt(this.#orders.bpfi * shaftHz);
      features.envBsf = env.amplitudeAt(2 * this.#orders.bsf * shaftHz);
      features.envFtf = env.amplitudeAt(this.#orders.ftf * shaftHz);
    }
    return features;
  }

  /** Spectral keys stay present (as 0) on windows too short for a spectrum, so every record has the same keys. */
  #zeroSpectral(features: Record<string, number>): void {
    for (const name of this.#bandNames) features[name] = 0;
    for (let i = 0; i < this.#config.peaks; i++) {
      features[`peak${i + 1}Hz`] = 0;
      features[`peak${i + 1}Amp`] = 0;
    }
    if (this.#config.envelope) {
      for (const name of ['shaftHz', 'envBpfo', 'envBpfi', 'envBsf', 'envFtf']) features[name] = 0;
    }
  }
}
