import { z } from 'zod';

/** How PostgresStorage talks to its server. */
export const PostgresOptionsSchema = z
  .object({
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe('Connections the pool opens to the server, at most; ingest, queries and compaction share them. Default 4.'),
    connectTimeoutMs: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('How long to wait for a new connection to the server before failing, ms. Default 10000.'),
  })
  .strict();
export type PostgresOptions = z.input<typeof PostgresOptionsSchema>;

/** How long stored data is kept at each resolution, for `compact`. */
export const RetentionSchema = z
  .object({
    rawRetentionMs: z
      .number()
      .int()
      .min(0)
      .default(7 * 24 * 3_600_000)
      .describe('Feature windows and raw blocks older than this are rolled up into minute and hour buckets and deleted, ms. Default 604800000 (7 days).'),
    minuteRetentionMs: z
      .number()
      .int()
      .min(0)
      .default(30 * 24 * 3_600_000)
      .describe('Minute rollups older than this are deleted; hour rollups are kept, ms. Default 2592000000 (30 days).'),
  })
  .strict();
export type Retention = z.infer<typeof RetentionSchema>;
