// Sample statistics for the sensor tests.

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation: √(Σ(x − x̄)²/(N − 1)). */
export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/** Root mean square: √(Σx²/N). */
export function rms(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / values.length);
}

/** Autocorrelation at `lag` samples: ρ(h) = Σ(x[i] − x̄)(x[i+h] − x̄)/Σ(x[i] − x̄)². */
export function autocorrelation(values: ArrayLike<number>, lag: number): number {
  const m = mean(values);
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - m;
    den += d * d;
    if (i + lag < values.length) num += d * (values[i + lag]! - m);
  }
  return num / den;
}

/** a − b, element by element. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i]! - b[i]!);
}
