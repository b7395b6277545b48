import type { Measurand } from '../channel';
import { GRAVITY_MS2 } from './physics';
import { toBodyFrame, type Quat, type Vec3 } from './rotation';
import type { StepRecorder } from './step-recorder';

/** The six IMU channels, as sensor names (topic levels). */
export const IMU_AXES = ['imu-ax', 'imu-ay', 'imu-az', 'imu-gx', 'imu-gy', 'imu-gz'] as const;
export type ImuAxis = (typeof IMU_AXES)[number];

/** Values per IMU row: specific force x, y, z (g), then angular rate x, y, z (deg/s). */
export const IMU_WIDTH = 6;

const DEG_PER_RAD = 180 / Math.PI;

/**
 * A strapdown IMU at a rigid body's centre of mass, mounted flat: its x axis along the body's x (the direction of
 * travel), its z axis along the body's y (up when the body is level, so gravity reads +1 g on z), and its y axis
 * along the body's −z (to the left), a right-handed frame.
 *
 * Each physics step it turns the body's world velocity v, orientation q and world angular velocity ω into
 * - the accelerometer: specific force f = R(q)ᵀ·(a − g) in g, with a = (v_k − v_(k−1))/Δt, the mean acceleration
 *   over the step, and g = (0, −9.80665, 0) m/s², so a body at rest reads +1 g on its up axis;
 * - the gyroscope: body-frame angular rate R(q)ᵀ·ω in deg/s.
 */
export class ImuKinematics {
  readonly #stepHz: number;
  #vx: number;
  #vy: number;
  #vz: number;
  readonly #body = new Float64Array(3);

  /** @param initialVelocity the body's world velocity before the run, m/s */
  constructor(stepHz: number, initialVelocity: Vec3 = { x: 0, y: 0, z: 0 }) {
    this.#stepHz = stepHz;
    this.#vx = initialVelocity.x;
    this.#vy = initialVelocity.y;
    this.#vz = initialVelocity.z;
  }

  /** The row before the run: the body's orientation `q`, angular velocity `omega`, no acceleration. */
  static restRow(q: Quat, omega: Vec3 = { x: 0, y: 0, z: 0 }): Float64Array {
    const row = new Float64Array(IMU_WIDTH);
    writeRow(q, 0, GRAVITY_MS2, 0, omega, row, new Float64Array(3), 0);
    return row;
  }

  /** Writes the IMU row of the step that ended with world velocity `v`, orientation `q`, angular velocity `omega`. */
  record(v: Vec3, q: Quat, omega: Vec3, row: Float64Array, at = 0): void {
    // f = a − g with a = Δv/Δt and g = (0, −g₀, 0)
    const fx = (v.x - this.#vx) * this.#stepHz;
    const fy = (v.y - this.#vy) * this.#stepHz + GRAVITY_MS2;
    const fz = (v.z - this.#vz) * this.#stepHz;
    this.#vx = v.x;
    this.#vy = v.y;
    this.#vz = v.z;
    writeRow(q, fx, fy, fz, omega, row, this.#body, at);
  }
}

/** Six measurands over the IMU columns that start at `column` in `recorder`'s rows. */
export function imuMeasurands(recorder: StepRecorder, column = 0): Record<ImuAxis, Measurand> {
  const units = ['g', 'g', 'g', 'deg/s', 'deg/s', 'deg/s'];
  return Object.fromEntries(IMU_AXES.map((axis, i) => [axis, recorder.measurand(column + i, units[i]!)])) as Record<ImuAxis, Measurand>;
}

/** Body-frame specific force (m/s²) and angular rate (rad/s) in the IMU frame, in g and deg/s. */
function writeRow(q: Quat, fx: number, fy: number, fz: number, omega: Vec3, row: Float64Array, body: Float64Array, at: number): void {
  toBodyFrame(q, fx, fy, fz, body, 0);
  // IMU axes from body axes: x_imu = x_b, y_imu = −z_b, z_imu = y_b
  row[at] = body[0]! / GRAVITY_MS2;
  row[at + 1] = (0 - body[2]!) / GRAVITY_MS2;
  row[at + 2] = body[1]! / GRAVITY_MS2;
  toBodyFrame(q, omega.x, omega.y, omega.z, body, 0);
  row[at + 3] = body[0]! * DEG_PER_RAD;
  row[at + 4] = (0 - body[2]!) * DEG_PER_RAD;
  row[at + 5] = body[1]! * DEG_PER_RAD;
}
