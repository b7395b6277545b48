import { percentileRank } from '../percentile';
/** Values below this land in the zero bucket, ms (1 µs). */
const RESOLUTION_MS = 0.001;
/** Linear sub-buckets per power of two: a bucket spans 1/128 of its octave, so its midpoint is within 0.4% of any value in it. */
const SUB_BUCKETS = 128;
/** Octaves above the resolution: 2^42 µs ≈ 51 days; larger values share the last bucket (max stays exact). */
const OCTAVES = 42;
const BUCKETS = 1 + OCTAVES * SUB_BUCKETS;

/** A percentile summary of a histogram, ms. Empty histograms give NaN. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Log-linear histogram of delays (HDR-style: 128 linear sub-buckets per power of two from 1 µs), fixed memory
 * (43 KB), O(1) record. Percentiles are accurate to 0.4% of the value; count, sum, min and max are exact.
 */
export class LatencyHistogram {
  #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sumMs = 0;
  #minMs = Infinity;
  #maxMs = -Infinity;

  /** Records `count` occurrences of a delay of `valueMs` (≥ 0; negative values count as 0). */
  record(valueMs: number, count = 1): void {
    const v = valueMs > 0 ? valueMs : 0;
    this.#counts[bucketOf(v)]! += count;
    this.#count += count;
    this.#sumMs += v * count;
    if (v < this.#minMs) this.#minMs = v;
    if (v > this.#maxMs) this.#maxMs = v;
  }

  get count(): number {
    return this.#count;
  }

  get minMs(): number {
    return this.#count > 0 ? this.#minMs : NaN;
  }

  get maxMs(): number {
    return this.#count > 0 ? this.#maxMs : NaN;
  }

  get meanMs(): number {
    return this.#count > 0 ? this.#sumMs / this.#count : NaN;
  }

  /**
   * The p-th percentile (p in [0, 100], as k6's p(95)), ms: the smallest recorded value v with at least p% of
   * values ≤ v, to the bucket's resolution. p = 0 gives the exact minimum and p = 100 the exact maximum; NaN when empty.
   */
  percentile(p: number): number {
    const rank = percentileRank(p, this.#count);
    if (this.#count === 0) return NaN;
    if (p === 0) return this.#minMs;
    if (p === 100) return this.#maxMs;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return i === 0 ? this.#minMs : Math.min(Math.max(midpointOf(i), this.#minMs), this.#maxMs);
    }
    return this.#maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      minMs: this.minMs,
      meanMs: this.meanMs,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      maxMs: this.maxMs,
    };
  }

  /** The non-empty buckets in increasing order: each covers [fromMs, toMs). */
  *buckets(): IterableIterator<{ fromMs: number; toMs: number; count: number }> {
    for (let i = 0; i < BUCKETS; i++) {
      const count = this.#counts[i]!;
      if (count > 0) yield { fromMs: lowerOf(i), toMs: lowerOf(i + 1), count };
    }
  }

  /** An independent snapshot. */
  copy(): LatencyHistogram {
    const out = new LatencyHistogram();
    out.#counts.set(this.#counts);
    out.#count = this.#count;
    out.#sumMs = this.#sumMs;
    out.#minMs = this.#minMs;
    out.#maxMs = this.#maxMs;
    return out;
  }
}

function bucketOf(valueMs: number): number {
  const scaled = valueMs / RESOLUTION_MS;
  if (!(scaled >= 1)) return 0;
  let octave = Math.floor(Math.log2(scaled));
  // Math.log2 may round across an exact power of two; nudge the octave so that 2^octave ≤ scaled < 2^(octave+1).
  if (2 ** octave > scaled) octave--;
  else if (2 ** (octave + 1) <= scaled) octave++;
  if (octave >= OCTAVES) return BUCKETS - 1;
  const sub = Math.floor((scaled / 2 ** octave - 1) * SUB_BUCKETS);
  return 1 + octave * SUB_BUCKETS + sub;
}

/** Lower edge of bucket i, ms; bucket i covers [lowerOf(i), lowerOf(i + 1)). */
function lowerOf(i: number): number {
  if (i === 0) return 0;
  const octave = Math.floor((i - 1) / SUB_BUCKETS);
  const sub = (i - 1) % SUB_BUCKETS;
  return RESOLUTION_MS * 2 ** octave * (1 + sub / SUB_BUCKETS);
}

function midpointOf(i: number): number {
  return (lowerOf(i) + lowerOf(i + 1)) / 2;
}
