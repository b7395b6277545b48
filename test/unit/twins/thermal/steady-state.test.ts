import { describe, expect, it } from 'vitest';
import type { ThermalDrivers } from '../../../../twins/thermal/index';
import { network, readTogether } from './sampling';

// Defaults: R_wh = 0.03, R_bh = 0.15, R_ha = 0.028 K/W; P_rated = 1200 W, P_f = 50 W; ambient 25 °C (swing off here).
// Steady state of C·dT/dt = P − Σ(T − T_nb)/R: T_h = T_a + (P_e + P_f)·R_ha/c, T_w = T_h + P_e·R_wh, T_b = T_h + P_f·R_bh.

const CHANGE_AT_S = 600;
const FLAT_AMBIENT = { ambientDailyAmplitudeC: 0 };

/** Healthy full load until CHANGE_AT_S, then `after`. */
function changeAt(after: Partial<{ load: number; frictionFactor: number; coolingFactor: number }>): ThermalDrivers {
  const value = (name: keyof typeof after) => (tS: number) => (tS < CHANGE_AT_S ? 1 : (after[name] ?? 1));
  return { load: value('load'), frictionFactor: value('frictionFactor'), coolingFactor: value('coolingFactor') };
}

/** Winding, housing and bearing at t = 0, just before the change, and after `durationS` (many time constants). */
function settle(input: Parameters<typeof network>[0], drivers: ThermalDrivers, durationS: number) {
  const net = network(input, drivers);
  const rateHz = 1 / 60;
  const signals = readTogether(
    [net.winding, net.housing, net.bearing].map((measurand) => ({ measurand, rateHz, blockSamples: 8 })),
    durationS,
  );
  const [winding, housing, bearing] = signals.map((s) => ({
    start: s[0]!,
    beforeChange: s[CHANGE_AT_S * rateHz - 1]!,
    end: s[s.length - 1]!,
  }));
  return { winding: winding!, housing: housing!, bearing: bearing! };
}

const HOURS = 3600;

