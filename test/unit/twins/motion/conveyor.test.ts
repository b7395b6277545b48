import { beforeAll, describe, expect, it } from 'vitest';
import { ConveyorSchema, JamFaultSchema, MotionError, initPhysics } from '../../../../twins/motion/index';
import { conveyor, faults, integrateG, maxAbs, mean, record, slice } from './motion-helpers';

beforeAll(async () => {
  await initPhysics();
});

describe('Conveyor on a running belt', () => {
  it('brings a tote set down at rest to belt speed: the integrated forward acceleration equals the belt speed', () => {
    const twin = conveyor({ speedMS: 1.2 });
    const imu = record(twin, 8);
    expect(integrateG(imu['imu-ax'])).toBeCloseTo(1.2, 2);
    // The encoder reads the belt surface: 1.2 m/s, its ±0.2 % pulley ripple averaging out over whole seconds.
    expect(mean(slice(imu['belt-speed'], 2, 8))).toBeCloseTo(1.2, 3);
    expect(maxAbs(slice(imu['belt-speed'], 2, 8).map((v) => v - 1.2))).toBeLessThan(1.2 * 0.0021);
    twin.dispose();
  });

  it('accelerates the sliding tote at μ·g (Coulomb friction) until it matches the belt, then only the ripple remains', () => {
    const twin = conveyor({ speedMS: 1.2, friction: 0.4 });
    const imu = record(twin, 3);
    // Slides for v/(μg) = 1.2/(0.4·9.80665) = 0.306 s at 0.4 g.
    expect(mean(slice(imu['imu-ax'], 0.05, 0.25))).toBeCloseTo(0.4, 3);
    // Ripple: a = r·v·(2v/D) = 0.002·1.2·24 = 0.0576 m/s² = 0.0059 g at most.
    expect(maxAbs(slice(imu['imu-ax'], 0.5, 3))).toBeLessThan(0.006);
    expect(maxAbs(slice(imu['imu-ax'], 0.5, 3))).toBeGreaterThan(0.005);
    expect(mean(slice(imu['imu-az'], 0, 3))).toBeCloseTo(1, 4);
    twin.dispose();
  });

  it('follows a speed profile: the tote rides a 0 → 1.5 m/s ramp over 2 s at 0.75 m/s² without slipping', () => {
    const twin = conveyor({ speedMS: 0, speedRipple: 0, speedProfile: [{ atS: 2, speedMS: 0 }, { atS: 4, speedMS: 1.5 }] });
    const imu = record(twin, 6);
    expect(maxAbs(slice(imu['belt-speed'], 0, 2))).toBe(0);
    // Each sample is the mean over the period before it, so samples 2.95 … 3.04 s centre on 2.99 s: 0.7425 m/s.
    expect(mean(slice(imu['belt-speed'], 2.95, 3.05))).toBeCloseTo(0.7425, 9);
    expect(mean(slice(imu['belt-speed'], 4.01, 6))).toBe(1.5);
    expect(mean(slice(imu['imu-ax'], 2.2, 3.8))).toBeCloseTo(0.75 / 9.80665, 3);
    expect(integrateG(imu['imu-ax'])).toBeCloseTo(1.5, 2);
    twin.dispose();
  });

  it('lets the tote re-enter at the infeed with its speed: its travel wraps at the belt length with no jolt', () => {
    const twin = conveyor({ speedMS: 1, lengthM: 5, speedRipple: 0 });
    const imu = record(twin, 12);
    // Simulated to the last sample, 11.99 s, at 1 m/s, less the distance lost while sliding up to speed,
    // v²/(2μg) = 0.127 m: 11.86 m, wrapped twice on a 5 m belt.
    expect(twin.toteTravelM).toBeCloseTo(11.99 - 1 / (2 * 0.4 * 9.80665) - 10, 2);
    expect(maxAbs(slice(imu['imu-ax'], 1, 12))).toBeLessThan(1e-4);
    twin.dispose();
  });
});

