/**
 * Features of a one-sided power spectrum P[k] = |X[k]|², k = 0 … N/2, of a window w (length L) zero-padded to N
 * points at fs Hz: bin k sits at k·fs/N Hz.
 */
export interface PowerSpectrum {
  readonly power: Float64Array;
  /** FFT size N (a power of two ≥ L). */
  readonly size: number;
  readonly sampleRateHz: number;
  /** Σw over the L window samples. */
  readonly windowSum: number;
  /** Σw² over the L window samples. */
  readonly windowSumSquares: number;
}

/**
 * Mean-square energy (unit²) of the bins in [loHz, hiHz), clipped to Nyquist; a band wholly above Nyquist gives 0.
 * Parseval for a windowed, zero-padded DFT: Σ|X[k]|² = N·Σ(x·w)², so MS = 2·Σ_band P[k] / (N·Σw²) (DC and
 * Nyquist counted once): a tone of amplitude A gives A²/2.
 */
export function bandEnergy(s: PowerSpectrum, loHz: number, hiHz: number): number {
  const half = s.size >>> 1;
  const binHz = s.sampleRateHz / s.size;
  const first = Math.max(0, Math.ceil(loHz / binHz));
  const last = Math.min(half, Math.ceil(hiHz / binHz) - 1);
  let sum = 0;
  for (let k = first; k <= last; k++) sum += k === 0 || k === half ? s.power[k]! : 2 * s.power[k]!;
  return sum / (s.size * s.windowSumSquares);
}

/** One spectral line, its frequency and amplitude refined between bins. */
export interface SpectralPeak {
  hz: number;
  /** Amplitude A of the sinusoid, in the signal's unit. */
  amplitude: number;
}

/**
 * The bin maximum refined by a parabola through the log-magnitudes of the bin and its neighbours (Gaussian
 * interpolation): δ = ½(α − γ)/(α − 2β + γ), ln peak = β − ¼(α − γ)·δ; amplitude = 2·|X|/Σw.
 */
export function refinePeak(s: PowerSpectrum, k: number): SpectralPeak {
  const binHz = s.sampleRateHz / s.size;
  const half = s.size >>> 1;
  const tiny = 1e-300;
  const beta = 0.5 * Math.log(s.power[k]! + tiny);
  if (k <= 0 || k >= half) return { hz: k * binHz, amplitude: (2 * Math.exp(beta)) / s.windowSum };
  const alpha = 0.5 * Math.log(s.power[k - 1]! + tiny);
  const gamma = 0.5 * Math.log(s.power[k + 1]! + tiny);
  const denominator = alpha - 2 * beta + gamma;
  const delta = denominator < 0 ? (0.5 * (alpha - gamma)) / denominator : 0;
  const logPeak = beta - 0.25 * (alpha - gamma) * delta;
  return { hz: (k + delta) * binHz, amplitude: (2 * Math.exp(logPeak)) / s.windowSum };
}

/**
 * The `count` largest local maxima of P in bins 1 … N/2 − 1, largest first, each refined by `refinePeak`. Fewer
 * when the spectrum has fewer maxima. One pass, keeping the best bins in a small sorted array.
 */
export function topPeaks(s: PowerSpectrum, count: number, fromHz = 0, toHz = Infinity): SpectralPeak[] {
  if (count <= 0) return [];
  const binHz = s.sampleRateHz / s.size;
  const half = s.size >>> 1;
  const first = Math.max(1, Math.ceil(fromHz / binHz));
  const last = Math.min(half - 1, Math.floor(toHz / binHz));
  const bins: number[] = [];
  const p = s.power;
  let floor = -1;
  for (let k = first; k <= last; k++) {
    const v = p[k]!;
    if (v <= floor || !(v > p[k - 1]! && v >= p[k + 1]!)) continue;
    let at = bins.length;
    while (at > 0 && p[bins[at - 1]!]! < v) at--;
    bins.splice(at, 0, k);
    if (bins.length > count) bins.pop();
    if (bins.length === count) floor = p[bins[count - 1]!]!;
  }
  return bins.map((k) => refinePeak(s, k));
}
