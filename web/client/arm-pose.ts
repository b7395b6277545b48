import { nominalEffectorAt, type PickPlacePath } from '../../protocol/pick-place-path';

/** The drawn arm: shoulder pivot height above the floor, upper-arm and forearm lengths (to the gripper's centre), m. */
export const ARM_LINKS = { shoulderY: 0.9, upperM: 1.3, foreM: 1.15 } as const;

/** How far from its base the drawn arm's farthest stop lies, m: a twin's cell is scaled to the model's reach. */
const DRAWN_REACH_M = 1.5;

/** The robot-arm twin's defaults (twins/motion/robot-arm.ts), for a hall that names an arm but not its path. */
export const DEFAULT_ARM_PATH: PickPlacePath = { cycleS: 4, dwellS: 0.5, pickM: [0.6, 0.1, 0], placeM: [0, 0.1, 0.6], liftM: 0.15 };

/** Joint angles of the drawn arm, rad: turret yaw about +y, shoulder and elbow about the turret's z axis (0 = upright). */
export interface ArmJoints {
  base: number;
  shoulder: number;
  elbow: number;
}

/** Scale from the twin's cell to the drawn arm: the farther of pick and place lands at DRAWN_REACH_M. */
export function cellScale(path: PickPlacePath): number {
  const radius = (p: readonly number[]) => Math.hypot(p[0]!, p[2]!);
  return DRAWN_REACH_M / Math.max(radius(path.pickM), radius(path.placeM), 0.1);
}

const target: [number, number, number] = [0, 0, 0];

/**
 * The pose that puts the drawn gripper where the twin's effector is at `tS` (s since the run began) on its
 * nominal path, scaled by cellScale: turret yaw towards the point, then two-link inverse kinematics, elbow up.
 */
export function armJoints(path: PickPlacePath, tS: number, out: ArmJoints): ArmJoints {
  nominalEffectorAt(path, tS, target);
  const k = cellScale(path);
  const [x, y, z] = [target[0] * k, target[1] * k, target[2] * k];
  // The model's arm reaches along its turret's −x; a yaw θ about +y turns −x to (−cosθ, 0, sinθ).
  out.base = x === 0 && z === 0 ? 0 : Math.atan2(z, -x);
  const { upperM: a, foreM: b, shoulderY } = ARM_LINKS;
  const u = Math.hypot(x, z);
  const v = y - shoulderY;
  // Law of cosines, cos ε = (d² − a² − b²)/2ab, with d kept within what the links can span.
  const d = Math.min(Math.max(Math.hypot(u, v), Math.abs(a - b) + 1e-6), a + b - 1e-6);
  const elbow = Math.acos((d * d - a * a - b * b) / (2 * a * b));
  const towards = Math.atan2(u, v);
  out.shoulder = towards - Math.atan2(b * Math.sin(elbow), a + b * Math.cos(elbow));
  out.elbow = elbow;
  return out;
}

/** Where the drawn gripper is for a pose, in the arm's base frame (m): forward kinematics, for checking the inverse. */
export function gripperAt(joints: ArmJoints): [number, number, number] {
  const { upperM: a, foreM: b, shoulderY } = ARM_LINKS;
  const u = a * Math.sin(joints.shoulder) + b * Math.sin(joints.shoulder + joints.elbow);
  const v = a * Math.cos(joints.shoulder) + b * Math.cos(joints.shoulder + joints.elbow);
  return [-u * Math.cos(joints.base), shoulderY + v, u * Math.sin(joints.base)];
}
