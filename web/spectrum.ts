// Spectra of a raw waveform for the machine panel: the amplitude spectrum and the envelope spectrum, the same way the
// gateway analyses a window (gateway/dsp/envelope.ts), on whole blocks the cloud stored. Platform-free.
import FFT from 'fft.js';

/** One single-sided spectrum: bins 0 … size/2 at `binHz` apart, amplitudes in the signal's unit. */
export interface Spectrum {
  /** Bin spacing fs/N, Hz. */
  binHz: number;
  /** Amplitude per bin k = 0 … N/2: a sine of amplitude A centred on bin k reads A there. */
  amplitude: Float64Array;
}

export interface SpectraOfSignal {
  /** FFT length N: the samples zero-padded to the next power of two (at least 4). */
  size: number;
  /** Mean removed before the analysis, in the signal's unit. */
  mean: number;
  spectrum: Spectrum;
  /** Envelope spectrum of the band-passed signal. */
  envelope: Spectrum & { bandHz: [number, number] };
}

/** Points of a spectrum reduced for a chart: the largest bin of each group, so a narrow line survives the reduction. */
export interface SpectrumPoints {
  hz: number[];
  amplitude: number[];
}

/**
 * The FFT length for `length` samples: the next power of two, at least 4 (fft.js needs a power of two). A block
 * whose length is not one is zero-padded, not trimmed: every sample counts, the bins only get finer (fs/N), and the
 * amplitude scale holds because it divides by Σw over the real samples.
 */
export function fftSize(length: number): number {
  let n = 4;
  while (n < length) n *= 2;
  return n;
}

/** The symmetric Hann window the gateway uses: w[n] = 0.5·(1 − cos(2πn/(L − 1))), with Σw. */
export function hann(length: number): { values: Float64Array; sum: number } {
  const values = new Float64Array(length);
  let sum = 0;
  for (let n = 0; n < length; n++) {
    // A window of one or two samples is all ends (all zero): those get the rectangle, as in the gateway.
    const w = length <= 2 ? 1 : 0.5 * (1 - Math.cos((2 * Math.PI * n) / (length - 1)));
    values[n] = w;
    sum += w;
  }
  return { values, sum };
}

/**
 * The single-sided amplitude spectrum and the envelope spectrum of `samples` at `rateHz`; the envelope is that of the
 * band `bandHz` (clipped to Nyquist), the band around the housing resonance that bearing impacts ring.
 *
 * Amplitude spectrum: X = FFT(w·(x − x̄)) and A[k] = 2·|X[k]|/Σw (k = 0 and N/2 once, not doubled).
 * Envelope: the analytic signal of the band, Z[k] = 2·X[k] on the band's positive bins and 0 elsewhere, z = IFFT(Z),
 * e = |z| (the Hilbert transform done in the frequency domain). Since the band-pass acted on the windowed signal,
 * e ≈ w·E for the true envelope E; its mean μ = Σe/Σw is taken out as μ·w, so E's mean does not leak into the low
 * bins, and the envelope spectrum is 2·|FFT(e − μ·w)|/Σw, E's sinusoidal amplitudes in the signal's unit.
 */
export function spectraOf(samples: ArrayLike<number>, rateHz: number, bandHz: readonly [number, number]): SpectraOfSignal {
  const length = samples.length;
  if (length < 2) throw new RangeError(`a spectrum needs at least 2 samples, got ${length}`);
  if (!(rateHz > 0 && Number.isFinite(rateHz))) throw new RangeError(`the sample rate must be a positive number of Hz, got ${rateHz}`);
  const n = fftSize(length);
  const binHz = rateHz / n;
  const half = n / 2;
  const [loHz, hiHz] = bandHz;
  const first = Math.max(1, Math.ceil(loHz / binHz));
  const last = Math.min(half - 1, Math.floor(hiHz / binHz));
  if (last < first) throw new RangeError(`the envelope band [${loHz}, ${hiHz}] Hz holds no bin at ${rateHz} Hz with ${length} samples (bins ${binHz.toFixed(3)} Hz apart, Nyquist ${rateHz / 2} Hz)`);

  const fft = fftOf(n);
  const window = hann(length);
  let mean = 0;
  for (let i = 0; i < length; i++) mean += samples[i]!;
  mean /= length;
  const xw = new Float64Array(n);
  for (let i = 0; i < length; i++) xw[i] = window.values[i]! * (samples[i]! - mean);
  const spectrum = new Float64Array(2 * n);
  fft.realTransform(spectrum, xw);
  const amplitude = singleSided(spectrum, half, window.sum);

  // Z[k] = 2·X[k] for the band's positive bins, 0 elsewhere: z = x_b + j·H{x_b}, the analytic signal of the band.
  const z = new Float64Array(2 * n);
  for (let k = first; k <= last; k++) {
    z[2 * k] = 2 * spectrum[2 * k]!;
    z[2 * k + 1] = 2 * spectrum[2 * k + 1]!;
  }
  const analytic = new Float64Array(2 * n);
  fft.inverseTransform(analytic, z); // fft.js divides by N
  const envelope = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.hypot(analytic[2 * i]!, analytic[2 * i + 1]!); // e[n] = |z[n]|
    envelope[i] = e;
    sum += e;
  }
  const mu = sum / window.sum; // μ = Σe/Σw, the envelope's mean under the window
  for (let i = 0; i < length; i++) envelope[i] = envelope[i]! - mu * window.values[i]!;
  const envelopeSpectrum = new Float64Array(2 * n);
  fft.realTransform(envelopeSpectrum, envelope);
  return {
    size: n,
    mean,
    spectrum: { binHz, amplitude },
    envelope: { binHz, amplitude: singleSided(envelopeSpectrum, half, window.sum), bandHz: [first * binHz, last * binHz] },
  };
}

