import { ThermalError } from './thermal-error';

/**
 * The recent past of a state vector on a fixed time grid t_k = k·stepS, in a ring buffer, read back anywhere in
 * between by cubic Hermite interpolation. Each interval [t_k, t_k+1] stores the slopes at both of its ends, so a
 * state driven by inputs held over the interval interpolates with O(h⁴) error, and secant slopes give linear
 * interpolation. Several readers at different rates read the same numbers at the same instants.
 */
export class HermiteHistory {
  readonly stepS: number;
  readonly width: number;
  readonly #capacity: number;
  /** Per slot: width values at t_k, then width slopes at t_k⁺, then width slopes at t_(k+1)⁻ (per second). */
  readonly #rows: Float64Array;
  #newest = -1;

  /** Keeps at least `historyS` seconds of intervals behind the newest grid point. */
  constructor(width: number, stepS: number, historyS: number) {
    this.width = width;
    this.stepS = stepS;
    this.#capacity = Math.ceil(historyS / stepS) + 2;
    this.#rows = new Float64Array(this.#capacity * 3 * width);
  }

  /** Index of the newest grid point; −1 before `start`. */
  get newestIndex(): number {
    return this.#newest;
  }

  /** Stores the state at t_0. */
  start(values: ArrayLike<number>): void {
    this.#newest = 0;
    this.#rows.set(values, 0);
  }

  /** Appends the state at the next grid point, with the slopes of the interval that leads to it. */
  push(slopeStart: ArrayLike<number>, slopeEnd: ArrayLike<number>, next: ArrayLike<number>): void {
    const w = this.width;
    const base = (this.#newest % this.#capacity) * 3 * w;
    this.#rows.set(slopeStart, base + w);
    this.#rows.set(slopeEnd, base + 2 * w);
    this.#newest++;
    this.#rows.set(next, (this.#newest % this.#capacity) * 3 * w);
  }

  /** Component `j` of the state at `tS`; the interval that holds `tS` must be complete (newestIndex·stepS > tS). */
  at(j: number, tS: number): number {
    const u = tS / this.stepS;
    const k = Math.floor(u);
    if (k >= this.#newest) throw new RangeError(`interval ${k} is not computed yet (newest grid point ${this.#newest}); advance first`);
    if (k < 0 || k <= this.#newest - this.#capacity) {
      throw new ThermalError(
        'E_THERMAL_HISTORY',
        `asked for t = ${tS} s but the network keeps only t ≥ ${Math.max(0, this.#newest - this.#capacity + 1) * this.stepS} s; ` +
          'read all channels of one machine within historyS of each other, or raise historyS',
      );
    }
    const w = this.width;
    const a = (k % this.#capacity) * 3 * w;
    const b = ((k + 1) % this.#capacity) * 3 * w;
    const s = u - k;
    const s2 = s * s;
    const s3 = s2 * s;
    const rows = this.#rows;
    // p(s) = (2s³−3s²+1)·x0 + (s³−2s²+s)·h·m0 + (−2s³+3s²)·x1 + (s³−s²)·h·m1
    return (
      (2 * s3 - 3 * s2 + 1) * rows[a + j]! +
      (s3 - 2 * s2 + s) * this.stepS * rows[a + w + j]! +
      (3 * s2 - 2 * s3) * rows[b + j]! +
      (s3 - s2) * this.stepS * rows[a + 2 * w + j]!
    );
  }
}
