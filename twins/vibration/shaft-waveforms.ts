import type { Rng } from '../../sim';

/** Samples per table period; linear interpolation keeps the error below 1e-6 of full scale. */
const TABLE_SIZE = 4096;

/**
 * A periodic function of shaft angle θ stored as a table, for shaft-synchronous components that are sums of
 * harmonics (misalignment, looseness): one lookup a sample instead of one sine per harmonic.
 */
export class ShaftWaveform {
  readonly #table: Float64Array;
  /** Table period in radians of shaft angle (2π, or 4π when ½-orders are present). */
  readonly #periodRad: number;

  /** @param harmonics orders h (multiples of shaft speed), relative amplitudes and phases (rad) */
  constructor(harmonics: readonly { order: number; amplitude: number; phaseRad: number }[]) {
    const hasHalfOrders = harmonics.some((h) => !Number.isInteger(h.order));
    this.#periodRad = hasHalfOrders ? 4 * Math.PI : 2 * Math.PI;
    this.#table = new Float64Array(TABLE_SIZE + 1);
    for (let i = 0; i <= TABLE_SIZE; i++) {
      const theta = (i / TABLE_SIZE) * this.#periodRad;
      let sum = 0;
      for (const h of harmonics) sum += h.amplitude * Math.sin(h.order * theta + h.phaseRad);
      this.#table[i] = sum;
    }
  }

  /** Value at shaft angle θ (rad, any sign or size). */
  at(thetaRad: number): number {
    let x = (thetaRad / this.#periodRad) % 1;
    if (x < 0) x += 1;
    const position = x * TABLE_SIZE;
    const i = position | 0;
    const f = position - i;
    return this.#table[i]! + f * (this.#table[i + 1]! - this.#table[i]!);
  }
}

/**
 * Misalignment: a dominant 2× with some 1× and 3× (Piotrowski, Shaft Alignment Handbook); the 2× amplitude is 1.
 * Weights are acceleration ratios for equal displacement per order, i.e. include the h² of a = h²ω²·x.
 */
export function misalignmentWaveform(rng: Rng): ShaftWaveform {
  return new ShaftWaveform([
    { order: 1, amplitude: 0.35, phaseRad: 2 * Math.PI * rng.next() },
    { order: 2, amplitude: 1, phaseRad: 2 * Math.PI * rng.next() },
    { order: 3, amplitude: 0.3, phaseRad: 2 * Math.PI * rng.next() },
  ]);
}

/**
 * Mechanical looseness (rotating looseness, ISO 18436 "type C"): a long train of harmonics to 10× plus ½-order
 * sub-harmonics (½×, 1½×, …) from the truncated, non-linear response of a loose joint; the 1× amplitude is 1.
 */
export function loosenessWaveform(rng: Rng): ShaftWaveform {
  const harmonics = [];
  for (let order = 0.5; order <= 10; order += 0.5) {
    const halfOrder = !Number.isInteger(order);
    harmonics.push({ order, amplitude: (halfOrder ? 0.5 : 1) / order ** 0.7, phaseRad: 2 * Math.PI * rng.next() });
  }
  return new ShaftWaveform(harmonics);
}