/** A[k] = 2·|X[k]|/Σw for 0 < k < N/2; DC and Nyquist have no mirror image, so A = |X[k]|/Σw there. */
function singleSided(interleaved: Float64Array, half: number, windowSum: number): Float64Array {
  const amplitude = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    const magnitude = Math.hypot(interleaved[2 * k]!, interleaved[2 * k + 1]!);
    amplitude[k] = ((k === 0 || k === half ? 1 : 2) * magnitude) / windowSum;
  }
  return amplitude;
}

/**
 * At most `maxPoints` points of `spectrum` within [fromHz, toHz]: bins grouped evenly (`scale: 'linear'`) or on a
 * geometric grid (`'log'`, for a log-frequency axis: low bins stay single, high ones group), each group shown by
 * its largest bin at that bin's frequency. A log grid starts above 0 Hz, at the first bin at least.
 */
export function reduceSpectrum(spectrum: Spectrum, options: { fromHz?: number; toHz?: number; maxPoints: number; scale?: 'linear' | 'log' }): SpectrumPoints {
  const { binHz, amplitude } = spectrum;
  const top = amplitude.length - 1;
  const log = options.scale === 'log';
  const firstBin = Math.max(log ? 1 : 0, Math.ceil((options.fromHz ?? 0) / binHz));
  const lastBin = Math.min(top, Math.floor((options.toHz ?? Infinity) / binHz));
  const out: SpectrumPoints = { hz: [], amplitude: [] };
  if (lastBin < firstBin || options.maxPoints < 1) return out;
  const count = lastBin - firstBin + 1;
  // Which group bin k falls in: equal runs of bins, or equal ratios of frequency.
  const groupOf = log
    ? (k: number) => Math.min(options.maxPoints - 1, Math.floor((Math.log(k / firstBin) / Math.log((lastBin + 1) / firstBin)) * options.maxPoints))
    : (k: number) => Math.floor(((k - firstBin) * Math.min(options.maxPoints, count)) / count);
  let group = -1;
  for (let k = firstBin; k <= lastBin; k++) {
    const g = groupOf(k);
    const a = amplitude[k]!;
    if (g !== group) {
      group = g;
      out.hz.push(k * binHz);
      out.amplitude.push(a);
    } else if (a > out.amplitude[out.amplitude.length - 1]!) {
      out.hz[out.hz.length - 1] = k * binHz;
      out.amplitude[out.amplitude.length - 1] = a;
    }
  }
  return out;
}

/** The largest amplitude and its frequency within [fromHz, toHz]. */
export function peakOf(spectrum: Spectrum, fromHz: number, toHz: number): { hz: number; amplitude: number } {
  let best = { hz: 0, amplitude: -Infinity };
  const top = spectrum.amplitude.length - 1;
  for (let k = Math.max(0, Math.ceil(fromHz / spectrum.binHz)); k <= Math.min(top, Math.floor(toHz / spectrum.binHz)); k++) {
    if (spectrum.amplitude[k]! > best.amplitude) best = { hz: k * spectrum.binHz, amplitude: spectrum.amplitude[k]! };
  }
  return best;
}

interface RealFft {
  realTransform(out: Float64Array, data: Float64Array): void;
  inverseTransform(out: Float64Array, data: Float64Array): void;
}

/** Plans by size: a plan holds its twiddle and bit-reversal tables, and a panel asks for the same size every time. */
const plans = new Map<number, RealFft>();

function fftOf(size: number): RealFft {
  let plan = plans.get(size);
  if (!plan) {
    plan = new FFT(size) as RealFft;
    plans.set(size, plan);
    // A handful of sizes at most in practice; forget the oldest past that.
    if (plans.size > 8) plans.delete(plans.keys().next().value!);
  }
  return plan;
}
