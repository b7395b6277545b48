import { z } from 'zod';

// SensorChannel applies the model in this order; a stage whose fields keep their defaults is skipped:
//   measurand (at rateHz·decimation, physical time scaled by clockSkewPpm)
//   → first-order lag (timeConstantS) → clock jitter (clockJitterS)
//   → anti-alias filter + decimation (antiAliasHz, decimation)
//   → sensitivity·(1 + scaleFactorError)
//   → + bias + Gauss–Markov bias (biasInstability, biasCorrelationS) + white noise (noiseDensity)
//   → saturation at ±range → quantization (adcBits) → sensor faults.

/** How one sensor turns its measurand into reported values. Shared by every twin: accelerometer, thermocouple, IMU. */
export const SensorModelSchema = z
  .object({
    sensitivity: z
      .number()
      .refine((v) => v !== 0, 'sensitivity 0 would report nothing; use a negative value for an inverted axis')
      .default(1)
      .describe('Output units per measurand unit (e.g. mV/g); 1 when the output is in the measurand unit. Default 1.'),
    scaleFactorError: z
      .number()
      .gt(-1)
      .default(0)
      .describe('Fractional error of the sensitivity, dimensionless (0.01 reads 1 % high). Default 0.'),
    bias: z.number().default(0).describe('Constant offset of the output, output units. Default 0.'),
    noiseDensity: z
      .number()
      .nonnegative()
      .default(0)
      .describe('One-sided white-noise density, output units/√Hz (e.g. g/√Hz); noise σ = noiseDensity·√(rateHz/2). Default 0 (off).'),
    biasInstability: z
      .number()
      .nonnegative()
      .default(0)
      .describe('1σ of the first-order Gauss–Markov bias, output units. Default 0 (off).'),
    biasCorrelationS: z
      .number()
      .positive()
      .default(100)
      .describe('Correlation time τ of the Gauss–Markov bias, seconds. Default 100.'),
    range: z
      .number()
      .positive()
      .optional()
      .describe('Full scale, ± output units: the output saturates at ±range. Default: none (no saturation).'),
    adcBits: z
      .number()
      .int()
      .min(4)
      .max(32)
      .optional()
      .describe(
        "ADC resolution, bits: two's-complement codes over ±range with LSB = 2·range/2^adcBits, so the top code is range − LSB. Needs range. Default: none (no quantization).",
      ),
    decimation: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe('Oversampling factor, integer: the measurand is sampled at rateHz·decimation, anti-alias filtered, then decimated to rateHz. Default 1.'),
    antiAliasHz: z
      .number()
      .positive()
      .optional()
      .describe(
        'Cutoff (−3 dB) of the 4th-order Butterworth anti-alias filter, Hz; below rateHz·decimation/2. Default 0.4·rateHz when decimation > 1; with decimation 1 the filter runs only if this is set.',
      ),
    timeConstantS: z
      .number()
      .nonnegative()
      .default(0)
      .describe('First-order lag of the sensing element (thermocouple, RTD), seconds. Default 0 (none).'),
    clockJitterS: z
      .number()
      .nonnegative()
      .default(0)
      .describe('RMS jitter of each sample instant, seconds; below one sample period at rateHz·decimation. Default 0.'),
    clockSkewPpm: z
      .number()
      .min(-100_000)
      .max(100_000)
      .default(0)
      .describe(
        'Rate error of the sensor clock, ppm, within ±100000: positive runs fast, sampling at rateHz·(1 + ppm·1e-6) of physical time while timestamps stay nominal. Default 0.',
      ),
  })
  .strict()
  .refine((model) => model.adcBits === undefined || model.range !== undefined, {
    path: ['adcBits'],
    message: 'adcBits needs range: the ADC spans ±range, so set range (full scale, output units) or remove adcBits',
  });

export type SensorModelInput = z.input<typeof SensorModelSchema>;
export type SensorModelConfig = z.output<typeof SensorModelSchema>;
