import { z } from 'zod';
import { IdSchema } from '../../protocol';

// A staged rollout as hawkBit defines one: groups in order, a success condition that starts the next group and an
// error condition whose only action is to pause the whole rollout.

/** Fraction in [0, 1]. */
const Fraction = z.number().min(0).max(1);

export const RolloutGroupSchema = z
  .object({
    name: z.string().min(1).max(64).optional().describe('Label in the status and in every command\'s audit reason. Default: none (the group is named by its number).'),
    percent: z
      .number()
      .positive()
      .max(100)
      .optional()
      .describe('Share of the gateways not yet in an earlier group (of `site` only, when set), in %, rounded up. Default 100 (all of them).'),
    gateways: z.array(IdSchema).min(1).optional().describe('Exactly these gateway ids (any already in an earlier group stay there). Default: chosen by percent and site.'),
    site: IdSchema.optional().describe('Only gateways at this site. Default: every site.'),
  })
  .strict()
  .refine((g) => g.gateways === undefined || (g.percent === undefined && g.site === undefined), {
    message: 'give either gateways (an explicit list) or percent and/or site (a share of the rest), not both',
  });

export const FalseAlarmSchema = z
  .object({
    windows: z
      .number()
      .int()
      .positive()
      .default(60)
      .describe('Live windows scored by the new model on a gateway before the gateway is judged, count. Default 60.'),
    maxRate: Fraction.default(0.05).describe('Largest allowed fraction of those windows with score > threshold (0–1); above it the gateway is rolled back. Default 0.05.'),
  })
  .strict();

export const RolloutSpecSchema = z
  .object({
    id: IdSchema.describe('Rollout id, unique for good: it names the stored state and every command\'s audit reason.'),
    version: z.string().min(1).max(128).describe('Model version to roll out, as registered in the model store, e.g. `1.1.0`.'),
    groups: z.array(RolloutGroupSchema).min(1).describe('Deployment groups, run one after another; a gateway belongs to the first group that claims it.'),
    successThreshold: Fraction.default(1).describe('Fraction of a group finished (0–1) at which the next group starts: finished/total ≥ this. Default 1.'),
    errorThreshold: Fraction.default(0).describe('Fraction of a group failed (0–1) above which the whole rollout pauses: errors/total > this (strictly). Default 0.'),
    falseAlarm: FalseAlarmSchema.prefault({}).describe('When a gateway running the new model counts as finished or is rolled back. Default 60 windows, 5%.'),
  })
  .strict();

export type RolloutGroup = z.output<typeof RolloutGroupSchema>;
export type RolloutSpec = z.output<typeof RolloutSpecSchema>;
export type RolloutSpecInput = z.input<typeof RolloutSpecSchema>;
