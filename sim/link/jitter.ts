import type { Jitter } from './link-impairment';

/**
 * The delay `jitter` adds for one uniform draw u in [0, 1), by inversion, ms. One draw per packet whatever the
 * distribution, so the draw budget per packet stays fixed (see LinkModel). Normal jitter may be negative; the
 * caller truncates the total delay at 0.
 */
export function jitterMs(jitter: Jitter, u: number): number {
  if (jitter.dist === 'normal') return jitter.sdMs === 0 ? 0 : jitter.sdMs * inverseNormalCdf(u);
  // Pareto by inversion: X = x_m·(1 − u)^(−1/α), and 1 − u ∈ (0, 1]; minus x_m so the least added delay is 0.
  return jitter.scaleMs * (Math.pow(1 - u, -1 / jitter.shape) - 1);
}

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.15e-9): central region |p − ½| ≤ ½ − P_LOW, tails beyond.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;
/** Keeps p inside (0, 1), where Φ⁻¹ is finite: ±8.2 σ at the extremes. */
const P_EDGE = 2 ** -53;

/** Φ⁻¹(p), the standard normal quantile, for p in [0, 1] (clamped to (0, 1)). */
export function inverseNormalCdf(p: number): number {
  const pc = Math.min(Math.max(p, P_EDGE), 1 - P_EDGE);
  if (pc < P_LOW) return tail(Math.sqrt(-2 * Math.log(pc)));
  if (pc > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - pc)));
  const q = pc - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

function tail(q: number): number {
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}
