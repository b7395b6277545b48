import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { FaultTimingShape } from '../severity';

export const MountSchema = z
  .object({
    massKg: z.number().positive().default(50).describe('Mass moving on the mount (rotor, housing, motor), kg. Default 50.'),
    naturalHz: z.number().positive().default(8).describe('Natural frequency of the machine on its mount, Hz. Default 8 (resilient mounts).'),
    dampingRatio: z.number().positive().max(2).default(0.1).describe('Damping ratio ζ of the mount. Default 0.1.'),
  })
  .strict();

export const ResonanceSchema = z
  .object({
    naturalHz: z.number().positive().default(3500).describe('Structural resonance of the bearing housing that bearing impacts ring, Hz. Default 3500.'),
    dampingRatio: z.number().positive().max(0.5).default(0.05).describe('Its damping ratio ζ. Default 0.05.'),
  })
  .strict();

export type MountConfig = z.output<typeof MountSchema>;
export type ResonanceConfig = z.output<typeof ResonanceSchema>;

const faultBase = { device: IdSchema.describe('The machine it affects.'), ...FaultTimingShape };

export const ImbalanceFaultSchema = z
  .object({
    type: z.literal('imbalance'),
    ...faultBase,
    unbalanceGmm: z.number().positive().describe('Unbalance added at full severity, g·mm (mass × eccentricity).'),
  })
  .strict();

export const MisalignmentFaultSchema = z
  .object({
    type: z.literal('misalignment'),
    ...faultBase,
    offsetMm: z.number().positive().default(0.3).describe('Shaft offset at the coupling at full severity, mm. Default 0.3.'),
  })
  .strict();

export const LoosenessFaultSchema = z
  .object({
    type: z.literal('looseness'),
    ...faultBase,
    amplitudeG: z.number().positive().default(0.3).describe('1× looseness response at full severity and nominal speed, g. Default 0.3.'),
  })
  .strict();

export const BearingFaultSchema = z
  .object({
    type: z.literal('bearing'),
    ...faultBase,
    component: z.enum(['outer', 'inner', 'ball', 'cage']).describe('Where the localized defect is: outer race, inner race, a ball, or the cage.'),
    impactG: z.number().positive().default(3).describe('Peak housing acceleration of one impact at full severity, g. Default 3.'),
    slipPct: z.number().min(0).max(5).default(1).describe('Random slip of the rolling elements: 1σ jitter of each impact interval, %. Default 1.'),
  })
  .strict();

export type ImbalanceFault = z.output<typeof ImbalanceFaultSchema>;
export type MisalignmentFault = z.output<typeof MisalignmentFaultSchema>;
export type LoosenessFault = z.output<typeof LoosenessFaultSchema>;
export type BearingFault = z.output<typeof BearingFaultSchema>;
export type VibrationFault = ImbalanceFault | MisalignmentFault | LoosenessFault | BearingFault;
