/** Time-domain statistics of a window, in its unit (crest, kurtosis and skewness are dimensionless). */
export interface WindowStats {
  mean: number;
  /** Standard deviation about the mean (population, 1/N). */
  std: number;
  /** Root mean square about zero, like `blockFeatures`: includes any DC offset. */
  rms: number;
  /** Largest |x|. */
  peak: number;
  crest: number;
  /** Pearson kurtosis m4/m2² (3 for Gaussian noise, 1.5 for a sine; not the excess). */
  kurtosis: number;
  /** m3/m2^(3/2): 0 for any symmetric signal. */
  skewness: number;
}

/**
 * Two passes over x[0 … n−1]: the mean first, then central moments, so a large offset (25 °C ± 0.01) does not
 * cancel the small variations that kurtosis and skewness measure. A constant window gives kurtosis and skewness 0.
 */
export function windowStats(x: ArrayLike<number>, n: number = x.length): WindowStats {
  if (n === 0) return { mean: 0, std: 0, rms: 0, peak: 0, crest: 0, kurtosis: 0, skewness: 0 };
  let sum = 0;
  let sumSquares = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    sum += v;
    sumSquares += v * v;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // RMS = √(Σx²/N); crest = peak/RMS; kurtosis = m4/m2²; skewness = m3/m2^1.5
  const rms = Math.sqrt(sumSquares / n);
  const flat = m2 <= Number.EPSILON * Number.EPSILON * Math.max(1, mean * mean);
  return {
    mean,
    std: Math.sqrt(m2),
    rms,
    peak,
    crest: rms > 0 ? peak / rms : 0,
    kurtosis: flat ? 0 : m4 / (m2 * m2),
    skewness: flat ? 0 : m3 / Math.pow(m2, 1.5),
  };
}
