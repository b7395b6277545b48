import { z } from 'zod';
import { IdSchema } from '../../protocol';

export const RuleCommandSchema = z
  .object({
    to: z
      .enum(['device', 'gateway'])
      .default('device')
      .describe('Who receives it: the device itself, or the gateway the alert\'s device was last heard through. Default `device`.'),
    device: IdSchema.optional().describe('Send to this device or gateway id instead. Default: the alert\'s device (its gateway with `to: gateway`).'),
    action: z.string().min(1).describe('Command action, e.g. `slow-down`, `stop`, `upload-raw`. Required.'),
    args: z.record(z.string(), z.unknown()).optional().describe('Command arguments, e.g. { speedRpm: 888 }. Default none.'),
  })
  .strict();

export const RuleActionSchema = z
  .object({
    on: z.enum(['raised', 'cleared']).default('raised').describe('Which alert transition sends the command. Default `raised`.'),
    command: RuleCommandSchema.describe('The command to send. Required.'),
  })
  .strict();

export const RateLimitSchema = z
  .object({
    max: z.number().int().positive().describe('Alert transitions that may send commands to one target per perS (token bucket size). Required.'),
    perS: z.number().finite().positive().describe('Seconds of event time in which `max` tokens refill. Required.'),
  })
  .strict();

/** 1 per 60 s per rule and target: a flapping rule must not hammer a device with commands. */
export const DEFAULT_RATE_LIMIT: RateLimit = { max: 1, perS: 60 };

export type RuleCommand = z.output<typeof RuleCommandSchema>;
export type RuleAction = z.output<typeof RuleActionSchema>;
export type RateLimit = z.output<typeof RateLimitSchema>;
