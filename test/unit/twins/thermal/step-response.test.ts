import { describe, expect, it } from 'vitest';
import { network, read, readTogether } from './sampling';

// Acceptance criterion: a load step gives T(t) = T0 + ΔT∞·(1 − e^(−t/τ)) within 1% at t = τ/2, τ, 2τ, 3τ, read through
// the public Measurands block by block. Ambient is held constant (no daily swing) so the step is the only input change.

const STEP_AT_S = 600;
const loadStep = (before: number, after: number) => ({
  load: (tS: number) => (tS < STEP_AT_S ? before : after),
  frictionFactor: () => 1,
  coolingFactor: () => 1,
});

/** (T(t) − T0)/ΔT∞ against 1 − e^(−t/τ) at t = τ/2, τ, 2τ, 3τ after the step; returns the relative errors. */
function relativeErrors(signal: Float64Array, rateHz: number, t0: number, deltaInf: number, tauS: number): number[] {
  return [0.5, 1, 2, 3].map((m) => {
    const index = Math.round((STEP_AT_S + m * tauS) * rateHz);
    const normalised = (signal[index]! - t0) / deltaInf;
    // Compare at the sample's own time, which rounding may put a fraction of a sample away from m·τ.
    const expected = 1 - Math.exp(-(index / rateHz - STEP_AT_S) / tauS);
    return Math.abs(normalised - expected) / expected;
  });
}

describe('ThermalNetwork step response', () => {
  it('winding follows 1 − e^(−t/τ) within 1% at τ/2, τ, 2τ, 3τ for τ = C_w·R_wh = 300 s when the housing is pinned', () => {
    // Analytic setup: a housing capacity of 1e12 J/K pins T_h (1200 W for 900 s warms it by 1e-6 K), so the winding is a
    // single RC stage: C_w·dT_w/dt = P_e − (T_w − T_h)/R_wh, τ = C_w·R_wh = 10000 J/K · 0.03 K/W = 300 s.
    // Before the step (load 0): T_h = T_a + P_f·R_ha = 25 + 50·0.028 = 26.4 °C and T_w = T_h = 26.4 °C.
    // After (load 1): ΔT∞ = P_rated·1²·R_wh = 1200 W · 0.03 K/W = 36 K.
    const net = network(
      { ambientDailyAmplitudeC: 0, housingCapacityJPerK: 1e12, windingCapacityJPerK: 10_000, windingToHousingKPerW: 0.03 },
      loadStep(0, 1),
    );
    expect(net.stepS).toBe(1);
    const rateHz = 10;
    const winding = read(net.winding, rateHz, 256, STEP_AT_S + 3 * 300 + 60);

    expect(winding[0]).toBeCloseTo(26.4, 9);
    expect(winding[STEP_AT_S * rateHz]).toBeCloseTo(26.4, 9);
    const errors = relativeErrors(winding, rateHz, 26.4, 36, 300);
    for (const error of errors) expect(error).toBeLessThan(0.01);
    // The whole curve, between grid points too, stays within 0.1% of ΔT∞ of the analytic one.
    let worstK = 0;
    for (let i = STEP_AT_S * rateHz; i < winding.length; i++) {
      const t = i / rateHz - STEP_AT_S;
      worstK = Math.max(worstK, Math.abs(winding[i]! - (26.4 + 36 * (1 - Math.exp(-t / 300)))));
    }
    expect(worstK).toBeLessThan(0.036);
  });

  it('housing follows 1 − e^(−t/τ) within 1% for the dominant mode τ = R_ha·(C_h + C_w + C_b) ≈ 1681 s', () => {
    // Analytic setup: winding and bearing get small capacities (τ_w = 10·0.03 = 0.3 s, τ_b = 10·0.15 = 1.5 s), so on the
    // slow time scale they follow the housing and the three nodes warm as one mass through R_ha:
    // (C_h + C_w + C_b)·dT_h/dt = ΔP − (T_h − T_a)/R_ha, τ = 0.028 K/W · (60000 + 10 + 10) J/K = 1680.56 s.
    // Before the step (load 0.5): P_e = 1200·0.25 = 300 W; after (load 1): 1200 W; ΔT∞ = 900 W · 0.028 K/W = 25.2 K.
    // T0 = T_a + (P_e + P_f)·R_ha = 25 + 350·0.028 = 34.8 °C.
    const tauS = 0.028 * (60_000 + 10 + 10);
    const net = network(
      { ambientDailyAmplitudeC: 0, windingCapacityJPerK: 10, bearingCapacityJPerK: 10, housingCapacityJPerK: 60_000 },
      loadStep(0.5, 1),
    );
    // The grid shrinks to a tenth of the fastest node: h = 0.2/(2·(1/0.03)/10) = 0.03 s.
    expect(net.stepS).toBeCloseTo(0.03, 12);
    const rateHz = 1;
    const [housing, winding] = readTogether(
      [
        { measurand: net.housing, rateHz, blockSamples: 60 },
        { measurand: net.winding, rateHz, blockSamples: 60 },
      ],
      STEP_AT_S + 3 * tauS + 60,
    );

    expect(housing![0]).toBeCloseTo(34.8, 9);
    const errors = relativeErrors(housing!, rateHz, 34.8, 25.2, tauS);
    for (const error of errors) expect(error).toBeLessThan(0.01);
    // Once its 0.3 s transient is over the winding rides on the housing, R_wh·(P_e − C_w·dT_h/dt) above it, where
    // dT_h/dt = ΔT∞/τ·e^(−t/τ); at t = τ: 0.03·(1200 − 10·25.2/1680.56·e^(−1)) = 36 − 0.0016551 K.
    const i = Math.round(STEP_AT_S + tauS);
    const tS = i - STEP_AT_S;
    expect(winding![i]! - housing![i]!).toBeCloseTo(0.03 * (1200 - ((10 * 25.2) / tauS) * Math.exp(-tS / tauS)), 5);
  });
});
