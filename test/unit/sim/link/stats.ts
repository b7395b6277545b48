// Reference statistics for the link tests, written independently of the model's own (Acklam) inversion.

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2), erfc by the Chebyshev fit of Numerical Recipes §6.2 (fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = -x / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(z));
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return 0.5 * (z >= 0 ? erfc : 2 - erfc);
}

/** Φ⁻¹(p) by bisection on normalCdf: slow and obviously right. */
export function normalQuantile(p: number): number {
  let lo = -12;
  let hi = 12;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Quantile of Pareto(x_m, α): x_m·(1 − p)^(−1/α). */
export function paretoQuantile(p: number, scale: number, shape: number): number {
  return scale * Math.pow(1 - p, -1 / shape);
}

/** Pairs (i < j) with values[i] > values[j], by merge sort in O(n log n). */
export function countInversions(values: readonly number[]): number {
  const a = [...values];
  const tmp = new Array<number>(a.length);
  let inversions = 0;
  for (let width = 1; width < a.length; width *= 2) {
    for (let lo = 0; lo < a.length; lo += 2 * width) {
      const mid = Math.min(lo + width, a.length);
      const hi = Math.min(lo + 2 * width, a.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (a[j]! < a[i]!) {
          inversions += mid - i;
          tmp[k++] = a[j++]!;
        } else tmp[k++] = a[i++]!;
      }
      while (i < mid) tmp[k++] = a[i++]!;
      while (j < hi) tmp[k++] = a[j++]!;
      for (let m = lo; m < hi; m++) a[m] = tmp[m]!;
    }
  }
  return inversions;
}

/** Lengths of the maximal runs of `true`. */
export function runLengths(flags: readonly boolean[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const flag of flags) {
    if (flag) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** |actual − expected| / expected. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}
