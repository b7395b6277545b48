import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../sim/index';
import { PickPlaceCycle, minimumJerk, type EffectorTarget } from '../../../../twins/motion/trajectory';

const progress = () => ({ s: 0, sDot: 0, sDdot: 0 });
const target = (): EffectorTarget => ({ p: [0, 0, 0], v: [0, 0, 0], a: [0, 0, 0], yawRad: 0, yawRateRadS: 0, yawAccelRadS2: 0, carrying: false, still: true });

describe('minimumJerk', () => {
  it('starts and ends at rest and passes the midpoint at peak speed 1.875/T', () => {
    const T = 1.5;
    const rest = (tS: number) => Object.values(minimumJerk(tS, T, progress())).map(Math.abs);
    expect(rest(0)).toEqual([0, 0, 0]);
    expect(rest(T)).toEqual([1, 0, 0]);
    const mid = minimumJerk(T / 2, T, progress());
    expect(mid.s).toBeCloseTo(0.5, 15);
    expect(mid.sDot).toBeCloseTo(1.875 / T, 14);
    expect(mid.sDdot).toBeCloseTo(0, 14);
  });

  it('peaks in acceleration at τ = ½ − √3/6 with s̈ = 10√3/3 / T² (5.7735/T²)', () => {
    const T = 2;
    const tau = 0.5 - Math.sqrt(3) / 6;
    expect(minimumJerk(tau * T, T, progress()).sDdot).toBeCloseTo((10 * Math.sqrt(3)) / 3 / (T * T), 12);
  });
});

describe('PickPlaceCycle', () => {
  const options = { pickM: [0.6, 0.1, 0], placeM: [0, 0.1, 0.6], cycleS: 4, dwellS: 0.5, liftM: 0.15, pickJitterM: 0 } as const;

  it('dwells at pick, carries the part over an arc of height liftM to place, dwells, and returns empty', () => {
    const cycle = new PickPlaceCycle(options, createRng('cycle'));
    const out = target();
    expect(cycle.at(0.25, out)).toMatchObject({ p: [0.6, 0.1, 0], v: [0, 0, 0], carrying: false, still: true });
    // Mid-move (0.5 s dwell + half of the 1.5 s move): the midpoint raised by liftM, at peak speed 1.875·D/T.
    cycle.at(1.25, out);
    expect(out.p[0]).toBeCloseTo(0.3, 12);
    expect(out.p[1]).toBeCloseTo(0.25, 12);
    expect(out.p[2]).toBeCloseTo(0.3, 12);
    expect(Math.hypot(...out.v)).toBeCloseTo((1.875 * 0.6 * Math.SQRT2) / 1.5, 12);
    expect(out.carrying).toBe(true);
    // The swing from yaw 0 (on +x) to yaw −90° (on +z) is half done.
    expect(out.yawRad).toBeCloseTo(-Math.PI / 4, 12);
    expect(cycle.at(2.25, out)).toMatchObject({ p: [0, 0.1, 0.6], carrying: true, still: true });
    cycle.at(3.999999, out);
    expect(out.p[0]).toBeCloseTo(0.6, 9);
    expect(out.carrying).toBe(false);
    expect(cycle.at(4.25, out).p).toEqual([0.6, 0.1, 0]);
  });

  it('scatters the pick position from cycle to cycle by pickJitterM, the same way for the same stream', () => {
    const picks = (seed: string) => {
      const cycle = new PickPlaceCycle({ ...options, pickJitterM: 0.002 }, createRng(seed));
      return [0, 1, 2, 3].map((n) => [...cycle.at(n * 4 + 0.1, target()).p]);
    };
    const a = picks('arm-1');
    expect(picks('arm-1')).toEqual(a);
    expect(picks('arm-2')).not.toEqual(a);
    for (const [x, y, z] of a) {
      expect(y).toBe(0.1);
      expect(Math.hypot(x! - 0.6, z!)).toBeLessThan(0.012); // 6σ
      expect(Math.hypot(x! - 0.6, z!)).toBeGreaterThan(0);
    }
  });
});
