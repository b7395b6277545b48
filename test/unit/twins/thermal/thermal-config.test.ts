import { describe, expect, it } from 'vitest';
import { ThermalSchema } from '../../../../twins/thermal/index';

describe('ThermalSchema', () => {
  it('fills the ~15 kW motor-pump defaults', () => {
    expect(ThermalSchema.parse({})).toEqual({
      ambientMeanC: 25,
      ambientDailyAmplitudeC: 4,
      ambientPeakHour: 15,
      windingCapacityJPerK: 10_000,
      housingCapacityJPerK: 60_000,
      bearingCapacityJPerK: 1000,
      windingToHousingKPerW: 0.03,
      bearingToHousingKPerW: 0.15,
      housingToAmbientKPerW: 0.028,
      fullLoadLossW: 1200,
      bearingFrictionLossW: 50,
      humidityMeanPct: 50,
      humidityDailyAmplitudePct: 10,
      humiditySlowSigmaPct: 5,
      humidityCorrelationS: 10_800,
    });
  });

  it('documents every field with its unit and default', () => {
    for (const [name, field] of Object.entries(ThermalSchema.shape)) {
      const default_ = String((ThermalSchema.parse({}) as Record<string, number>)[name]);
      expect(field.description, name).toMatch(/, (°C|h|J\/K|K\/W|W|%RH|s)[ .,(]/);
      expect(field.description, name).toContain(`Default ${default_}`);
    }
  });

  it('rejects unknown fields, non-physical values and a daily humidity cycle that leaves 0–100 %RH', () => {
    expect(ThermalSchema.safeParse({ ambientMean: 20 }).success).toBe(false);
    expect(ThermalSchema.safeParse({ windingCapacityJPerK: 0 }).success).toBe(false);
    expect(ThermalSchema.safeParse({ housingToAmbientKPerW: -0.01 }).success).toBe(false);
    expect(ThermalSchema.safeParse({ ambientPeakHour: 24 }).success).toBe(false);
    const cycle = ThermalSchema.safeParse({ humidityMeanPct: 95, humidityDailyAmplitudePct: 10 });
    expect(cycle.success).toBe(false);
    expect(cycle.error?.issues[0]?.path).toEqual(['humidityDailyAmplitudePct']);
    expect(cycle.error?.issues[0]?.message).toMatch(/95 ± 10 %RH leaves 0–100/);
  });
});
