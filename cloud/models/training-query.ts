import { z } from 'zod';
import { IdSchema } from '../../protocol';
import type { TrainingWindow } from './model-trainer';

/** Which stored windows a model is trained on: some devices' windows of one sensor over a healthy period. */
export const TrainingQuerySchema = z
  .object({
    devices: z.array(IdSchema).min(1).describe('Devices whose stored windows to train on, e.g. [pump-1, pump-2]. Required.'),
    sensor: IdSchema.describe('The one sensor the model scores, e.g. `accel`. Required.'),
    fromMs: z.number().finite().describe('Start of the healthy period, event time in ms since the Unix epoch, inclusive. Required.'),
    toMs: z.number().finite().describe('End of the healthy period, event time in ms since the Unix epoch, inclusive. Required.'),
  })
  .strict()
  .refine((q) => q.toMs > q.fromMs, { path: ['toMs'], message: 'must be after fromMs' });

export type TrainingQuery = z.output<typeof TrainingQuerySchema>;
export type TrainingQueryInput = z.input<typeof TrainingQuerySchema>;

/**
 * Where training windows come from. The cloud passes one backed by Storage.series; deciding what was healthy (a
 * period without faults or alerts) is the source's job, so the registry trains on exactly what it returns.
 */
export interface TrainingSource {
  /** The stored windows of `query.devices` and `query.sensor` with fromMs ≤ tsMs ≤ toMs, all of them (no page limit). */
  windows(query: TrainingQuery): Promise<TrainingWindow[]>;
}

/** `pump-1, pump-2 / accel, 2025-06-01T00:00:00.000Z – 2025-06-01T00:10:00.000Z`, for messages and `trainedOn`. */
export function describeQuery(query: TrainingQuery): string {
  return `${query.devices.join(', ')} / ${query.sensor}, ${isoTime(query.fromMs)} – ${isoTime(query.toMs)}`;
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
