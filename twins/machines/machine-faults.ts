import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { FaultTimingShape } from '../severity';

const faultBase = { device: IdSchema.describe('The machine it affects.'), ...FaultTimingShape };

/** Cooling degrades (fouled fins, failed fan cowl): the housing → ambient conductance drops and the machine overheats. */
export const OverheatingFaultSchema = z
  .object({
    type: z.literal('overheating'),
    ...faultBase,
    coolingLoss: z.number().min(0).max(0.95).default(0.6).describe('Fraction of the housing → ambient conductance lost at full severity. Default 0.6.'),
  })
  .strict();

/** Lubricant degrades or runs out: bearing friction, and the heat it makes, rises. */
export const LubricationFaultSchema = z
  .object({
    type: z.literal('lubrication'),
    ...faultBase,
    frictionIncrease: z.number().positive().default(4).describe('Extra bearing friction at full severity, multiples of the healthy friction. Default 4.'),
  })
  .strict();

export type OverheatingFault = z.output<typeof OverheatingFaultSchema>;
export type LubricationFault = z.output<typeof LubricationFaultSchema>;
