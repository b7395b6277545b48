import { z } from 'zod';
import { IdSchema } from '../protocol';

/** A vibration sensor (accelerometer on the bearing housing). */
export const VibrationSensorSchema = z
  .object({
    id: IdSchema.default('accel').describe('Sensor name, a topic level. Default `accel`.'),
    rateHz: z.number().positive().max(102_400).default(25_600).describe('Sample rate in Hz. Default 25600.'),
    blockSamples: z.number().int().min(16).max(65_536).default(1024).describe('Samples per published block. Default 1024 (40 ms at 25.6 kHz).'),
    noiseRmsG: z.number().nonnegative().default(0.01).describe('White sensor noise, RMS in g over the full band. Default 0.01.'),
  })
  .strict();

/** A motor-driven rotating machine (pump, fan): rotor on a rigid housing. */
export const RotatingMachineSchema = z
  .object({
    id: IdSchema.describe('Device name, a topic level, unique in the scenario.'),
    kind: z.literal('rotating').default('rotating').describe('Machine template. Only `rotating` in this version. Default `rotating`.'),
    speedRpm: z.number().positive().max(60_000).default(1480).describe('Shaft speed in rpm. Default 1480 (4-pole motor at 50 Hz under load).'),
    massKg: z.number().positive().default(50).describe('Mass that the unbalance force accelerates (rotor plus housing), kg. Default 50.'),
    residualUnbalanceGmm: z.number().nonnegative().default(600).describe('Residual unbalance of the healthy rotor, g·mm. Default 600 (about ISO 21940 G6.3 for a 50 kg rotor).'),
    sensor: VibrationSensorSchema.prefault({}),
  })
  .strict();

/** Unbalance that grows on a rotor (e.g. erosion, deposit build-up, a lost balance weight). */
export const ImbalanceFaultSchema = z
  .object({
    type: z.literal('imbalance'),
    device: IdSchema.describe('The machine it affects.'),
    atS: z.number().nonnegative().describe('Onset, seconds from the start of the run.'),
    rampS: z.number().nonnegative().default(0).describe('Seconds from onset to full severity; 0 is a step. Default 0.'),
    unbalanceGmm: z.number().positive().describe('Unbalance added at full severity, g·mm.'),
  })
  .strict();

export const FaultSchema = z.discriminatedUnion('type', [ImbalanceFaultSchema]);

export type VibrationSensorConfig = z.output<typeof VibrationSensorSchema>;
export type RotatingMachineConfig = z.output<typeof RotatingMachineSchema>;
export type ImbalanceFault = z.output<typeof ImbalanceFaultSchema>;
export type FaultConfig = z.output<typeof FaultSchema>;
