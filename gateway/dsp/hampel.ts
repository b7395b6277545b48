/** Scale from the median absolute deviation to σ for Gaussian data: σ ≈ 1.4826·MAD (1/Φ⁻¹(3/4)). */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Streaming Hampel filter over a sliding window of 2k + 1 samples: the centre sample is replaced by the window
 * median when |x − median| > n·1.4826·MAD. Causal, so its output lags its input by k samples; the first k outputs
 * repeat the first sample ever seen (the window is primed with it). A sorted copy of the window is updated per
 * sample (remove the oldest, insert the newest) and the MAD is read by merging the deviations on both sides of the
 * median, so a sample costs O(k), with no allocation.
 */
export class HampelFilter {
  readonly halfWidth: number;
  readonly threshold: number;
  readonly #history: Float64Array;
  readonly #sorted: Float64Array;
  #position = 0;
  #primed = false;
  #replaced = 0;

  constructor(halfWidth: number, threshold: number) {
    this.halfWidth = halfWidth;
    this.threshold = threshold;
    this.#history = new Float64Array(2 * halfWidth + 1);
    this.#sorted = new Float64Array(2 * halfWidth + 1);
  }

  /** Samples replaced since construction (or the last reset). */
  get replaced(): number {
    return this.#replaced;
  }

  /** Filters x[0 … n−1] in place (output delayed by k samples). */
  process(x: Float64Array, n: number): void {
    if (n === 0) return;
    const k = this.halfWidth;
    const size = 2 * k + 1;
    const history = this.#history;
    const sorted = this.#sorted;
    const limit = this.threshold * MAD_TO_SIGMA;
    const half = (k + 1) >> 1;
    if (!this.#primed) {
      history.fill(x[0]!);
      sorted.fill(x[0]!);
      this.#primed = true;
    }
    let position = this.#position;
    for (let i = 0; i < n; i++) {
      const incoming = x[i]!;
      const outgoing = history[position]!;
      history[position] = incoming;
      position = position + 1 === size ? 0 : position + 1;

      // Find the outgoing value (a linear scan beats a binary search on a handful of values), then slide the hole
      // to where the incoming value belongs.
      let j = 0;
      while (sorted[j] !== outgoing) j++;
      while (j < size - 1 && sorted[j + 1]! < incoming) {
        sorted[j] = sorted[j + 1]!;
        j++;
      }
      while (j > 0 && sorted[j - 1]! > incoming) {
        sorted[j] = sorted[j - 1]!;
        j--;
      }
      sorted[j] = incoming;

      let centreIndex = position + k;
      if (centreIndex >= size) centreIndex -= size;
      const centre = history[centreIndex]!;
      const median = sorted[k]!;
      const deviation = Math.abs(centre - median);
      // MAD is the k-th smallest of the 2k one-sided deviations, so at least ⌈k/2⌉ of them come from one side and
      // MAD ≥ min(sorted[k + c] − median, median − sorted[k − c]), c = ⌈k/2⌉: most samples pass on that bound alone.
      if (deviation <= limit * Math.min(sorted[k + half]! - median, median - sorted[k - half]!)) {
        x[i] = centre;
        continue;
      }
      // MAD = median of |w − median| over the window: 0 for the median itself, then the k-th smallest of the
      // deviations below (median − sorted[k − a]) and above (sorted[k + b] − median), each side already ascending.
      // k steps never exhaust a side of k values, so a, b ≤ k throughout.
      let a = 1;
      let b = 1;
      let mad = 0;
      for (let step = 0; step < k; step++) {
        const below = median - sorted[k - a]!;
        const above = sorted[k + b]! - median;
        if (below <= above) {
          mad = below;
          a++;
        } else {
          mad = above;
          b++;
        }
      }
      if (deviation > limit * mad) {
        x[i] = median;
        this.#replaced++;
      } else {
        x[i] = centre;
      }
    }
    this.#position = position;
  }

  reset(): void {
    this.#primed = false;
    this.#position = 0;
    this.#replaced = 0;
  }
}
