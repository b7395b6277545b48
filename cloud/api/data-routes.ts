import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { bytesToBase64, IdSchema } from '../../protocol';
import type { ParquetExportQuery, Storage } from '../storage';
import { PageQueryFields, storagePage } from './paging';
import { DeadLetterPageSchema, FeatureRecordPageSchema, RawRecordPageSchema, RollupPageSchema } from './record-schemas';
import { defineRoute, FileAnswer, FileAnswerSchema, type Route } from './route';

/** What the data routes read. */
export interface DataApiModel {
  storage: Pick<Storage, 'seriesPage' | 'rawPage' | 'deadLettersPage' | 'rollups'>;
  /** Writes the feature windows the query selects to a Parquet file at `file` (exportParquet over the cloud's storage). */
  exportParquet(query: ParquetExportQuery, file: string): Promise<{ rows: number }>;
}

/** IANA media type of Apache Parquet files. */
export const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';

const EventTimeQuery = z.coerce.number().finite().optional();
const From = EventTimeQuery.describe('Earliest event time, inclusive, ms since the Unix epoch.');
const To = EventTimeQuery.describe('Latest event time, inclusive, ms since the Unix epoch.');
const SensorQuery = { device: IdSchema.describe('Device id.'), sensor: IdSchema.describe('Sensor name.'), from: From, to: To };

export function dataRoutes(cloud: DataApiModel): Route[] {
  const { storage } = cloud;
  return [
    defineRoute({
      method: 'get',
      path: '/api/series/page',
      summary: 'Windows of one sensor by event-time range, oldest first, a page at a time',
      description: 'Pages never shift: windows stored between two requests land before the cursor or after it, none is skipped or repeated.',
      tags: ['readings'],
      query: z.object({ ...SensorQuery, ...PageQueryFields }),
      response: FeatureRecordPageSchema,
      handler: ({ query }) =>
        storagePage(() => storage.seriesPage({ device: query.device, sensor: query.sensor, fromMs: query.from, toMs: query.to, limit: query.limit, cursor: query.cursor })),
    }),
    defineRoute({
      method: 'get',
      path: '/api/raw',
      summary: 'Raw blocks of one sensor by event-time range, oldest first, still encoded (data in base64)',
      tags: ['readings'],
      query: z.object({ ...SensorQuery, ...PageQueryFields }),
      response: RawRecordPageSchema,
      handler: async ({ query }) => {
        const page = await storagePage(() => storage.rawPage({ device: query.device, sensor: query.sensor, fromMs: query.from, toMs: query.to, limit: query.limit, cursor: query.cursor }));
        return { ...page, items: page.items.map((record) => ({ ...record, data: bytesToBase64(record.data) })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/dead-letters',
      summary: 'Messages a gateway or the cloud rejected, with why and their payload, oldest first',
      tags: ['readings'],
      query: z.object({
        stage: z.enum(['gateway', 'cloud']).optional().describe('Only letters this layer rejected.'),
        topic: z.string().min(1).optional().describe('Only letters that arrived on this topic.'),
        from: From,
        to: To,
        ...PageQueryFields,
      }),
      response: DeadLetterPageSchema,
      handler: ({ query }) =>
        storagePage(() => storage.deadLettersPage({ stage: query.stage, topic: query.topic, fromMs: query.from, toMs: query.to, limit: query.limit, cursor: query.cursor })),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollups',
      summary: 'Minute or hour rollups of one sensor (windows past retention, folded), oldest bucket first',
      tags: ['readings'],
      query: z.object({
        device: IdSchema.describe('Device id.'),
        sensor: IdSchema.describe('Sensor name.'),
        resolution: z.enum(['1m', '1h']).describe('Bucket length: one minute or one hour.'),
        from: EventTimeQuery.describe('Earliest bucket start, inclusive, ms since the Unix epoch.'),
        to: EventTimeQuery.describe('Latest bucket start, inclusive, ms since the Unix epoch.'),
        ...PageQueryFields,
      }),
      response: RollupPageSchema,
      handler: ({ query }) =>
        storagePage(() =>
          storage.rollups({ device: query.device, sensor: query.sensor, resolution: query.resolution, fromMs: query.from, toMs: query.to, limit: query.limit, cursor: query.cursor }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/api/export.parquet',
      summary: 'Stored feature windows as an Apache Parquet file',
      description:
        'One row per window: device, sensor, seq, ts_ms, window_ms, unit, then one DOUBLE column per feature name in name order (null where a window lacks it); zstd-compressed.',
      tags: ['readings'],
      query: z.object({
        device: IdSchema.optional().describe('Only this device. Default: every device.'),
        sensor: IdSchema.optional().describe('Only this sensor. Default: every sensor.'),
        from: From,
        to: To,
      }),
      response: FileAnswerSchema,
      contentType: PARQUET_MEDIA_TYPE,
      handler: async ({ query }) => {
        const dir = await mkdtemp(join(tmpdir(), 'twinbed-export-'));
        const remove = () => rm(dir, { recursive: true, force: true });
        const file = join(dir, 'windows.parquet');
        try {
          await cloud.exportParquet({ device: query.device, sensor: query.sensor, fromMs: query.from, toMs: query.to }, file);
        } catch (error) {
          await remove();
          throw error;
        }
        return new FileAnswer(file, { filename: 'windows.parquet', done: remove });
      },
    }),
  ];
}
