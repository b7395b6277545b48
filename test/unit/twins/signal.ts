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
 * Magnitude spectrum |X[k]| for k = 0 … N/2 by an iterative radix-2 FFT (N must be a power of two).
 * X[k] = Σ x[n]·e^(−2πikn/N); bin k is at k·rateHz/N.
 */
export function magnitudeSpectrum(signal: ArrayLike<number>): Float64Array {
  const n = signal.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length must be a power of two, got ${n}`);
  const re = Float64Array.from(signal);
  const im = new Float64Array(n);
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
    const angle = (-2 * Math.PI) / size;
    const half = size >> 1;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
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
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) out[k] = Math.hypot(re[k]!, im[k]!);
  return out;
}

/** Frequency (Hz) of the largest non-DC bin of the magnitude spectrum of `signal` sampled at `rateHz`. */
export function dominantFrequencyHz(signal: ArrayLike<number>, rateHz: number): number {
  const spectrum = magnitudeSpectrum(signal);
  let best = 1;
  for (let k = 2; k < spectrum.length; k++) if (spectrum[k]! > spectrum[best]!) best = k;
  return (best * rateHz) / signal.length;
}
