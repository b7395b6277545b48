import express, { type Router } from 'express';
import { z } from 'zod';
import type { Storage } from '../cloud';
import type { LiveAlert, LiveReading } from './client/live-reading';
import { hallState } from './hall-state';

/** A finished run's extent and what happened in it, for the replay timeline. */
export interface ReplayExtent {
  fromMs: number;
  toMs: number;
  /** Every alert change, oldest first: marks on the timeline. */
  alerts: LiveAlert[];
}

/** The hall at one instant of a finished run: the last reading of each device sensor at or before it, and the alerts so far. */
export interface ReplayState {
  atMs: number;
  readings: LiveReading[];
  alerts: LiveAlert[];
}

const AtQuery = z.object({ at: z.coerce.number().finite() }).strict();

/** Reads a finished run's store at any instant: the replay page scrubs through it. */
export function replayRoutes(storage: Storage): Router {
  const router = express.Router();
  router.get('/api/replay', async (_req, res) => {
    res.json(await extentOf(storage));
  });
  router.get('/api/replay/state', async (req, res) => {
    const parsed = AtQuery.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: 'at: give the instant to show, ms since the Unix epoch (GET /api/replay has the run\'s extent)' });
      return;
    }
    res.json(await stateAt(storage, parsed.data.at));
  });
  return router;
}

export async function extentOf(storage: Storage): Promise<ReplayExtent> {
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const device of await storage.devices()) {
    toMs = Math.max(toMs, device.lastTsMs);
    for (const sensor of device.sensors) {
      const first = (await storage.seriesPage({ device: device.device, sensor, limit: 1 })).items[0];
      if (first) fromMs = Math.min(fromMs, first.tsMs);
    }
  }
  if (!Number.isFinite(fromMs)) fromMs = toMs = 0;
  return { fromMs, toMs, alerts: await storage.alerts() };
}

export async function stateAt(storage: Storage, atMs: number): Promise<ReplayState> {
  return { atMs, ...(await hallState(storage, atMs)) };
}
