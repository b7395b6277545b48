import type { Storage } from '../cloud';
import { toLiveReading, type LiveReading, type LiveSnapshot } from './client/live-reading';

/**
 * The hall as the page draws it from the store: the last reading of each device sensor and the alert changes so far,
 * oldest first; with `atMs`, as they stood at that event time (a replay's instant).
 */
export async function hallState(storage: Storage, atMs?: number): Promise<LiveSnapshot> {
  const readings: LiveReading[] = [];
  for (const device of await storage.devices()) {
    for (const sensor of device.sensors) {
      const [last] = await storage.series({ device: device.device, sensor, ...(atMs === undefined ? {} : { toMs: atMs }), limit: 1 });
      if (last) readings.push(toLiveReading(last));
    }
  }
  return { readings, alerts: await storage.alerts(atMs === undefined ? {} : { toMs: atMs }) };
}
