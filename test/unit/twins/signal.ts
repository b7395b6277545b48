// Signal measurements for twin tests: computed from first principles, independent of the code under test.

/** Root mean square: √(Σx²/N). */
export function rms(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / values.length);
}

/** Sample standard deviation: √(Σ(x − x̄)²/(N − 1)). */
export function sampleStd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - mean) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/** Concatenates blocks into one array. */
export function concat(blocks: readonly Float32Array[]): Float64Array {
  const out = new Float64Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

/**
 * In-place iterative radix-2 FFT of (re, im); length a power of two.
 * Forward X[k] = Σ x[n]·e^(−2πikn/N); inverse uses e^(+2πikn/N) and divides by N.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length must be a power of two, got ${n}`);
  // Bit-reversal permutation, then Cooley–Tukey butterflies.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / size;
    const half = size >> 1;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(angle * k);
      const wi = Math.sin(angle * k);
      for (let start = 0; start < n; start += size) {
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i]! /= n;
      im[i]! /= n;
    }
  }
}

/** Magnitude spectrum |X[k]| for k = 0 … N/2 (N a power of two); bin k is at k·rateHz/N. */
export function magnitudeSpectrum(signal: ArrayLike<number>): Float64Array {
  const re = Float64Array.from(signal);
  const im = new Float64Array(re.length);
  fft(re, im);
  const out = new Float64Array(re.length / 2 + 1);
  for (let k = 0; k < out.length; k++) out[k] = Math.hypot(re[k]!, im[k]!);
  return out;
}

/**
 * Envelope of `signal` band-passed to [lowHz, highHz]: the magnitude of the analytic signal (Hilbert transform,
 * built in the frequency domain by keeping only the positive frequencies in the band, doubled). This is what a
 * vibration analyst's envelope (demodulation) analysis computes before the envelope spectrum.
 */
export function bandEnvelope(signal: ArrayLike<number>, rateHz: number, lowHz: number, highHz: number): Float64Array {
  const n = signal.length;
  const re = Float64Array.from(signal);
  const im = new Float64Array(n);
  fft(re, im);
  for (let k = 0; k < n; k++) {
    const hz = (k * rateHz) / n;
    const keep = k > 0 && k < n / 2 && hz >= lowHz && hz <= highHz;
    re[k] = keep ? 2 * re[k]! : 0;
    im[k] = keep ? 2 * im[k]! : 0;
  }
  fft(re, im, true);
  const envelope = new Float64Array(n);
  for (let i = 0; i < n; i++) envelope[i] = Math.hypot(re[i]!, im[i]!);
  return envelope;
}

/** Envelope spectrum: magnitude spectrum of the mean-removed band envelope. */
export function envelopeSpectrum(signal: ArrayLike<number>, rateHz: number, lowHz: number, highHz: number): Float64Array {
  const envelope = bandEnvelope(signal, rateHz, lowHz, highHz);
  let mean = 0;
  for (const x of envelope) mean += x;
  mean /= envelope.length;
  for (let i = 0; i < envelope.length; i++) envelope[i]! -= mean;
  return magnitudeSpectrum(envelope);
}

/** Frequency (Hz) of the largest bin of `spectrum` (from an N-point transform at `rateHz`) within [fromHz, toHz]. */
export function peakHz(spectrum: Float64Array, n: number, rateHz: number, fromHz: number, toHz: number): number {
  const k0 = Math.max(1, Math.ceil((fromHz * n) / rateHz));
  const k1 = Math.min(spectrum.length - 1, Math.floor((toHz * n) / rateHz));
  let best = k0;
  for (let k = k0; k <= k1; k++) if (spectrum[k]! > spectrum[best]!) best = k;
  return (best * rateHz) / n;
}

/** Value of `spectrum` at the bin nearest `hz` (max over ±`halfWidth` bins, for slip-spread peaks). */
export function spectrumAt(spectrum: Float64Array, n: number, rateHz: number, hz: number, halfWidth = 2): number {
  const k = Math.round((hz * n) / rateHz);
  let best = 0;
  for (let j = Math.max(1, k - halfWidth); j <= Math.min(spectrum.length - 1, k + halfWidth); j++) best = Math.max(best, spectrum[j]!);
  return best;
}

/** Excess kurtosis + 3 (Pearson's): E[(x − μ)⁴]/σ⁴; 3 for a Gaussian, 1.5 for a sine, ≫ 3 for impacts. */
export function kurtosis(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= values.length;
  m4 /= values.length;
  return m4 / (m2 * m2);
}

/** Crest factor: peak |x| over RMS. */
export function crestFactor(values: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < values.length; i++) peak = Math.max(peak, Math.abs(values[i]!));
  return peak / rms(values);
}

/** Energy (Σ|X[k]|²/N², i.e. mean-square contribution ×½ per side) of `signal` between lowHz and highHz. */
export function bandEnergy(signal: ArrayLike<number>, rateHz: number, lowHz: number, highHz: number): number {
  const spectrum = magnitudeSpectrum(signal);
  const n = signal.length;
  let energy = 0;
  for (let k = 1; k < spectrum.length; k++) {
    const hz = (k * rateHz) / n;
    if (hz >= lowHz && hz <= highHz) energy += (2 * spectrum[k]! ** 2) / (n * n);
  }
  return energy;
}

/** Frequency (Hz) of the largest non-DC bin of the magnitude spectrum of `signal` sampled at `rateHz`. */
export function dominantFrequencyHz(signal: ArrayLike<number>, rateHz: number): number {
  const spectrum = magnitudeSpectrum(signal);
  let best = 1;
  for (let k = 2; k < spectrum.length; k++) if (spectrum[k]! > spectrum[best]!) best = k;
  return (best * rateHz) / signal.length;
}

/**
 * Amplitude of the sinusoid at exactly `hz`: a Hann-windowed DFT at that frequency, A = 2·|Σ x[n]·w[n]·e^(−iωn)|/Σw.
 * Unlike a bin of the FFT it has no scalloping loss when the tone falls between bins.
 */
export function toneAmplitude(signal: ArrayLike<number>, rateHz: number, hz: number): number {
  const n = signal.length;
  const omega = (2 * Math.PI * hz) / rateHz;
  let re = 0;
  let im = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    re += signal[i]! * w * Math.cos(omega * i);
    im -= signal[i]! * w * Math.sin(omega * i);
    windowSum += w;
  }
  return (2 * Math.hypot(re, im)) / windowSum;
}
