import { z } from 'zod';

export const BeltSpeedPointSchema = z
  .object({
    atS: z.number().nonnegative().describe('Seconds from the start of the run.'),
    speedMS: z.number().nonnegative().max(10).describe('Commanded belt speed at that instant, m/s.'),
  })
  .strict();

export type BeltSpeedPoint = z.output<typeof BeltSpeedPointSchema>;

/**
 * Commanded belt speed over time: a knot (0 s, `speedMS`) followed by the profile's knots, piecewise linear between
 * knots and held after the last (the same convention as a machine's operating profile).
 */
export class BeltSpeedProfile {
  readonly #times: Float64Array;
  readonly #speeds: Float64Array;

  constructor(speedMS: number, points: readonly BeltSpeedPoint[] = []) {
    const knots = [{ atS: 0, speedMS }, ...[...points].sort((a, b) => a.atS - b.atS)];
    if (knots.length > 1 && knots[1]!.atS === 0) knots.shift();
    this.#times = Float64Array.from(knots, (p) => p.atS);
    this.#speeds = Float64Array.from(knots, (p) => p.speedMS);
  }

  /** Commanded speed at `tS`, m/s. */
  speedAt(tS: number): number {
    const times = this.#times;
    const last = times.length - 1;
    if (tS >= times[last]!) return this.#speeds[last]!;
    let i = 0;
    while (times[i + 1]! <= tS) i++;
    const t0 = times[i]!;
    const t1 = times[i + 1]!;
    const v0 = this.#speeds[i]!;
    return v0 + ((this.#speeds[i + 1]! - v0) * (tS - t0)) / (t1 - t0);
  }
}

/**
 * The belt surface speed the drive delivers, step by step: the commanded speed, less the fraction lost to
 * pulley slip, with a ripple at the drive pulley's rotation rate from its eccentricity.
 */
export class BeltDrive {
  readonly #profile: BeltSpeedProfile;
  readonly #ripple: number;
  /** Drive pulley angle per metre of commanded belt travel, rad/m: 2/D. */
  readonly #radPerM: number;
  #angleRad: number;

  /** @param phase01 where the pulley's eccentricity starts in its turn, 0–1 */
  constructor(options: { profile: BeltSpeedProfile; ripple: number; pulleyDiameterM: number; phase01: number }) {
    this.#profile = options.profile;
    this.#ripple = options.ripple;
    this.#radPerM = 2 / options.pulleyDiameterM;
    this.#angleRad = 2 * Math.PI * options.phase01;
  }

  /** Commanded speed at `tS`, m/s. */
  commandedAt(tS: number): number {
    return this.#profile.speedAt(tS);
  }

  /**
   * Surface speed over a step of `dtS` centred on `tS`, m/s, with `slip` the fraction of speed lost.
   * Advances the pulley angle by the step: call once per step, in order.
   */
  next(tS: number, dtS: number, slip: number): number {
    const commanded = this.#profile.speedAt(tS);
    // v = v_cmd·(1 − slip)·(1 + r·sin θ), pulley angle θ advancing at ω = 2·v_cmd/D
    const speed = commanded * (1 - slip) * (1 + this.#ripple * Math.sin(this.#angleRad));
    this.#angleRad = (this.#angleRad + commanded * this.#radPerM * dtS) % (2 * Math.PI);
    return speed;
  }
}
