import { describe, expect, it } from 'vitest';
import { ThermalError, type ThermalDrivers } from '../../../../twins/thermal/index';
import { network, read, readTogether } from './sampling';

// A day in the life: load steps at 10 min, ramps down over an hour from 1 h, cooling degrades from 30 min.
const busy: ThermalDrivers = {
  load: (tS) => (tS < 600 ? 0.3 : tS < 3600 ? 1 : Math.max(0.4, 1 - (tS - 3600) / 6000)),
  frictionFactor: (tS) => 1 + tS / 7200,
  coolingFactor: (tS) => (tS < 1800 ? 1 : Math.max(0.6, 1 - (tS - 1800) / 9000)),
};
const DURATION_S = 2 * 3600;

describe('ThermalNetwork shared by several channels', () => {
  it('gives channels at different rates and block sizes the same values at shared instants', () => {
    const net = network({}, busy);
    const [w1, w10, h4, rh1, rhHalf] = readTogether(
      [
        { measurand: net.winding, rateHz: 1, blockSamples: 30 },
        { measurand: net.winding, rateHz: 10, blockSamples: 64 },
        { measurand: net.housing, rateHz: 4, blockSamples: 100 },
        { measurand: net.humidity, rateHz: 1, blockSamples: 50 },
        { measurand: net.humidity, rateHz: 0.5, blockSamples: 7 },
      ],
      DURATION_S,
    );
    let windingGap = 0;
    let humidityGap = 0;
    for (let t = 0; t < DURATION_S; t++) {
      windingGap = Math.max(windingGap, Math.abs(w10![10 * t]! - w1![t]!));
      if (t % 2 === 0) humidityGap = Math.max(humidityGap, Math.abs(rhHalf![t / 2]! - rh1![t]!));
    }
    expect(windingGap).toBeLessThan(1e-9);
    expect(humidityGap).toBeLessThan(1e-9);
    // Same as a network read alone by one channel in one long block: who reads first changes nothing.
    const alone = network({}, busy, { historyS: DURATION_S });
    const housingAlone = read(alone.housing, 4, 4 * DURATION_S, DURATION_S);
    let housingGap = 0;
    for (let i = 0; i < housingAlone.length; i++) housingGap = Math.max(housingGap, Math.abs(housingAlone[i]! - h4![i]!));
    expect(housingGap).toBeLessThan(1e-9);
    // The drivers did move the temperatures: the load step at 600 s heats the winding by tens of kelvin.
    expect(w1![3599]! - w1![599]!).toBeGreaterThan(30);
  });

  it('reads between grid points within 1e-5 K of a ten times finer integration', () => {
    // Drivers are held over each 1 s step, so inside a step a load ramp differs from the fine run by about
    // P'·h²/(8·C_w) = 0.4 W/s · 1 s² / 80000 J/K = 5e-6 K. Linear interpolation would add T''·h²/8 ≈ 36 K/300² s² / 8 = 5e-5 K.
    const coarse = read(network({}, busy).winding, 10, 128, DURATION_S);
    const fine = network({}, busy, { maxStepS: 0.1 });
    expect(fine.stepS).toBe(0.1);
    const reference = read(fine.winding, 10, 128, DURATION_S);
    let worst = 0;
    for (let i = 0; i < coarse.length; i++) worst = Math.max(worst, Math.abs(coarse[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('refuses a read older than historyS behind the furthest reader, with E_THERMAL_HISTORY', () => {
    const net = network({}, busy, { historyS: 60 });
    const out = new Float64Array(10);
    net.winding.fill(out, 1000, 1);
    // Newest grid point 1010 s; 62 rows (⌈60/1⌉ + 2) keep the intervals from 949 s on.
    net.housing.fill(out, 949, 1);
    expect(out[0]).toBeGreaterThan(25);
    expect(() => net.bearing.fill(out, 948, 1)).toThrow(ThermalError);
    expect(() => net.bearing.fill(out, 948, 1)).toThrow(/asked for t = 948 s but the network keeps only t ≥ 949 s/);
  });

  it('rejects a driver value that is not a finite number ≥ 0, naming the driver', () => {
    const broken = network({}, { ...busy, coolingFactor: (tS) => (tS < 100 ? 1 : Number.NaN) });
    const out = new Float64Array(200);
    let error: unknown;
    try {
      broken.winding.fill(out, 0, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThermalError);
    expect((error as ThermalError).code).toBe('E_THERMAL_DRIVER');
    expect((error as ThermalError).message).toMatch(/coolingFactor\(100\.5\) returned NaN/);
    expect(() => network({}, { ...busy, load: () => -0.1 })).toThrow(/load\(0\) returned -0.1/);
  });

  it('refuses to start with no path to ambient (coolingFactor 0 at t = 0) and rejects bad options', () => {
    expect(() => network({}, { ...busy, coolingFactor: () => 0 })).toThrow(/no steady state/);
    expect(() => network({}, busy, { startHourOfDay: 24 })).toThrow(/startHourOfDay is 24/);
    expect(() => network({}, busy, { maxStepS: 0 })).toThrow(ThermalError);
  });

  it('keeps heating without bound once coolingFactor drops to 0 mid-run', () => {
    // No path to ambient: all 1250 W go into C_w + C_h + C_b = 71000 J/K, about 0.0176 K/s once the transient is over.
    const net = network({ ambientDailyAmplitudeC: 0 }, { load: () => 1, frictionFactor: () => 1, coolingFactor: (tS) => (tS < 600 ? 1 : 0) });
    const housing = read(net.housing, 1 / 60, 10, 6 * 3600);
    const lastHourSlope = (housing[housing.length - 1]! - housing[housing.length - 61]!) / 3600;
    expect(lastHourSlope).toBeCloseTo(1250 / 71_000, 4);
  });
});
