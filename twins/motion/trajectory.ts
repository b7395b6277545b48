import type { Rng } from '../../sim';

/** Position, velocity and acceleration of a normalised move, s(τ) ∈ [0, 1], and its time derivatives. */
export interface MoveProgress {
  s: number;
  /** ds/dt, 1/s. */
  sDot: number;
  /** d²s/dt², 1/s². */
  sDdot: number;
}

/**
 * Minimum-jerk profile (Flash & Hogan 1985) of a move lasting `durationS`, at `tS` since its start:
 * s = 10τ³ − 15τ⁴ + 6τ⁵ with τ = t/T; zero velocity and acceleration at both ends.
 */
export function minimumJerk(tS: number, durationS: number, out: MoveProgress): MoveProgress {
  const tau = Math.min(1, Math.max(0, tS / durationS));
  const t2 = tau * tau;
  const t3 = t2 * tau;
  out.s = t3 * (10 - 15 * tau + 6 * t2);
  // ṡ = 30τ²(1 − τ)²/T, s̈ = 60τ(1 − τ)(1 − 2τ)/T²
  const u = 1 - tau;
  out.sDot = (30 * t2 * u * u) / durationS;
  out.sDdot = (60 * tau * u * (1 - 2 * tau)) / (durationS * durationS);
  return out;
}

/** Where the effector should be: position (m), velocity (m/s), acceleration (m/s²), yaw about +y (rad) and its rates. */
export interface EffectorTarget {
  p: [number, number, number];
  v: [number, number, number];
  a: [number, number, number];
  yawRad: number;
  yawRateRadS: number;
  yawAccelRadS2: number;
  /** The gripper holds the payload (from the end of the pick dwell to the end of the place dwell). */
  carrying: boolean;
  /** The target is not moving (a dwell). */
  still: boolean;
}

export interface PickPlaceOptions {
  pickM: readonly [number, number, number];
  placeM: readonly [number, number, number];
  cycleS: number;
  dwellS: number;
  liftM: number;
  /** Standard deviation of the pick position's horizontal scatter from cycle to cycle, m. */
  pickJitterM: number;
}

/**
 * The pick-and-place cycle of a robot cell: dwell at the pick position (grip), a minimum-jerk move to the place
 * position along a straight line lifted by a parabolic arc, dwell there (release), and the move back. The yaw of
 * the effector follows the arm's swing about the base at the origin, ψ = atan2(−z, x), interpolated with the same
 * profile. Each cycle's pick position scatters horizontally (parts never lie in exactly the same spot); the
 * draws come from `rng` in cycle order, so targets must be asked for in time order.
 */
export class PickPlaceCycle {
  readonly #o: PickPlaceOptions;
  readonly #rng: Rng;
  readonly #moveS: number;
  readonly #progress: MoveProgress = { s: 0, sDot: 0, sDdot: 0 };
  /** Cycle number whose pick position is #pick; the next cycle's is #nextPick. */
  #cycle = 0;
  #pick: [number, number, number];
  #nextPick: [number, number, number];

  constructor(options: PickPlaceOptions, rng: Rng) {
    this.#o = options;
    this.#rng = rng;
    this.#moveS = options.cycleS / 2 - options.dwellS;
    this.#pick = this.#drawPick();
    this.#nextPick = this.#drawPick();
  }

  /** The target at `tS` (non-decreasing across calls), written to `out`. */
  at(tS: number, out: EffectorTarget): EffectorTarget {
    const { cycleS, dwellS, placeM } = this.#o;
    const cycle = Math.floor(tS / cycleS);
    while (this.#cycle < cycle) {
      this.#cycle++;
      this.#pick = this.#nextPick;
      this.#nextPick = this.#drawPick();
    }
    const phase = tS - cycle * cycleS;
    const moveS = this.#moveS;
    if (phase < dwellS) return this.#hold(this.#pick, false, out);
    if (phase < dwellS + moveS) return this.#move(this.#pick, placeM, phase - dwellS, true, out);
    if (phase < 2 * dwellS + moveS) return this.#hold(placeM, true, out);
    return this.#move(placeM, this.#nextPick, phase - 2 * dwellS - moveS, false, out);
  }

  #drawPick(): [number, number, number] {
    const [x, y, z] = this.#o.pickM;
    const sigma = this.#o.pickJitterM;
    // Both draws always happen, so the stream does not depend on the jitter being zero.
    const dx = this.#rng.normal();
    const dz = this.#rng.normal();
    return [x + sigma * dx, y, z + sigma * dz];
  }

  #hold(at: readonly number[], carrying: boolean, out: EffectorTarget): EffectorTarget {
    for (let i = 0; i < 3; i++) {
      out.p[i] = at[i]!;
      out.v[i] = 0;
      out.a[i] = 0;
    }
    out.yawRad = yawOf(at);
    out.yawRateRadS = 0;
    out.yawAccelRadS2 = 0;
    out.carrying = carrying;
    out.still = true;
    return out;
  }

  #move(from: readonly number[], to: readonly number[], tS: number, carrying: boolean, out: EffectorTarget): EffectorTarget {
    const { s, sDot, sDdot } = minimumJerk(tS, this.#moveS, this.#progress);
    const h = this.#o.liftM;
    // p(s) = A + s·(B − A) + ŷ·4h·s(1 − s); ṗ = ṡ·p′(s); p̈ = s̈·p′(s) + ṡ²·p″(s), p″ = −8h·ŷ
    for (let i = 0; i < 3; i++) {
      const slope = to[i]! - from[i]! + (i === 1 ? 4 * h * (1 - 2 * s) : 0);
      out.p[i] = from[i]! + s * (to[i]! - from[i]!) + (i === 1 ? 4 * h * s * (1 - s) : 0);
      out.v[i] = sDot * slope;
      out.a[i] = sDdot * slope + (i === 1 ? -8 * h * sDot * sDot : 0);
    }
    const yawFrom = yawOf(from);
    let swing = yawOf(to) - yawFrom;
    if (swing > Math.PI) swing -= 2 * Math.PI;
    else if (swing <= -Math.PI) swing += 2 * Math.PI;
    out.yawRad = yawFrom + s * swing;
    out.yawRateRadS = sDot * swing;
    out.yawAccelRadS2 = sDdot * swing;
    out.carrying = carrying;
    // A move of zero length (pick = place, no lift, no swing) is a standstill.
    out.still = sDot === 0 || (slopeFree(from, to) && h === 0);
    return out;
  }
}

/** A straight move from `from` to `to` does not go anywhere. */
function slopeFree(from: readonly number[], to: readonly number[]): boolean {
  return from[0] === to[0] && from[1] === to[1] && from[2] === to[2];
}

/** Yaw about +y that points the effector's x axis away from the base: ψ = atan2(−z, x) (0 when p is on the base). */
function yawOf(p: readonly number[]): number {
  return p[0] === 0 && p[2] === 0 ? 0 : Math.atan2(-p[2]!, p[0]!);
}
