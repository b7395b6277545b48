// The nominal path of a pick-and-place cell, from one definition: the robot-arm twin drives its effector along it,
// and the page poses the arm it draws from it at the hall's event time.

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

/** The cycle's four stages, in order: grip at the pick position, move to place, release, move back. */
export type PickPlaceStage = 'pick-dwell' | 'to-place' | 'place-dwell' | 'to-pick';

export interface PickPlaceTiming {
  cycleS: number;
  dwellS: number;
}

/** Where `tS` falls in the cycle: the cycle's number, its stage, and the time since the stage began, s. */
export function pickPlaceStage(tS: number, timing: PickPlaceTiming): { cycle: number; stage: PickPlaceStage; sinceS: number; moveS: number } {
  const { cycleS, dwellS } = timing;
  const moveS = cycleS / 2 - dwellS;
  const cycle = Math.floor(tS / cycleS);
  const phase = tS - cycle * cycleS;
  if (phase < dwellS) return { cycle, stage: 'pick-dwell', sinceS: phase, moveS };
  if (phase < dwellS + moveS) return { cycle, stage: 'to-place', sinceS: phase - dwellS, moveS };
  if (phase < 2 * dwellS + moveS) return { cycle, stage: 'place-dwell', sinceS: phase - dwellS - moveS, moveS };
  return { cycle, stage: 'to-pick', sinceS: phase - 2 * dwellS - moveS, moveS };
}

/** Coordinate i (0 x, 1 y up, 2 z) of the lifted straight line at progress s: p(s) = A + s·(B − A) + ŷ·4h·s(1 − s). */
export function liftedLine(from: readonly number[], to: readonly number[], s: number, liftM: number, i: number): number {
  return from[i]! + s * (to[i]! - from[i]!) + (i === 1 ? 4 * liftM * s * (1 - s) : 0);
}

/** Yaw about +y that points the effector's x axis away from the base: ψ = atan2(−z, x) (0 when p is on the base). */
export function yawOf(p: readonly number[]): number {
  return p[0] === 0 && p[2] === 0 ? 0 : Math.atan2(-p[2]!, p[0]!);
}

/** What fixes a cell's nominal path: its two positions relative to the base (m, y up), the arc's lift, and its timing. */
export interface PickPlacePath extends PickPlaceTiming {
  pickM: readonly [number, number, number];
  placeM: readonly [number, number, number];
  liftM: number;
}

/** The effector's nominal position at `tS` (no cycle-to-cycle scatter of the pick), written to `out`. */
export function nominalEffectorAt(path: PickPlacePath, tS: number, out: [number, number, number]): [number, number, number] {
  const { stage, sinceS, moveS } = pickPlaceStage(tS, path);
  const progress = { s: 0, sDot: 0, sDdot: 0 };
  const [from, to, s] =
    stage === 'pick-dwell'
      ? [path.pickM, path.pickM, 0]
      : stage === 'place-dwell'
        ? [path.placeM, path.placeM, 0]
        : stage === 'to-place'
          ? [path.pickM, path.placeM, minimumJerk(sinceS, moveS, progress).s]
          : [path.placeM, path.pickM, minimumJerk(sinceS, moveS, progress).s];
  for (let i = 0; i < 3; i++) out[i] = liftedLine(from, to, s, path.liftM, i);
  return out;
}
