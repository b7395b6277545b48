import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { IdSchema } from '../protocol';
import type { Cloud } from './cloud';

const SeriesQuerySchema = z
  .object({
    device: IdSchema,
    sensor: IdSchema,
    /** Event time bounds, ms since the Unix epoch. */
    from: z.coerce.number().finite().optional(),
    to: z.coerce.number().finite().optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .strict();

const AlertQuerySchema = z
  .object({ device: IdSchema.optional(), from: z.coerce.number().finite().optional(), to: z.coerce.number().finite().optional() })
  .strict();

/** The cloud's REST API: devices, latest values, series by time range, alerts, counters. */
export function cloudApi(cloud: Cloud): Router {
  const router = Router();
  const { storage } = cloud;

  router.get('/api/devices', async (_req, res) => {
    res.json(await storage.devices());
  });

  router.get('/api/devices/:device/latest', async (req, res) => {
    const device = IdSchema.safeParse(req.params.device);
    if (!device.success) return badRequest(res, `device: ${device.error.issues[0]!.message}`);
    const latest = await storage.latest(device.data);
    if (latest.length === 0) return void res.status(404).json({ error: `no readings stored for device "${device.data}"` });
    res.json({ device: device.data, sensors: Object.fromEntries(latest.map((r) => [r.sensor, r])) });
  });

  router.get('/api/series', async (req, res) => {
    const query = parseQuery(SeriesQuerySchema, req, res);
    if (!query) return;
    res.json(await storage.series({ device: query.device, sensor: query.sensor, fromMs: query.from, toMs: query.to, limit: query.limit }));
  });

  router.get('/api/alerts', async (req, res) => {
    const query = parseQuery(AlertQuerySchema, req, res);
    if (!query) return;
    res.json(await storage.alerts({ device: query.device, fromMs: query.from, toMs: query.to }));
  });

  router.get('/api/stats', async (_req, res) => {
    res.json({ ...cloud.stats(), storage: await storage.counts() });
  });

  return router;
}

function parseQuery<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined {
  const result = schema.safeParse(req.query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
  badRequest(res, `${field}: ${issue.code === 'unrecognized_keys' ? 'unknown query parameter' : issue.message}`);
  return undefined;
}

function badRequest(res: Response, error: string): void {
  res.status(400).json({ error });
}
