import { beforeAll, describe, expect, it } from 'vitest';
import { ImuKinematics } from '../../../../twins/motion/imu';
import { initPhysics } from '../../../../twins/motion/index';
import { G0, conveyor, maxAbs, mean, record, robotArm } from './motion-helpers';

beforeAll(async () => {
  await initPhysics();
});

describe('an IMU at rest', () => {
  it('reads 1 g on the vertical axis and zero rotation, within its noise, on a stopped conveyor', () => {
    const twin = conveyor({ speedMS: 0 });
    const imu = record(twin, 10);
    expect(Math.abs(mean(imu['imu-az']) - 1)).toBeLessThan(1e-3);
    expect(Math.abs(mean(imu['imu-ax']))).toBeLessThan(1e-3);
    expect(Math.abs(mean(imu['imu-ay']))).toBeLessThan(1e-3);
    // Not just on average: every sample, including the tote settling on the belt in the first steps.
    expect(maxAbs(imu['imu-az'].map((v) => v - 1))).toBeLessThan(2e-3);
    expect(maxAbs(imu['imu-ax'])).toBeLessThan(2e-3);
    for (const axis of ['imu-gx', 'imu-gy', 'imu-gz'] as const) expect(maxAbs(imu[axis])).toBeLessThan(0.05);
    expect(maxAbs(imu['belt-speed'])).toBe(0);
    twin.dispose();
  });

  it('reads 1 g on the vertical axis and zero rotation on a robot arm at a standstill', () => {
    const twin = robotArm({ pickM: [0.5, 0.3, 0.2], placeM: [0.5, 0.3, 0.2], liftM: 0, pickJitterM: 0 });
    const imu = record(twin, 10);
    expect(Math.abs(mean(imu['imu-az']) - 1)).toBeLessThan(1e-3);
    expect(Math.abs(mean(imu['imu-ax']))).toBeLessThan(1e-3);
    expect(Math.abs(mean(imu['imu-ay']))).toBeLessThan(1e-3);
    for (const axis of ['imu-gx', 'imu-gy', 'imu-gz'] as const) expect(maxAbs(imu[axis])).toBeLessThan(0.05);
    twin.dispose();
  });
});

describe('ImuKinematics', () => {
  const level = { x: 0, y: 0, z: 0, w: 1 };
  const still = { x: 0, y: 0, z: 0 };

  it('reads gravity as +1 g on z for a level body and splits it by sin/cos for a body pitched nose-up by 30°', () => {
    expect(Array.from(ImuKinematics.restRow(level))).toEqual([0, 0, 1, 0, 0, 0]);
    // 30° about the body's z axis (which points to the IMU's right): the nose (x) rises, q = (0, 0, sin 15°, cos 15°)
    const pitched = { x: 0, y: 0, z: Math.sin(Math.PI / 12), w: Math.cos(Math.PI / 12) };
    const row = ImuKinematics.restRow(pitched);
    expect(row[0]).toBeCloseTo(0.5, 12); // sin 30°
    expect(row[1]).toBeCloseTo(0, 12);
    expect(row[2]).toBeCloseTo(Math.sqrt(3) / 2, 12); // cos 30°
  });

  it('reads a = Δv/Δt along the direction of travel and yaw rate on z in deg/s', () => {
    const imu = new ImuKinematics(200);
    const row = new Float64Array(6);
    // 0.01 m/s gained in one 5 ms step is 2 m/s²; 1 rad/s about world +y (up) is 57.29578 deg/s about the IMU's z.
    imu.record({ x: 0.01, y: 0, z: 0 }, level, { x: 0, y: 1, z: 0 }, row);
    expect(row[0]).toBeCloseTo(2 / G0, 12);
    expect(row[2]).toBeCloseTo(1, 12);
    expect(row[5]).toBeCloseTo(57.29577951308232, 10);
    imu.record({ x: 0.01, y: 0, z: 0 }, level, still, row);
    expect(row[0]).toBe(0);
  });

  it('maps the body frame to a right-handed IMU frame: a leftward push reads on +y', () => {
    const imu = new ImuKinematics(100);
    const row = new Float64Array(6);
    // Body z points right of travel (x forward, y up), so −z is left: IMU y = −body z.
    imu.record({ x: 0, y: 0, z: -0.1 }, level, { x: 0, y: 0, z: -1 }, row);
    expect(row[1]).toBeCloseTo(10 / G0, 12);
    expect(row[4]).toBeCloseTo(57.29577951308232, 10);
  });
});
