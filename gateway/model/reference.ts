import type { PcaParams } from './pca-model';

const f32 = Math.fround;

/**
 * The TypeScript reference of the exported ONNX graph, from the same float32 parameters:
 *   u = Where(log, Log(Max(x/g, f)), x);  z = (u − μ)/σ;  r = z − (z·W)·Wᵀ;  s = Σᵢ rᵢ².
 * Every operator's output is rounded to float32, as in the graph; inside an operator (the dot products, the
 * final sum) it accumulates in float64, so it is the correctly rounded float32 evaluation of the graph and
 * ONNX Runtime differs from it only by its own summation order (~ε·‖z‖²) and its log (±2 ulp near 0).
 * The element-wise Sub and Div are IEEE operations, so those stages match ONNX Runtime bit for bit.
 */
export class ReferenceScorer {
  readonly featureNames: readonly string[];
  readonly d: number;
  readonly k: number;
  readonly #log: Uint8Array;
  readonly #logScale: Float32Array;
  readonly #logFloor: Float32Array;
  readonly #mean: Float32Array;
  readonly #std: Float32Array;
  /** W, row-major d×k, float32 as exported. */
  readonly #w: Float32Array;
  readonly #z: Float64Array;
  readonly #t: Float64Array;

  constructor(params: PcaParams) {
    const { featureNames, transform, components } = params;
    this.featureNames = featureNames;
    this.d = featureNames.length;
    this.k = components[0]?.length ?? 0;
    this.#log = Uint8Array.from(transform.log, Number);
    this.#logScale = Float32Array.from(transform.logScale);
    this.#logFloor = Float32Array.from(transform.logFloor);
    this.#mean = Float32Array.from(transform.mean);
    this.#std = Float32Array.from(transform.std);
    this.#w = Float32Array.from(components.flat());
    this.#z = new Float64Array(this.d);
    this.#t = new Float64Array(this.k);
  }

  /** The float32 score of one feature vector (ordered as featureNames). */
  score(x: ArrayLike<number>, offset = 0): number {
    const { d, k } = this;
    const z = this.#z;
    const t = this.#t;
    const w = this.#w;
    for (let i = 0; i < d; i++) {
      let u = f32(x[offset + i]!);
      if (this.#log[i]) u = f32(Math.log(Math.max(f32(u / this.#logScale[i]!), this.#logFloor[i]!)));
      z[i] = f32(f32(u - this.#mean[i]!) / this.#std[i]!);
    }
    // t = z·W (MatMul [1,d]×[d,k])
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += z[i]! * w[i * k + j]!;
      t[j] = f32(sum);
    }
    // ẑ = t·Wᵀ, r = z − ẑ, s = Σ r² (MatMul, Sub, Mul, ReduceSum)
    let s = 0;
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += t[j]! * w[i * k + j]!;
      const r = f32(z[i]! - f32(sum));
      s += f32(r * r);
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
