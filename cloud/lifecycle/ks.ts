import { DriftError } from './errors';

/** Two-sample Kolmogorov–Smirnov: the largest gap between the two empirical CDFs, and how likely a gap that large is by chance. */
export interface KsResult {
  /** D = supₓ |Fₐ(x) − F_b(x)|, 0–1. */
  d: number;
  /** Asymptotic p-value of D under "same distribution" (Stephens' small-sample correction), 0–1. */
  pValue: number;
}

/** Two-sample KS statistic of the finite values of `a` and `b`. */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = finiteSorted(a);
  const y = finiteSorted(b);
  if (x.length === 0 || y.length === 0) {
    throw new DriftError('E_DRIFT_INPUT', `the KS test needs values on both sides, got ${x.length} and ${y.length} finite values`);
  }
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  // Step both ECDFs past every copy of the next value, so tied values move them together.
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i]! <= v) i++;
    while (j < m && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d; // λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n+m) (Stephens 1970)
  return { d, pValue: kolmogorovQ(lambda) };
}

/**
 * Tail of the Kolmogorov distribution, Q(λ) = P(K > λ). Two series that each converge in a few terms on their side
 * of λ = 1.18: Q = 1 − (√(2π)/λ)·Σ exp(−(2j−1)²π²/(8λ²)) below, Q = 2·Σ (−1)^(j−1)·exp(−2j²λ²) above.
 */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda > 0)) return 1;
  let sum = 0;
  if (lambda < 1.18) {
    const k = (Math.PI * Math.PI) / (8 * lambda * lambda);
    for (let j = 1; j <= 6; j++) sum += Math.exp(-(2 * j - 1) * (2 * j - 1) * k);
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * sum);
  }
  for (let j = 1; j <= 6; j++) sum += (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
  return clamp01(2 * sum);
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out.push(values[i]!);
  return Float64Array.from(out).sort();
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
