import { liftedLine, minimumJerk, pickPlaceStage, yawOf, type MoveProgress } from '../../protocol';
import type { Rng } from '../../sim';

export { minimumJerk, type MoveProgress };

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
    const { cycle, stage, sinceS } = pickPlaceStage(tS, this.#o);
    while (this.#cycle < cycle) {
      this.#cycle++;
      this.#pick = this.#nextPick;
      this.#nextPick = this.#drawPick();
    }
    const { placeM } = this.#o;
    if (stage === 'pick-dwell') return this.#hold(this.#pick, false, out);
    if (stage === 'to-place') return this.#move(this.#pick, placeM, sinceS, true, out);
    if (stage === 'place-dwell') return this.#hold(placeM, true, out);
    return this.#move(placeM, this.#nextPick, sinceS, false, out);
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
      out.p[i] = liftedLine(from, to, s, h, i);
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
