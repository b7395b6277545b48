import { z } from 'zod';
import { unknownTypeError } from './discriminator-error';

export const AGGREGATES = ['mean', 'min', 'max', 'last', 'count', 'p95'] as const;

export const AggregateSchema = z
  .enum(AGGREGATES)
  .describe('How a window folds its values into one: `mean`, `min`, `max`, `last` (latest event time), `count`, `p95` (nearest rank). Required.');

export type Aggregate = z.output<typeof AggregateSchema>;

const commonShape = {
  agg: AggregateSchema,
  allowedLatenessS: z
    .number()
    .finite()
    .nonnegative()
    .default(0)
    .describe('Seconds of event time the watermark trails the latest record (max event time − this), so records this much out of order still land in their window. Default 0.'),
  late: z
    .enum(['drop', 'update'])
    .default('drop')
    .describe('A record behind the watermark for its window: `drop` it (counted as late) or `update` (re-emit the corrected window, marked update). Default `drop`.'),
  updateForS: z
    .number()
    .finite()
    .nonnegative()
    .optional()
    .describe('With `late: update`, seconds of event time after a window closes during which it still takes corrections; later records are dropped and counted. Default: the window length (sizeS, or gapS for session).'),
};

const positiveS = (what: string) => z.number().finite().min(0.001, 'use at least 0.001 (one millisecond)').describe(what);

export const WindowSpecSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('tumbling').describe('Back-to-back windows of sizeS, aligned to the Unix epoch.'),
        sizeS: positiveS('Window length in seconds of event time (at least 0.001, rounded to the millisecond). Required.'),
        ...commonShape,
      })
      .strict(),
    z
      .object({
        type: z.literal('hopping').describe('Windows of sizeS starting every hopS, aligned to the Unix epoch; they overlap when hopS < sizeS.'),
        sizeS: positiveS('Window length in seconds of event time (at least 0.001, rounded to the millisecond). Required.'),
        hopS: positiveS('Seconds between window starts (at least 0.001, rounded to the millisecond); at most sizeS. Required.'),
        ...commonShape,
      })
      .strict()
      .refine((w) => w.hopS <= w.sizeS, { message: 'hopS must not exceed sizeS, or records between windows would be skipped; use a smaller hopS', path: ['hopS'] }),
    z
      .object({
        type: z.literal('sliding').describe('One window per record time t, over the trailing sizeS: (t − sizeS, t].'),
        sizeS: positiveS('Trailing length in seconds of event time (at least 0.001, rounded to the millisecond). Required.'),
        ...commonShape,
      })
      .strict(),
    z
      .object({
        type: z.literal('session').describe('Records closer than gapS to each other form one window, which ends gapS after its last record.'),
        gapS: positiveS('Silence in seconds of event time that ends a session (at least 0.001, rounded to the millisecond). Required.'),
        ...commonShape,
      })
      .strict(),
  ],
  { error: unknownTypeError('window', ['tumbling', 'hopping', 'sliding', 'session']) },
);

export type WindowSpec = z.output<typeof WindowSpecSchema>;
