import type { Collider, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { Rng } from '../../sim';
import type { Measurand } from '../channel';
import { severityAt } from '../severity';
import { activeFaultsAt, faultsFor, type ActiveFault, type CollisionFault, type MotionFault } from './faults';
import { ImuKinematics, imuMeasurands, type ImuAxis } from './imu';
import { MotionError } from './motion-error';
import { createWorld, physicsShape, rapier } from './physics';
import { rotationError, type Quat, type Vec3 } from './rotation';
import { StepRecorder } from './step-recorder';
import { PickPlaceCycle, type EffectorTarget } from './trajectory';

/** Largest ω·Δt of the tracking controller, with a margin below the stability limit 0.83. */
const MAX_TRACKING_H = 0.7;

const PositionM = z.tuple([z.number().min(-5).max(5), z.number().min(-5).max(5), z.number().min(-5).max(5)]);

/** A pick-and-place robot cell with an IMU on the end effector. */
/** The robot arm's fields; machine templates add `template` and `sensors` around them. */
export const RobotArmShape = {
  id: IdSchema.describe('Device name, a topic level, unique in the scenario.'),
  cycleS: z.number().positive().max(600).default(4).describe('Pick-and-place cycle time (pick, move, place, move back), s. Default 4.'),
  dwellS: z.number().nonnegative().default(0.5).describe('Time the effector rests at the pick and at the place position each cycle, s. Default 0.5.'),
  pickM: PositionM.default([0.6, 0.1, 0]).describe('Pick position [x, y, z] relative to the robot base, m, y up. Default [0.6, 0.1, 0].'),
  placeM: PositionM.default([0, 0.1, 0.6]).describe('Place position [x, y, z] relative to the robot base, m, y up. Default [0, 0.1, 0.6].'),
  liftM: z.number().nonnegative().max(2).default(0.15).describe('Height of the arc above the straight pick–place line at mid-move, m. Default 0.15.'),
  payloadKg: z.number().nonnegative().default(1).describe('Mass of the part carried from pick to place, kg. Default 1.'),
  effectorKg: z
    .number()
    .positive()
    .default(5)
    .describe('Effective mass of the arm at its flange (gripper plus the reflected mass of the links) that the IMU rides on, kg. Default 5.'),
  wristInertiaKgM2: z
    .number()
    .nonnegative()
    .default(0.05)
    .describe('Rotational inertia the wrist and links add at the flange, kg·m², which resists the effector being spun by a hit. Default 0.05.'),
  effectorSizeM: z.number().positive().max(1).default(0.1).describe('Edge of the effector, modelled as a cube, m. Default 0.1.'),
  trackingHz: z
    .number()
    .positive()
    .default(10)
    .describe('Bandwidth of the critically damped Cartesian impedance controller that makes the effector follow its path, Hz. Default 10.'),
  maxForceN: z.number().positive().default(300).describe('Largest force the arm applies to the effector, N; torque is limited to maxForceN × effectorSizeM. Default 300.'),
  pickJitterM: z.number().nonnegative().max(0.1).default(0.002).describe('Standard deviation of the pick position from cycle to cycle, horizontally, m. Default 0.002.'),
  ...physicsShape({ physicsHz: 100, solverIterations: 1 }),
};

/** Cross-field checks of a robot arm, for any schema built from RobotArmShape. */
export function checkRobotArm(c: { dwellS: number; cycleS: number; trackingHz: number; physicsHz: number }, ctx: z.RefinementCtx): void {
  if (c.dwellS >= c.cycleS / 2) {
    ctx.addIssue({ code: 'custom', path: ['dwellS'], message: `dwellS must be shorter than half the cycle (${c.cycleS / 2} s) to leave time to move` });
  }
  // Explicit critically damped spring on a semi-implicit Euler step, h = ω·Δt: stable for h < 2√2 − 2 ≈ 0.83.
  if (2 * Math.PI * c.trackingHz > MAX_TRACKING_H * c.physicsHz) {
    const most = (MAX_TRACKING_H * c.physicsHz) / (2 * Math.PI);
    ctx.addIssue({ code: 'custom', path: ['trackingHz'], message: `trackingHz must be at most ${most.toFixed(1)} Hz at physicsHz ${c.physicsHz}; lower it or raise physicsHz` });
  }
}

export const RobotArmSchema = z.object(RobotArmShape).strict().superRefine(checkRobotArm);

export type RobotArmConfig = z.output<typeof RobotArmSchema>;

/** The robot arm's sensors: the six IMU axes on the end effector. */
export type RobotArmSensor = ImuAxis;

/** The effector counts as settled below these speeds: m/s and rad/s. */
const SETTLED_SPEED_MS = 1e-5;
const SETTLED_RATE_RADS = 1e-4;
/** Seconds of settling at a dwell before the effector is held without stepping the world. */
const SETTLE_S = 0.05;
/** Thickness of the collision obstacle along the path, and its width across it, m. */
const OBSTACLE_THICKNESS_M = 0.05;
const OBSTACLE_WIDTH_M = 0.5;
/** Height of the obstacle (a column standing in the cell), m. */
const OBSTACLE_HEIGHT_M = 0.5;

/**
 * Rapier twin of a pick-and-place cell. The end effector is a dynamic cube that the arm carries (its weight is
 * compensated) and drives with a critically damped spring-damper towards a minimum-jerk pick–place path, and a
 * rotational one towards the yaw of the arm's swing, so it is compliant: in contact, rapier's solver decides where
 * it goes. A collision fault stands an obstacle in the path at mid-move.
 */
export class RobotArm {
  readonly config: RobotArmConfig;
  readonly measurands: Readonly<Record<RobotArmSensor, Measurand>>;
  readonly #faults: CollisionFault[];
  readonly #cycle: PickPlaceCycle;
  readonly #world: World;
  readonly #effector: RigidBody;
  readonly #obstacle: Collider;
  readonly #recorder: StepRecorder;
  readonly #imu: ImuKinematics;
  readonly #stepS: number;
  readonly #stiffness: number;
  readonly #damping: number;
  readonly #settleSteps: number;
  /** Where the obstacle stands: mid-path position (m) and the effector's lowest point there (m). */
  readonly #obstacleX: number;
  readonly #obstacleZ: number;
  readonly #pathBottomY: number;
  readonly #target: EffectorTarget = { p: [0, 0, 0], v: [0, 0, 0], a: [0, 0, 0], yawRad: 0, yawRateRadS: 0, yawAccelRadS2: 0, carrying: false, still: true };
  readonly #v: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #w: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #p: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #q: Quat = { x: 0, y: 0, z: 0, w: 1 };
  readonly #qTarget: Quat = { x: 0, y: 0, z: 0, w: 1 };
  readonly #err: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #impulse: Vec3 = { x: 0, y: 0, z: 0 };
  #carrying = false;
  #obstacleSeverity = 0;
  #held = false;
  #settledSteps = 0;
  #disposed = false;

  /**
   * @param faults the scenario's motion faults; those naming this arm must be `collision`
   * @param rng this arm's own stream (the scatter of pick positions)
   * @param options.historyS how far apart in time its channels may read, s (default 10)
   */
  constructor(config: RobotArmConfig, faults: readonly MotionFault[], rng: Rng, options: { historyS?: number } = {}) {
    this.config = config;
    this.#faults = faultsFor(faults, config.id, 'robot arm', ['collision']);
    this.#stepS = 1 / config.physicsHz;
    const omega = 2 * Math.PI * config.trackingHz;
    this.#stiffness = omega * omega;
    this.#damping = 2 * omega;
    this.#settleSteps = Math.ceil(SETTLE_S * config.physicsHz);
    this.#cycle = new PickPlaceCycle(config, rng);
    const start = this.#cycle.at(0, this.#target);
    yawQuat(start.yawRad, this.#q);

    const R = rapier();
    const half = config.effectorSizeM / 2;
    this.#world = createWorld(config);
    this.#effector = this.#world.createRigidBody(
      R.RigidBodyDesc.dynamic()
        .setTranslation(start.p[0], start.p[1], start.p[2])
        .setRotation(this.#q)
        .setGravityScale(0)
        .setCanSleep(false),
    );
    this.#world.createCollider(R.ColliderDesc.cuboid(half, half, half).setMass(config.effectorKg), this.#effector);
    this.#setAddedMass();

    // The obstacle stands across the nominal path at its highest point, s = ½, facing along the path.
    const [ax, ay, az] = config.pickM;
    const [bx, by, bz] = config.placeM;
    this.#obstacleX = (ax + bx) / 2;
    this.#obstacleZ = (az + bz) / 2;
    this.#pathBottomY = (ay + by) / 2 + config.liftM - half;
    const facing = bx === ax && bz === az ? 0 : Math.atan2(-(bz - az), bx - ax);
    const obstacleBody = this.#world.createRigidBody(R.RigidBodyDesc.fixed().setRotation(yawQuat(facing, { x: 0, y: 0, z: 0, w: 1 })));
    this.#obstacle = this.#world.createCollider(
      R.ColliderDesc.cuboid(OBSTACLE_THICKNESS_M / 2, OBSTACLE_HEIGHT_M / 2, OBSTACLE_WIDTH_M / 2).setEnabled(false),
      obstacleBody,
    );

    this.#imu = new ImuKinematics(config.physicsHz);
    this.#recorder = new StepRecorder({
      stepHz: config.physicsHz,
      initial: ImuKinematics.restRow(this.#q),
      historyS: options.historyS ?? 10,
      step: (k, row) => this.#step(k, row),
    });
    this.measurands = imuMeasurands(this.#recorder);
  }

  /** Ground truth: the faults in effect at `tS` and their severity. */
  activeFaults(tS: number): ActiveFault[] {
    return activeFaultsAt(this.#faults, tS);
  }

  /**
   * Adds a fault at run time (a `fault` command). It acts from its onset in the physics steps not yet taken: the
   * channels read ahead by up to a block, so a step already simulated keeps what it was.
   */
  addFault(fault: MotionFault): void {
    const [mine] = faultsFor([fault], this.config.id, 'robot arm', ['collision']);
    if (!mine) throw new MotionError('E_MOTION_FAULT', `a fault for ${fault.device} was given to robot arm "${this.config.id}"; give it to its own twin`);
    this.#faults.push(mine);
  }

  /** Frees the rapier world. The measurands throw afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#recorder.dispose();
    this.#world.free();
  }

  /** Physics step k, from t_(k−1) to t_k; writes the IMU row held over it. */
  #step(k: number, row: Float64Array): void {
    const t0 = (k - 1) * this.#stepS;
    const target = this.#cycle.at(t0, this.#target);
    this.#updateObstacle(t0 + this.#stepS / 2);
    if (target.carrying !== this.#carrying) {
      this.#carrying = target.carrying;
      this.#setAddedMass();
    }
    if (this.#held && !(target.still && this.#obstacleSeverity === 0)) this.#held = false;

    if (!this.#held) {
      this.#drive(target);
      this.#world.step();
      const body = this.#effector;
      body.linvel(this.#v);
      body.angvel(this.#w);
      body.rotation(this.#q);
      this.#settle(target);
    }
    this.#imu.record(this.#v, this.#q, this.#w, row, 0);
  }

  /** Spring-damper impulses for this step: F = m·(a_d + K·(p_d − p) + D·(v_d − v)), τ = I·(α_d + K·θ_err + D·(ω_d − ω)). */
  #drive(target: EffectorTarget): void {
    const body = this.#effector;
    const { config } = this;
    const K = this.#stiffness;
    const D = this.#damping;
    const mass = config.effectorKg + (this.#carrying ? config.payloadKg : 0);
    const p = body.translation(this.#p);
    const v = this.#v;
    const w = this.#w;
    let fx = mass * (target.a[0] + K * (target.p[0] - p.x) + D * (target.v[0] - v.x));
    let fy = mass * (target.a[1] + K * (target.p[1] - p.y) + D * (target.v[1] - v.y));
    let fz = mass * (target.a[2] + K * (target.p[2] - p.z) + D * (target.v[2] - v.z));
    const f = Math.sqrt(fx * fx + fy * fy + fz * fz);
    const fScale = f > config.maxForceN ? config.maxForceN / f : 1;
    fx *= fScale * this.#stepS;
    fy *= fScale * this.#stepS;
    fz *= fScale * this.#stepS;
    const impulse = this.#impulse;
    impulse.x = fx;
    impulse.y = fy;
    impulse.z = fz;
    body.applyImpulse(impulse, true);

    const inertia = this.#inertia();
    const e = this.#err;
    rotationError(yawQuat(target.yawRad, this.#qTarget), this.#q, e);
    let tx = inertia * (K * e.x - D * w.x);
    let ty = inertia * (target.yawAccelRadS2 + K * e.y + D * (target.yawRateRadS - w.y));
    let tz = inertia * (K * e.z - D * w.z);
    const tau = Math.sqrt(tx * tx + ty * ty + tz * tz);
    const maxTorque = config.maxForceN * config.effectorSizeM;
    const tScale = tau > maxTorque ? maxTorque / tau : 1;
    tx *= tScale * this.#stepS;
    ty *= tScale * this.#stepS;
    tz *= tScale * this.#stepS;
    impulse.x = tx;
    impulse.y = ty;
    impulse.z = tz;
    body.applyTorqueImpulse(impulse, true);
  }

  /** Moment of inertia about any axis through the effector's centre, kg·m²: the wrist's plus cube m·a²/6 (the payload as a cube of the same size). */
  #inertia(): number {
    const { effectorKg, payloadKg, effectorSizeM, wristInertiaKgM2 } = this.config;
    return wristInertiaKgM2 + ((effectorKg + (this.#carrying ? payloadKg : 0)) * effectorSizeM * effectorSizeM) / 6;
  }

  /** Adds the wrist's inertia, and the payload while it is carried, to the effector cube's own mass properties. */
  #setAddedMass(): void {
    const { payloadKg, effectorSizeM, wristInertiaKgM2 } = this.config;
    const payload = this.#carrying ? payloadKg : 0;
    const added = wristInertiaKgM2 + (payload * effectorSizeM * effectorSizeM) / 6;
    this.#effector.setAdditionalMassProperties(payload, { x: 0, y: 0, z: 0 }, { x: added, y: added, z: added }, { x: 0, y: 0, z: 0, w: 1 }, true);
    this.#effector.recomputeMassPropertiesFromColliders();
  }

  /** Stands the obstacle in the path while a collision fault is in effect, intruding by severity × effector size. */
  #updateObstacle(tS: number): void {
    let severity = 0;
    for (const fault of this.#faults) severity = Math.max(severity, severityAt(tS, fault));
    if (severity === this.#obstacleSeverity) return;
    if (severity === 0) {
      this.#obstacle.setEnabled(false);
    } else {
      const top = this.#pathBottomY + severity * this.config.effectorSizeM;
      const body = this.#obstacle.parent()!;
      body.setTranslation({ x: this.#obstacleX, y: top - OBSTACLE_HEIGHT_M / 2, z: this.#obstacleZ }, true);
      if (this.#obstacleSeverity === 0) this.#obstacle.setEnabled(true);
    }
    this.#obstacleSeverity = severity;
  }

  /**
   * Holds the effector at a dwell once it has settled, without stepping the world. Its residual velocity (under
   * 0.01 mm/s) is kept, so holding and releasing never show as a jolt; its residual spin is zeroed.
   */
  #settle(target: EffectorTarget): void {
    const v = this.#v;
    const w = this.#w;
    const settled =
      target.still &&
      this.#obstacleSeverity === 0 &&
      v.x * v.x + v.y * v.y + v.z * v.z < SETTLED_SPEED_MS ** 2 &&
      w.x * w.x + w.y * w.y + w.z * w.z < SETTLED_RATE_RADS ** 2;
    this.#settledSteps = settled ? this.#settledSteps + 1 : 0;
    if (this.#settledSteps < this.#settleSteps) return;
    this.#held = true;
    this.#settledSteps = 0;
    w.x = 0;
    w.y = 0;
    w.z = 0;
    this.#effector.setAngvel(w, false);
  }
}

/** The rotation by ψ about +y: q = (0, sin ψ/2, 0, cos ψ/2), written to `out`. */
function yawQuat(yawRad: number, out: Quat): Quat {
  out.x = 0;
  out.y = Math.sin(yawRad / 2);
  out.z = 0;
  out.w = Math.cos(yawRad / 2);
  return out;
}
