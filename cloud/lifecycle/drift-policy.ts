import { z } from 'zod';

export const DriftPolicySchema = z
  .object({
    psiRaise: z
      .number()
      .positive()
      .finite()
      .default(0.25)
      .describe('Raise drift when the largest PSI over the features exceeds this (strictly), dimensionless. Default 0.25 (significant by convention).'),
    psiClear: z
      .number()
      .nonnegative()
      .finite()
      .default(0.1)
      .describe('Clear a raised drift when the largest PSI falls below this (hysteresis), dimensionless. Default 0.1 (no drift by convention).'),
    windowCount: z.number().int().min(10).default(300).describe('Latest live windows per device compared with the reference, count. Default 300.'),
    every: z.number().int().positive().default(60).describe('Windows per device between evaluations once windowCount are held, count. Default 60.'),
    onDrift: z
      .enum(['alert', 'retrain'])
      .default('alert')
      .describe('`alert`: report the raise; `retrain`: also train a model on live windows and roll it out. Default `alert`.'),
    fleetShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'With retrain: retrain only when more than this share of the model\'s training devices drift at once, a change of the fleet\'s operation; one device drifting alone is more likely a fault, not something to learn. Default 0.5.',
      ),
    settleS: z
      .number()
      .nonnegative()
      .default(60)
      .describe('With retrain: seconds of event time after the raise before training windows are collected, so a change still under way (a drive ramping) is not learnt. Default 60.'),
    trainS: z
      .number()
      .positive()
      .default(120)
      .describe('With retrain: seconds of event time of live windows, after settleS, that the new model is trained on. Default 120.'),
  })
  .strict()
  .refine((p) => p.psiClear <= p.psiRaise, { message: 'psiClear must not exceed psiRaise', path: ['psiClear'] });

export type DriftPolicy = z.output<typeof DriftPolicySchema>;
export type DriftPolicyInput = z.input<typeof DriftPolicySchema>;
