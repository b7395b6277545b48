import type { Measurand } from '../channel';
import { MotionError } from './motion-error';

/** Advances a simulation by one physics step, from t_(k−1) to t_k = k/stepHz, and writes what it measured over that step to `row`. */
export type StepFunction = (k: number, row: Float64Array) => void;

/** Sample instants closer than this to a step boundary (in steps, relative) count as on it. */
const GRID_SNAP = 1e-9;

/**
 * Steps a simulation on demand on the fixed grid t_k = k/stepHz and keeps the recent per-step outputs in a ring,
 * so that several measurands reading the same block cost one simulation. Row k holds the value over step k,
 * (t_(k−1), t_k] (for a finite difference of velocity, the mean acceleration over the step); an extra row holds
 * the state before the run, for t ≤ 0.
 *
 * A sample at t reports the mean of that piecewise-constant signal over the sample period (t − 1/rateHz, t]: the
 * exact integral of the steps it spans, weighted by overlap. When the rate divides the step rate that is the mean
 * of whole steps; otherwise the steps at both ends count in part. It is what an IMU's decimation filter or an
 * encoder's pulse count does, and it keeps every impulse: a one-step impact is seen at any sample rate.
 */
export class StepRecorder {
  readonly stepHz: number;
  readonly width: number;
  readonly #step: StepFunction;
  readonly #initial: Float64Array;
  readonly #retainSteps: number;
  #rows: Float64Array;
  #capacity: number;
  /** Index k of the newest computed step; 0 before the first. */
  #newest = 0;
  #disposed = false;

  /**
   * @param initial the outputs before the run (t ≤ 0), `width` values
   * @param historyS how far behind the newest step readers may still ask, s
   */
  constructor(options: { stepHz: number; initial: ArrayLike<number>; historyS: number; step: StepFunction }) {
    this.stepHz = options.stepHz;
    this.width = options.initial.length;
    this.#initial = Float64Array.from(options.initial);
    this.#step = options.step;
    this.#retainSteps = Math.ceil(options.historyS * options.stepHz) + 1;
    this.#capacity = this.#retainSteps;
    this.#rows = new Float64Array(this.#capacity * this.width);
  }

  /** Index of the newest computed step. */
  get newestStep(): number {
    return this.#newest;
  }

  /** Stops all reads; the owner frees the simulation. */
  dispose(): void {
    this.#disposed = true;
  }

  /** A measurand reading column `column` of the rows, in `unit`. */
  measurand(column: number, unit: string): Measurand {
    if (!Number.isInteger(column) || column < 0 || column >= this.width) throw new RangeError(`column ${column} is not in 0…${this.width - 1}`);
    return { unit, fill: (out, startS, rateHz) => this.fill(column, out, startS, rateHz) };
  }

  /** Fills out[i] with the mean of column `column` over (t − 1/rateHz, t], t = startS + i/rateHz. */
  fill(column: number, out: Float64Array, startS: number, rateHz: number): void {
    if (this.#disposed) throw new MotionError('E_MOTION_DISPOSED', 'this motion twin was disposed; build a new one to read it');
    if (!(rateHz > 0 && Number.isFinite(rateHz)) || !Number.isFinite(startS)) {
      throw new RangeError(`fill needs a finite startS and a positive rateHz, got startS = ${startS}, rateHz = ${rateHz}`);
    }
    const n = out.length;
    if (n === 0) return;
    const perSample = this.stepHz / rateHz;
    const firstFrom = snap(startS * this.stepHz - perSample);
    const lastTo = snap((startS + (n - 1) / rateHz) * this.stepHz);
    const oldest = Math.max(1, Math.floor(firstFrom) + 1);
    const newest = Math.ceil(lastTo);
    this.#checkRetained(oldest, startS);
    this.#reserve(newest - oldest + 1);
    this.#advanceTo(newest);

    const rows = this.#rows;
    const width = this.width;
    const capacity = this.#capacity;
    const before = this.#initial[column]!;
    for (let i = 0; i < n; i++) {
      const to = snap((startS + i / rateHz) * this.stepHz);
      const from = snap(to - perSample);
      let sum = 0;
      for (let k = Math.floor(from) + 1, last = Math.ceil(to); k <= last; k++) {
        const overlap = Math.min(to, k) - Math.max(from, k - 1);
        if (overlap > 0) sum += overlap * (k <= 0 ? before : rows[(k % capacity) * width + column]!);
      }
      out[i] = sum / (to - from);
    }
  }

  #advanceTo(step: number): void {
    const width = this.width;
    while (this.#newest < step) {
      const k = this.#newest + 1;
      this.#step(k, this.#rows.subarray((k % this.#capacity) * width, (k % this.#capacity) * width + width));
      this.#newest = k;
    }
  }

  #checkRetained(oldest: number, startS: number): void {
    const kept = this.#newest - this.#capacity + 1;
    if (oldest < kept) {
      throw new MotionError(
        'E_MOTION_HISTORY',
        `asked for a block from t = ${startS} s but this twin keeps only t > ${(kept - 1) / this.stepHz} s; ` +
          'read all channels of one twin within historyS of each other, or raise historyS',
      );
    }
  }

  /** Grows the ring so a read spanning `span` steps fits with the history behind it. */
  #reserve(span: number): void {
    const needed = span + this.#retainSteps;
    if (needed <= this.#capacity) return;
    const width = this.width;
    const grown = new Float64Array(needed * width);
    for (let k = Math.max(1, this.#newest - this.#capacity + 1); k <= this.#newest; k++) {
      grown.set(this.#rows.subarray((k % this.#capacity) * width, (k % this.#capacity) * width + width), (k % needed) * width);
    }
    this.#rows = grown;
    this.#capacity = needed;
  }
}

/** u on the step grid: within GRID_SNAP (relative) of an integer, that integer, so decimal rates land on whole steps. */
function snap(u: number): number {
  const nearest = Math.round(u);
  return Math.abs(u - nearest) <= GRID_SNAP * Math.max(1, Math.abs(u)) ? nearest : u;
}
