import type { PcaParams } from './pca-model';

const f32 = Math.fround;

/**
 * The TypeScript reference of the exported ONNX graph, from the same float64 parameters:
 *   u = Where(log, Log(Max(x/g, f)), x);  z = (u − μ)/σ;  r = z − (z·W)·Wᵀ;  s = Σᵢ rᵢ².
 * Like the graph it takes float32 inputs, computes in float64 and rounds the score to float32 once, so ONNX
 * Runtime differs from it only by float64 summation order and log (~1e-16 relative): below the float32 rounding
 * of the result, wherever the window lies.
 */
export class ReferenceScorer {
  readonly featureNames: readonly string[];
  readonly d: number;
  readonly k: number;
  readonly #log: Uint8Array;
  readonly #logScale: Float64Array;
  readonly #logFloor: Float64Array;
  readonly #mean: Float64Array;
  readonly #std: Float64Array;
  /** W, row-major d×k. */
  readonly #w: Float64Array;
  readonly #z: Float64Array;
  readonly #t: Float64Array;

  constructor(params: PcaParams) {
    const { featureNames, transform, components } = params;
    this.featureNames = featureNames;
    this.d = featureNames.length;
    this.k = components[0]?.length ?? 0;
    this.#log = Uint8Array.from(transform.log, Number);
    this.#logScale = Float64Array.from(transform.logScale);
    this.#logFloor = Float64Array.from(transform.logFloor);
    this.#mean = Float64Array.from(transform.mean);
    this.#std = Float64Array.from(transform.std);
    this.#w = Float64Array.from(components.flat());
    this.#z = new Float64Array(this.d);
    this.#t = new Float64Array(this.k);
  }

  /** The float32 score of one feature vector (ordered as featureNames; each value is taken as float32, as the graph's input is). */
  score(x: ArrayLike<number>, offset = 0): number {
    const { d, k } = this;
    const z = this.#z;
    const t = this.#t;
    const w = this.#w;
    for (let i = 0; i < d; i++) {
      let u = f32(x[offset + i]!);
      if (this.#log[i]) u = Math.log(Math.max(u / this.#logScale[i]!, this.#logFloor[i]!));
      z[i] = (u - this.#mean[i]!) / this.#std[i]!;
    }
    // t = z·W (MatMul [1,d]×[d,k])
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += z[i]! * w[i * k + j]!;
      t[j] = sum;
    }
    // ẑ = t·Wᵀ, r = z − ẑ, s = Σ r² (MatMul, Sub, Mul, ReduceSum), then Cast to float32
    let s = 0;
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += t[j]! * w[i * k + j]!;
      const r = z[i]! - sum;
      s += r * r;
    }
    return f32(s);
  }

  /** Scores n vectors packed row-major in `flat` (n·d values). */
  scoreBatch(flat: ArrayLike<number>, n = flat.length / this.d): Float32Array {
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) out[r] = this.score(flat, r * this.d);
    return out;
  }

  /** Scores one vector per row. */
  scoreRows(rows: readonly ArrayLike<number>[]): Float32Array {
    return Float32Array.from(rows, (row) => this.score(row));
  }
}