describe('ThermalNetwork steady state', () => {
  it('starts at the steady state of the initial drivers, with no warm-up from ambient', () => {
    // Full load: T_h = 25 + (1200 + 50)·0.028 = 60, T_w = 60 + 1200·0.03 = 96, T_b = 60 + 50·0.15 = 67.5 °C.
    const s = settle(FLAT_AMBIENT, changeAt({}), 1 * HOURS);
    expect(s.housing.start).toBeCloseTo(60, 9);
    expect(s.winding.start).toBeCloseTo(96, 9);
    expect(s.bearing.start).toBeCloseTo(67.5, 9);
    expect(s.winding.beforeChange).toBeCloseTo(96, 9);
    expect(s.winding.end).toBeCloseTo(96, 9);
  });

  it('settles at the analytic temperatures after a step from full to 0.8 load', () => {
    // P_e = 1200·0.8² = 768 W. T_h = 25 + (768 + 50)·0.028 = 47.904; T_w = 47.904 + 768·0.03 = 70.944
    // (= T_a + P_e·(R_wh + R_ha) + P_f·R_ha); T_b = 47.904 + 50·0.15 = 55.404 °C.
    const s = settle(FLAT_AMBIENT, changeAt({ load: 0.8 }), 12 * HOURS);
    expect(s.housing.end).toBeCloseTo(47.904, 6);
    expect(s.winding.end).toBeCloseTo(70.944, 6);
    expect(s.bearing.end).toBeCloseTo(55.404, 6);
  });

  it('scales the rise over ambient with load²: half load gives a quarter of the full-load rise', () => {
    // Friction off so that all heat is electrical. Full load: winding rise 1200·(0.03 + 0.028) = 69.6 K, housing
    // 1200·0.028 = 33.6 K. Half load: P_e = 1200·0.25 = 300 W, rises 17.4 K and 8.4 K.
    const s = settle({ ...FLAT_AMBIENT, bearingFrictionLossW: 0 }, changeAt({ load: 0.5 }), 12 * HOURS);
    expect(s.winding.beforeChange - 25).toBeCloseTo(69.6, 9);
    expect(s.housing.beforeChange - 25).toBeCloseTo(33.6, 9);
    expect(s.winding.end - 25).toBeCloseTo(17.4, 6);
    expect(s.housing.end - 25).toBeCloseTo(8.4, 6);
    expect((s.winding.end - 25) / (s.winding.beforeChange - 25)).toBeCloseTo(0.25, 7);
  });

  it('raises the bearing by (f − 1)·P_f·(R_bh + R_ha) when frictionFactor rises to f = 3', () => {
    // Extra friction 2·50 = 100 W: bearing +100·(0.15 + 0.028) = +17.8 K to 85.3 °C; housing and winding +100·0.028 = +2.8 K.
    const s = settle(FLAT_AMBIENT, changeAt({ frictionFactor: 3 }), 12 * HOURS);
    expect(s.bearing.end - s.bearing.beforeChange).toBeCloseTo(17.8, 6);
    expect(s.bearing.end).toBeCloseTo(85.3, 6);
    expect(s.housing.end - s.housing.beforeChange).toBeCloseTo(2.8, 6);
    expect(s.winding.end - s.winding.beforeChange).toBeCloseTo(2.8, 6);
  });

  it('doubles the housing → ambient resistance when coolingFactor is 0.5', () => {
    // R_ha/0.5 = 0.056 K/W: housing rise 1250·0.056 = 70 K (twice 35 K) to 95 °C; winding 95 + 36 = 131; bearing 102.5 °C.
    // The slow mode slows to τ ≈ 0.056·71000 = 3976 s, so let it settle for a day.
    const s = settle(FLAT_AMBIENT, changeAt({ coolingFactor: 0.5 }), 24 * HOURS);
    expect(s.housing.beforeChange - 25).toBeCloseTo(35, 9);
    expect(s.housing.end - 25).toBeCloseTo(70, 6);
    expect(s.winding.end).toBeCloseTo(131, 6);
    expect(s.bearing.end).toBeCloseTo(102.5, 6);
  });

  it('follows the daily ambient cycle with the lag and attenuation of the slow mode', () => {
    // The network is linear, so over whole days the housing mean sits (P_e + P_f)·R_ha = 35 K above the ambient mean.
    // The ambient sinusoid reaches the housing through the slow mode, τ ≈ R_ha·(C_w + C_h + C_b) = 0.028·71000 = 1988 s:
    // amplitude 4/√(1 + (ωτ)²) = 3.959 K and lag atan(ωτ)/ω = 1973 s ≈ 33 min, with ω = 2π/86400 s.
    const net = network({}, changeAt({}));
    const rateHz = 1 / 60;
    const [housing, ambient] = readTogether(
      [net.housing, net.ambient].map((measurand) => ({ measurand, rateHz, blockSamples: 8 })),
      3 * 24 * HOURS,
    );
    const lastDay = (x: Float64Array) => x.subarray(2 * 24 * 60);
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    const swing = (x: Float64Array) => (Math.max(...x) - Math.min(...x)) / 2;
    const peakMinute = (x: Float64Array) => x.indexOf(Math.max(...x));
    const omega = (2 * Math.PI) / (24 * HOURS);
    const tau = 0.028 * 71_000;
    expect(mean(lastDay(housing!)) - mean(lastDay(ambient!))).toBeCloseTo(35, 3);
    expect(swing(lastDay(housing!))).toBeCloseTo(4 / Math.sqrt(1 + (omega * tau) ** 2), 2);
    expect(peakMinute(lastDay(ambient!))).toBe(15 * 60);
    expect(Math.abs(peakMinute(lastDay(housing!)) - 15 * 60 - Math.atan(omega * tau) / omega / 60)).toBeLessThanOrEqual(2);
  });
});