describe('ConveyorSchema', () => {
  it('applies the documented defaults: 1 m/s, 10 m, a 10 kg Euro tote, μ 0.4, 0.2 % ripple, 200 Hz physics', () => {
    expect(ConveyorSchema.parse({ id: 'belt-1' })).toEqual({
      id: 'belt-1',
      speedMS: 1,
      speedProfile: [],
      lengthM: 10,
      toteKg: 10,
      toteSizeM: [0.6, 0.4, 0.3],
      friction: 0.4,
      pulleyDiameterM: 0.1,
      speedRipple: 0.002,
      physicsHz: 200,
      solverIterations: 2,
    });
  });
});

describe('Conveyor faults', () => {
  it('belt-slip of severity 0.3 runs the belt surface, and the tote on it, at 0.7× the commanded speed', () => {
    const twin = conveyor({ speedMS: 1 }, faults({ type: 'belt-slip', device: 'belt-1', atS: 5, severity: 0.3 }));
    const imu = record(twin, 12);
    expect(integrateG(slice(imu['imu-ax'], 0, 5))).toBeCloseTo(1, 2);
    expect(integrateG(imu['imu-ax'])).toBeCloseTo(0.7, 2);
    expect(mean(slice(imu['belt-speed'], 7, 12))).toBeCloseTo(0.7, 3);
    expect(twin.activeFaults(4.9)).toEqual([]);
    expect(twin.activeFaults(5)).toEqual([{ type: 'belt-slip', severity: 0.3 }]);
    twin.dispose();
  });

  it('jam: the tote hits the obstacle at the jam time (a deceleration spike), then stays still until it clears', () => {
    const twin = conveyor({ speedMS: 1 }, faults({ type: 'jam', device: 'belt-1', atS: 5, forS: 4 }));
    const imu = record(twin, 12);
    const ax = imu['imu-ax'];
    expect(maxAbs(slice(ax, 1, 5))).toBeLessThan(0.01);
    // 1 m/s lost in one 5 ms physics step: about −20 g, spread over one 10 ms sample period.
    expect(Math.min(...slice(ax, 5, 5.05))).toBeLessThan(-5);
    // It rebounds a little (about 0.15 m/s), friction pushes it back against the obstacle, and it stays.
    expect(integrateG(slice(ax, 0, 5.02))).toBeLessThan(0);
    expect(integrateG(slice(ax, 0, 5.02))).toBeGreaterThan(-0.3);
    expect(Math.abs(integrateG(slice(ax, 0, 5.2)))).toBeLessThan(0.002);
    // Pressed against the obstacle by the belt sliding under it: no acceleration, upright.
    expect(maxAbs(slice(ax, 5.2, 9))).toBeLessThan(1e-3);
    expect(mean(slice(imu['imu-az'], 5.2, 9))).toBeCloseTo(1, 4);
    expect(mean(slice(imu['belt-speed'], 5.2, 9))).toBeCloseTo(1, 3);
    // Cleared at 9 s: friction carries it from rest back up to belt speed. (Integrating across the jam would add
    // the pressed tote's 0.005° tilt, which the accelerometer cannot tell from acceleration.)
    expect(integrateG(slice(ax, 9, 12))).toBeCloseTo(1, 2);
    expect(twin.activeFaults(6)).toEqual([{ type: 'jam', severity: 1 }]);
    expect(twin.activeFaults(9)).toEqual([]);
    twin.dispose();
  });

  it('refuses a jam that grows, and a fault whose type does not apply to a conveyor', () => {
    const ramped = JamFaultSchema.safeParse({ type: 'jam', device: 'belt-1', atS: 5, growth: 'ramp', rampS: 2 });
    expect(ramped.success).toBe(false);
    expect(ramped.error?.issues.map((i) => i.path.join('.'))).toContain('growth');
    expect(() => conveyor({}, faults({ type: 'collision', device: 'belt-1', atS: 1 }))).toThrow(MotionError);
    expect(() => conveyor({}, faults({ type: 'collision', device: 'belt-1', atS: 1 }))).toThrow(/takes only "belt-slip", "jam"/);
  });
});
