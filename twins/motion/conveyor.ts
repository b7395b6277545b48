import type { RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { Rng } from '../../sim';
import type { Measurand } from '../channel';
import { severityAt } from '../severity';
import { BeltDrive, BeltSpeedPointSchema, BeltSpeedProfile } from './belt-drive';
import { activeFaultsAt, faultsFor, type ActiveFault, type BeltSlipFault, type JamFault, type MotionFault } from './faults';
import { IMU_WIDTH, ImuKinematics, imuMeasurands, type ImuAxis } from './imu';
import { MotionError } from './motion-error';
import { GRAVITY_MS2, createWorld, physicsShape, rapier } from './physics';
import type { Quat, Vec3 } from './rotation';
import { StepRecorder } from './step-recorder';

/** A belt conveyor carrying one tote, with an IMU on the tote and an encoder on the belt. */
/** The conveyor's fields; machine templates add `template` and `sensors` around them. */
export const ConveyorShape = {
  id: IdSchema.describe('Device name, a topic level, unique in the scenario.'),
  speedMS: z.number().nonnegative().max(10).default(1).describe('Commanded belt speed at t = 0, m/s. Default 1.'),
  speedProfile: z
    .array(BeltSpeedPointSchema)
    .default([])
    .describe('Commanded speed over time: linear from (0 s, speedMS) through these knots, held after the last. Default none (constant speedMS).'),
  lengthM: z.number().positive().default(10).describe('Belt length from infeed to discharge, m; the tote re-enters at the infeed when it reaches the end. Default 10.'),
  toteKg: z.number().positive().default(10).describe('Mass of the tote and its contents, kg. Default 10.'),
  toteSizeM: z
    .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
    .default([0.6, 0.4, 0.3])
    .describe('Tote length (along the belt), width and height, m. Default [0.6, 0.4, 0.3] (a Euro container).'),
  friction: z.number().positive().max(2).default(0.4).describe('Coulomb friction coefficient between tote and belt. Default 0.4 (PP tote on a rubber belt).'),
  pulleyDiameterM: z.number().positive().default(0.1).describe('Drive pulley diameter, m; sets the ripple rate 2·v/D rad/s. Default 0.1.'),
  speedRipple: z
    .number()
    .min(0)
    .max(0.05)
    .default(0.002)
    .describe('Belt speed ripple from drive pulley eccentricity, peak fraction of belt speed, once per pulley turn. Default 0.002.'),
  ...physicsShape({ physicsHz: 200, solverIterations: 2 }),
};

export const ConveyorSchema = z.object(ConveyorShape).strict();

export type ConveyorConfig = z.output<typeof ConveyorSchema>;

/** The conveyor's sensors: the six IMU axes on the tote and the belt encoder. */
export type ConveyorSensor = ImuAxis | 'belt-speed';

/** Seconds the tote settles on the belt before the run starts. */
const PLACE_S = 0.5;
/** Half-length of the belt slab in the belt frame, m; the tote stays near its middle. */
const BELT_HALF_LENGTH_M = 50;
/** Beyond this distance from the belt frame's origin the scene is shifted back, m (keeps rapier's f32 coordinates fine). */
const RECENTRE_M = 10;
/** Gap between the tote's front face and a jam obstacle when the jam starts, m. */
const JAM_GAP_M = 0.005;
/** Thickness of a jam obstacle along the belt, m. */
const JAM_THICKNESS_M = 0.05;
/** The tote counts as stuck to the belt below these relative speeds: m/s and rad/s. */
const STUCK_SPEED_MS = 1e-4;
const STUCK_RATE_RADS = 1e-3;
/** Seconds of sticking before the tote is held by static friction without stepping the world. */
const SETTLE_S = 0.1;
/** A held tote is handed back to rapier when the belt accelerates faster than this fraction of μ·g. */
const RELEASE_FRACTION = 0.5;

/**
 * Rapier twin of a belt conveyor, simulated in the frame of the belt surface: the belt is a fixed slab, the tote a
 * dynamic box pushed by Coulomb friction, and the world (the belt's moving frame) accelerates with the belt, so a
 * change ΔV of belt speed shifts the tote's relative velocity by −ΔV (Galilean change of frame). The tote's world
 * velocity is its rapier velocity plus the belt speed. Working in this frame keeps coordinates small for ever,
 * makes re-entry at the infeed seamless (the tote keeps its speed), and lets a tote that sticks to the belt be
 * held by static friction without stepping rapier, which makes a healthy hour cheap.
 *
 * At t = 0 the tote is set at rest on the belt at the infeed; on a running belt it slides until friction brings it
 * to belt speed. A jam is a world-fixed obstacle, so in the belt frame it moves at −V into the tote.
 */
export class Conveyor {
  readonly config: ConveyorConfig;
  readonly measurands: Readonly<Record<ConveyorSensor, Measurand>>;
  readonly #slips: BeltSlipFault[];
  readonly #jams: JamFault[];
  readonly #faults: MotionFault[];
  readonly #drive: BeltDrive;
  readonly #world: World;
  readonly #tote: RigidBody;
  readonly #obstacle: RigidBody;
  readonly #recorder: StepRecorder;
  readonly #imu: ImuKinematics;
  readonly #stepS: number;
  readonly #releaseAccel: number;
  readonly #settleSteps: number;
  // Scratch records for rapier's getters, reused every step.
  readonly #v: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #w: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #q: Quat = { x: 0, y: 0, z: 0, w: 1 };
  readonly #p: Vec3 = { x: 0, y: 0, z: 0 };
  readonly #worldVelocity: Vec3 = { x: 0, y: 0, z: 0 };
  /** Belt surface speed over the last step, m/s. */
  #beltSpeed: number;
  /** Distance the belt surface has moved since the tote was placed, modulo the belt length, m. */
  #beltTravelM = 0;
  #jamActive = false;
  /** The tote is held by static friction and rapier is not stepped. */
  #held = false;
  #stuckSteps = 0;
  #disposed = false;

  /**
   * @param faults the scenario's motion faults; those naming this conveyor must be `belt-slip` or `jam`
   * @param rng this conveyor's own stream (the drive pulley's phase)
   * @param options.historyS how far apart in time its channels may read, s (default 10)
   */
  constructor(config: ConveyorConfig, faults: readonly MotionFault[], rng: Rng, options: { historyS?: number } = {}) {
    this.config = config;
    const mine = faultsFor(faults, config.id, 'conveyor', ['belt-slip', 'jam']);
    this.#faults = mine;
    this.#slips = mine.filter((f) => f.type === 'belt-slip');
    this.#jams = mine.filter((f) => f.type === 'jam');
    this.#stepS = 1 / config.physicsHz;
    this.#releaseAccel = RELEASE_FRACTION * config.friction * GRAVITY_MS2;
    this.#settleSteps = Math.ceil(SETTLE_S * config.physicsHz);
    this.#drive = new BeltDrive({
      profile: new BeltSpeedProfile(config.speedMS, config.speedProfile),
      ripple: config.speedRipple,
      pulleyDiameterM: config.pulleyDiameterM,
      phase01: rng.next(),
    });
    this.#beltSpeed = this.#drive.commandedAt(0) * (1 - this.#slipAt(0));

    const R = rapier();
    const [length, width, height] = config.toteSizeM;
    this.#world = createWorld(config);
    const belt = this.#world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(0, -0.05, 0));
    this.#world.createCollider(R.ColliderDesc.cuboid(BELT_HALF_LENGTH_M, 0.05, width / 2 + 0.1).setFriction(config.friction), belt);
    this.#tote = this.#world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(0, height / 2, 0).setCanSleep(false));
    this.#world.createCollider(R.ColliderDesc.cuboid(length / 2, height / 2, width / 2).setMass(config.toteKg).setFriction(config.friction), this.#tote);
    this.#placeTote();
    this.#obstacle = this.#world.createRigidBody(R.RigidBodyDesc.kinematicVelocityBased().setTranslation(0, -10, 0));

    this.#imu = new ImuKinematics(config.physicsHz);
    const initial = new Float64Array(IMU_WIDTH + 1);
    initial.set(ImuKinematics.restRow(this.#q));
    initial[IMU_WIDTH] = this.#beltSpeed;
    this.#recorder = new StepRecorder({
      stepHz: config.physicsHz,
      initial,
      historyS: options.historyS ?? 10,
      step: (k, row) => this.#step(k, row),
    });
    this.measurands = { ...imuMeasurands(this.#recorder), 'belt-speed': this.#recorder.measurand(IMU_WIDTH, 'm/s') };
  }

  /** Commanded belt speed at `tS`, m/s: what the drive motor turns for, before pulley slip. */
  commandedSpeedMS(tS: number): number {
    return this.#drive.commandedAt(tS);
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
    const [mine] = faultsFor([fault], this.config.id, 'conveyor', ['belt-slip', 'jam']);
    if (!mine) throw new MotionError('E_MOTION_FAULT', `a fault for ${fault.device} was given to conveyor "${this.config.id}"; give it to its own twin`);
    this.#faults.push(mine);
    if (mine.type === 'belt-slip') this.#slips.push(mine);
    else this.#jams.push(mine);
  }

  /** Where the tote's centre is along the belt at the newest simulated step, 0 … lengthM from the infeed, m. */
  get toteTravelM(): number {
    if (this.#disposed) throw new MotionError('E_MOTION_DISPOSED', 'this conveyor was disposed; build a new one to read it');
    const x = this.#held ? this.#p.x : this.#tote.translation(this.#p).x;
    const travel = (x + this.#beltTravelM) % this.config.lengthM;
    return travel < 0 ? travel + this.config.lengthM : travel;
  }

  /** Frees the rapier world. The measurands throw afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#recorder.dispose();
    this.#world.free();
  }

  /** Physics step k, from t_(k−1) to t_k; writes the IMU row and the belt speed held over it. */
  #step(k: number, row: Float64Array): void {
    // Inputs held over the step take their mid-step values: exact means for linear ramps.
    const tMid = (k - 0.5) * this.#stepS;
    const speed = this.#drive.next(tMid, this.#stepS, this.#slipAt(tMid));
    const dV = speed - this.#beltSpeed;
    this.#beltSpeed = speed;
    this.#beltTravelM = (this.#beltTravelM + speed * this.#stepS) % this.config.lengthM;

    this.#updateJam(tMid, speed);
    if (this.#held && Math.abs(dV) * this.config.physicsHz > this.#releaseAccel) this.#release();

    const v = this.#v;
    // A held tote keeps the velocity, orientation and (zero) rotation it settled with: static friction carries it.
    if (!this.#held) {
      const tote = this.#tote;
      if (dV !== 0) {
        tote.linvel(v);
        v.x -= dV;
        tote.setLinvel(v, true);
      }
      if (this.#jamActive) this.#obstacle.setLinvel({ x: -speed, y: 0, z: 0 }, true);
      this.#world.step();
      tote.linvel(v);
      tote.angvel(this.#w);
      tote.rotation(this.#q);
      this.#recentre();
      this.#settle();
    }
    const inWorld = this.#worldVelocity;
    inWorld.x = v.x + speed;
    inWorld.y = v.y;
    inWorld.z = v.z;
    this.#imu.record(inWorld, this.#q, this.#w, row, 0);
    row[IMU_WIDTH] = speed;
  }

  /** Fraction of the commanded speed the belt loses to slip at `tS`: 1 − Π(1 − sᵢ) over the slip faults. */
  #slipAt(tS: number): number {
    let kept = 1;
    for (const fault of this.#slips) kept *= 1 - severityAt(tS, fault);
    return 1 - kept;
  }

  /** Places the jam obstacle in front of the tote when a jam starts, and removes it when the last one ends. */
  #updateJam(tS: number, speed: number): void {
    let severity = 0;
    for (const fault of this.#jams) severity = Math.max(severity, severityAt(tS, fault));
    if (severity > 0 && !this.#jamActive) {
      this.#release();
      const R = rapier();
      const [length, width, height] = this.config.toteSizeM;
      const x = this.#tote.translation(this.#p).x;
      const obstacleHeight = severity * height;
      this.#obstacle.setTranslation({ x: x + length / 2 + JAM_GAP_M + JAM_THICKNESS_M / 2, y: obstacleHeight / 2, z: 0 }, true);
      this.#obstacle.setLinvel({ x: -speed, y: 0, z: 0 }, true);
      this.#world.createCollider(R.ColliderDesc.cuboid(JAM_THICKNESS_M / 2, obstacleHeight / 2, width / 2 + 0.05), this.#obstacle);
      this.#jamActive = true;
    } else if (severity === 0 && this.#jamActive) {
      this.#world.removeCollider(this.#obstacle.collider(0), true);
      this.#obstacle.setLinvel({ x: 0, y: 0, z: 0 }, false);
      this.#jamActive = false;
    }
  }

  /**
   * Lets the tote settle into its contact with the belt before the run (rapier's contacts need a few steps to
   * carry the weight), then starts it at rest in the world: in the belt frame, moving backwards at belt speed.
   */
  #placeTote(): void {
    for (let i = 0; i < PLACE_S * this.config.physicsHz; i++) this.#world.step();
    this.#tote.setLinvel({ x: -this.#beltSpeed, y: 0, z: 0 }, true);
    this.#tote.setAngvel({ x: 0, y: 0, z: 0 }, true);
    this.#tote.rotation(this.#q);
  }

  /** Hands a held tote back to rapier, as it was when it settled. */
  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#stuckSteps = 0;
  }

  /**
   * Holds the tote once it has stuck to the belt for SETTLE_S. Its residual relative velocity (under 0.1 mm/s, the
   * solver's creep) is kept rather than zeroed, so holding and releasing never show as a jolt; its residual spin
   * is zeroed, which the accelerometer does not see.
   */
  #settle(): void {
    const v = this.#v;
    const w = this.#w;
    const stuck =
      !this.#jamActive &&
      v.x * v.x + v.y * v.y + v.z * v.z < STUCK_SPEED_MS ** 2 &&
      w.x * w.x + w.y * w.y + w.z * w.z < STUCK_RATE_RADS ** 2;
    this.#stuckSteps = stuck ? this.#stuckSteps + 1 : 0;
    if (this.#stuckSteps < this.#settleSteps) return;
    this.#held = true;
    w.x = 0;
    w.y = 0;
    w.z = 0;
    this.#tote.setAngvel(w, false);
    this.#tote.translation(this.#p);
  }

  /** Shifts tote and obstacle back towards the origin when they have drifted (a long jam slides them backwards). */
  #recentre(): void {
    const p = this.#tote.translation(this.#p);
    if (Math.abs(p.x) <= RECENTRE_M) return;
    const shift = Math.round(p.x);
    this.#beltTravelM = (this.#beltTravelM + shift) % this.config.lengthM;
    this.#tote.setTranslation({ x: p.x - shift, y: p.y, z: p.z }, false);
    if (this.#jamActive) {
      const o = this.#obstacle.translation();
      this.#obstacle.setTranslation({ x: o.x - shift, y: o.y, z: o.z }, false);
    }
    p.x -= shift;
  }
}
