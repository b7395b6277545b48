import { beforeAll, describe, expect, it } from 'vitest';
import { IMU_AXES, MotionError, RobotArmSchema, initPhysics } from '../../../../twins/motion/index';
import { faults, maxAbs, peakDeviationG, record, robotArm, slice } from './motion-helpers';

beforeAll(async () => {
  await initPhysics();
});

/** Largest difference between two equally long windows of one axis. */
function maxDifference(a: Float64Array, b: Float64Array): number {
  return maxAbs(a.map((v, i) => v - b[i]!));
}

describe('RobotArm healthy cycle', () => {
  it('repeats its motion every cycle: cycle 3 reproduces cycle 2 on every IMU axis', () => {
    const twin = robotArm({ pickJitterM: 0 });
    const imu = record(twin, 12);
    for (const axis of IMU_AXES) {
      expect(maxDifference(slice(imu[axis], 8, 12), slice(imu[axis], 4, 8)), axis).toBeLessThan(1e-9);
    }
    // And the cycle is real motion, not a standstill: 0.2 g peaks and the swing's yaw rate.
    expect(peakDeviationG(slice(imu['imu-ax'], 4, 8), slice(imu['imu-ay'], 4, 8), slice(imu['imu-az'], 4, 8))).toBeGreaterThan(0.2);
    twin.dispose();
  });

  it('swings 90° about the base in each 1.5 s move, peaking at the minimum-jerk yaw rate 1.875·90°/1.5 s', () => {
    const twin = robotArm({ pickJitterM: 0 });
    const gz = record(twin, 4)['imu-gz'];
    // Pick on +x to place on +z is a yaw of −90° (clockwise seen from above), and back.
    expect(Math.min(...gz)).toBeCloseTo(-112.5, 0);
    expect(Math.max(...gz)).toBeCloseTo(112.5, 0);
    // Integrating the rate over a move gives the swing.
    expect(slice(gz, 0.5, 2.1).reduce((sum, v) => sum + v / 100, 0)).toBeCloseTo(-90, 0);
    twin.dispose();
  });

  it('scatters the pick position from cycle to cycle with pickJitterM, so cycles differ by a little', () => {
    const imu = record(robotArm({ pickJitterM: 0.002 }), 12);
    const difference = maxDifference(slice(imu['imu-ax'], 8, 12), slice(imu['imu-ax'], 4, 8));
    expect(difference).toBeGreaterThan(1e-4);
    expect(difference).toBeLessThan(0.01);
  });
});

describe('RobotArm collision', () => {
  const fault = { type: 'collision', device: 'arm-1', atS: 9, forS: 6 };

  it('shows an acceleration peak many times the healthy peak after the onset, and nothing different before it', () => {
    const healthy = record(robotArm(), 20);
    const twin = robotArm({}, faults(fault));
    const hit = record(twin, 20);
    const peak = (imu: typeof hit, fromS: number, toS: number) =>
      peakDeviationG(slice(imu['imu-ax'], fromS, toS), slice(imu['imu-ay'], fromS, toS), slice(imu['imu-az'], fromS, toS));
    const healthyPeak = peak(healthy, 0, 9);
    expect(healthyPeak).toBeGreaterThan(0.2);
    expect(healthyPeak).toBeLessThan(0.3);
    // Before the onset the faulty arm is the healthy arm, sample for sample.
    for (const axis of IMU_AXES) expect(maxDifference(slice(hit[axis], 0, 9), slice(healthy[axis], 0, 9)), axis).toBe(0);
    // The effector runs into the obstacle on its next pass (mid-move at 9.25 s).
    expect(peak(hit, 9, 9.5)).toBeGreaterThan(10 * healthyPeak);
    const gyroPeak = (imu: typeof hit, fromS: number, toS: number) =>
      Math.max(maxAbs(slice(imu['imu-gx'], fromS, toS)), maxAbs(slice(imu['imu-gy'], fromS, toS)));
    expect(gyroPeak(healthy, 0, 20)).toBeLessThan(0.01);
    expect(gyroPeak(hit, 9, 9.5)).toBeGreaterThan(50);
    expect(twin.activeFaults(8.99)).toEqual([]);
    expect(twin.activeFaults(9)).toEqual([{ type: 'collision', severity: 1 }]);
    twin.dispose();
  });

  it('disturbs the cycle while the obstacle stands, and runs its healthy cycle again once it is gone', () => {
    const healthy = record(robotArm(), 20);
    const hit = record(robotArm({}, faults(fault)), 20);
    // The effector never reaches the place position while blocked, so its cycle differs from the healthy one …
    expect(maxDifference(slice(hit['imu-gz'], 10, 15), slice(healthy['imu-gz'], 10, 15))).toBeGreaterThan(20);
    // … and after the fault (15 s) the next dwell settles it back onto the healthy cycle.
    for (const axis of IMU_AXES) expect(maxDifference(slice(hit[axis], 16, 20), slice(healthy[axis], 16, 20)), axis).toBeLessThan(1e-6);
  });

  it('hits harder the further the obstacle intrudes, from a glancing 2 % to a head-on block', () => {
    const peakAfter = (severity: number) => {
      const imu = record(robotArm({}, faults({ ...fault, severity })), 10);
      return peakDeviationG(slice(imu['imu-ax'], 9, 10), slice(imu['imu-ay'], 9, 10), slice(imu['imu-az'], 9, 10));
    };
    expect(peakAfter(0)).toBeLessThan(0.3);
    expect(peakAfter(0.02)).toBeGreaterThan(3);
    expect(peakAfter(1)).toBeGreaterThan(peakAfter(0.02));
  });
});

describe('RobotArmSchema', () => {
  it('applies the documented defaults: a 4 s cycle, 0.5 s dwells, 90° swing, 10 Hz tracking, 100 Hz physics', () => {
    expect(RobotArmSchema.parse({ id: 'arm-1' })).toEqual({
      id: 'arm-1',
      cycleS: 4,
      dwellS: 0.5,
      pickM: [0.6, 0.1, 0],
      placeM: [0, 0.1, 0.6],
      liftM: 0.15,
      payloadKg: 1,
      effectorKg: 5,
      wristInertiaKgM2: 0.05,
      effectorSizeM: 0.1,
      trackingHz: 10,
      maxForceN: 300,
      pickJitterM: 0.002,
      physicsHz: 100,
      solverIterations: 1,
    });
  });

  it('refuses a dwell that leaves no time to move and a controller too stiff for the physics step', () => {
    const dwell = RobotArmSchema.safeParse({ id: 'arm-1', cycleS: 2, dwellS: 1 });
    expect(dwell.error?.issues[0]?.path).toEqual(['dwellS']);
    const stiff = RobotArmSchema.safeParse({ id: 'arm-1', physicsHz: 100, trackingHz: 20 });
    expect(stiff.error?.issues[0]?.message).toMatch(/trackingHz must be at most 11\.1 Hz at physicsHz 100/);
    expect(RobotArmSchema.safeParse({ id: 'arm-1', physicsHz: 400, trackingHz: 20 }).success).toBe(true);
  });

  it('refuses a fault whose type does not apply to a robot arm', () => {
    expect(() => robotArm({}, faults({ type: 'jam', device: 'arm-1', atS: 1 }))).toThrow(MotionError);
  });
});
