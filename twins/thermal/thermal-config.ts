import { z } from 'zod';

/**
 * Thermal and ambient twin of a motor-driven rotating machine (pump, fan). Defaults describe a ~15 kW IE3 motor-pump:
 * at full load, healthy and 25 °C ambient, the housing settles at 60 °C, the winding at 96 °C and the bearing at
 * 67.5 °C; the slowest mode has τ ≈ R_ha·(C_w + C_h + C_b) ≈ 33 min.
 */
export const ThermalSchema = z
  .object({
    ambientMeanC: z.number().min(-60).max(80).default(25).describe('Daily mean ambient temperature, °C. Default 25.'),
    ambientDailyAmplitudeC: z
      .number()
      .nonnegative()
      .max(30)
      .default(4)
      .describe('Amplitude of the daily ambient sinusoid (half of peak-to-peak), °C. Default 4.'),
    ambientPeakHour: z
      .number()
      .min(0)
      .lt(24)
      .default(15)
      .describe('Hour of day of the ambient maximum (and the humidity minimum), h in [0, 24). Default 15.'),

    windingCapacityJPerK: z
      .number()
      .positive()
      .default(10_000)
      .describe('Heat capacity of the stator winding node, J/K. Default 10000 (about 25 kg of copper at 385 J/(kg·K), with its insulation).'),
    housingCapacityJPerK: z
      .number()
      .positive()
      .default(60_000)
      .describe('Heat capacity of the housing node (motor frame and pump casing), J/K. Default 60000 (about 130 kg of cast iron at 460 J/(kg·K)).'),
    bearingCapacityJPerK: z
      .number()
      .positive()
      .default(1000)
      .describe('Heat capacity of the bearing node (rings, rolling elements, housing bore), J/K. Default 1000 (about 2 kg of steel).'),

    windingToHousingKPerW: z
      .number()
      .positive()
      .default(0.03)
      .describe('Thermal resistance winding → housing, K/W. Default 0.03 (36 K winding-over-housing rise at 1200 W).'),
    bearingToHousingKPerW: z
      .number()
      .positive()
      .default(0.15)
      .describe('Thermal resistance bearing → housing, K/W. Default 0.15 (7.5 K bearing-over-housing rise at 50 W).'),
    housingToAmbientKPerW: z
      .number()
      .positive()
      .default(0.028)
      .describe('Thermal resistance housing → ambient with healthy cooling (fins and fan), K/W. Default 0.028 (35 K rise at 1250 W).'),

    fullLoadLossW: z
      .number()
      .nonnegative()
      .default(1200)
      .describe('Electrical loss (copper, iron, stray) at full load, W, heating the winding; scales as load². Default 1200 (IE3 at 15 kW).'),
    bearingFrictionLossW: z
      .number()
      .nonnegative()
      .default(50)
      .describe('Friction loss of the healthy bearings, W, heating the bearing; scales with frictionFactor. Default 50.'),

    humidityMeanPct: z.number().min(0).max(100).default(50).describe('Daily mean relative humidity, %RH. Default 50.'),
    humidityDailyAmplitudePct: z
      .number()
      .nonnegative()
      .max(50)
      .default(10)
      .describe('Amplitude of the daily humidity sinusoid, %RH, in antiphase with the ambient temperature. Default 10.'),
    humiditySlowSigmaPct: z
      .number()
      .nonnegative()
      .max(50)
      .default(5)
      .describe('Standard deviation of the slow (weather) humidity variation, a first-order Gauss–Markov process, %RH. Default 5.'),
    humidityCorrelationS: z
      .number()
      .positive()
      .default(10_800)
      .describe('Correlation time of the slow humidity variation, s. Default 10800 (3 h).'),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Only the random part may reach the 0–100 %RH clamp; a daily cycle that leaves the range is a config mistake.
    if (c.humidityMeanPct - c.humidityDailyAmplitudePct < 0 || c.humidityMeanPct + c.humidityDailyAmplitudePct > 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['humidityDailyAmplitudePct'],
        message: `the daily humidity cycle ${c.humidityMeanPct} ± ${c.humidityDailyAmplitudePct} %RH leaves 0–100 %RH; lower the amplitude or move the mean`,
      });
    }
  });

export type ThermalConfig = z.output<typeof ThermalSchema>;
