import type { Rng } from '../../sim';

/**
 * First-order Gauss–Markov bias (an Ornstein–Uhlenbeck process sampled every Δt), stationary from its first
 * sample. Draws from `rng`: one normal() for the start, then one addNormal draw per sample.
 */
export class GaussMarkovBias {
  readonly #phi: number;
  readonly #drive: number;
  readonly #rng: Rng;
  readonly #w: Float64Array;
  /** Bias of the next sample, output units. */
  #b: number;

  constructor(sigma: number, correlationS: number, sampleRateHz: number, maxBlock: number, rng: Rng) {
    const dt = 1 / sampleRateHz;
    this.#phi = Math.exp(-dt / correlationS);
    // b[k+1] = b[k]·e^(−Δt/τ) + σ·√(1 − e^(−2Δt/τ))·w[k], w ~ N(0, 1): keeps Var b = σ² at every k.
    this.#drive = sigma * Math.sqrt(-Math.expm1((-2 * dt) / correlationS));
    this.#rng = rng;
    this.#w = new Float64Array(maxBlock);
    this.#b = sigma * rng.normal();
  }

  /** Adds the bias of the next `count` samples to out[0 … count − 1]. */
  add(out: Float64Array, count: number): void {
    const w = this.#w;
    w.fill(0, 0, count);
    this.#rng.addNormal(w, this.#drive, count);
    const phi = this.#phi;
    let b = this.#b;
    for (let i = 0; i < count; i++) {
      out[i]! += b;
      b = phi * b + w[i]!;
    }
    this.#b = b;
  }
}
