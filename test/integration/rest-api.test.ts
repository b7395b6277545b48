import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import { startWebServer, type WebServer } from '../../web';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('cloud REST API, served over HTTP by the web server', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let web: WebServer;
  const get = async (path: string) => {
    const response = await fetch(new URL(path, web.url));
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    broker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new ScaledRealClock() });
    for (let seq = 0; seq < 10; seq++) {
      for (const device of ['pump-1', 'fan-1']) {
        await storage.insertFeatures({ device, sensor: 'accel', seq, tsMs: T0 + seq * 40, windowMs: 40, unit: 'g', features: { rms: seq / 10, peak: seq / 5, crest: 2 }, receivedMs: T0 });
      }
    }
    await storage.insertAlert({ device: 'pump-1', sensor: 'accel', rule: 'rms above 0.5', state: 'raised', severity: 'warning', tsMs: T0 + 240, value: 0.6, threshold: 0.5, message: 'pump-1/accel rms 0.6 g exceeds 0.5' });
    web = await startWebServer({ cloud, port: 0 });
  });

  afterAll(async () => {
    await web?.close();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  it('lists devices with their sensors, reading counts and last event time', async () => {
    expect(await get('/api/devices')).toEqual({
      status: 200,
      body: [
        { device: 'fan-1', sensors: ['accel'], readings: 10, lastTsMs: T0 + 360 },
        { device: 'pump-1', sensors: ['accel'], readings: 10, lastTsMs: T0 + 360 },
      ],
    });
  });

  it('returns the latest reading per sensor, and 404 for a device it never heard from', async () => {
    const { status, body } = await get('/api/devices/pump-1/latest');
    expect(status).toBe(200);
    expect(body).toMatchObject({ device: 'pump-1', sensors: { accel: { seq: 9, tsMs: T0 + 360, features: { rms: 0.9 } } } });
    expect(await get('/api/devices/pump-7/latest')).toEqual({ status: 404, body: { error: 'no readings stored for device "pump-7"' } });
  });

  it('returns a series by event-time range, inclusive, oldest first', async () => {
    const { status, body } = await get(`/api/series?device=pump-1&sensor=accel&from=${T0 + 80}&to=${T0 + 200}`);
    expect(status).toBe(200);
    expect((body as { seq: number }[]).map((r) => r.seq)).toEqual([2, 3, 4, 5]);
  });

  it('filters alerts by device', async () => {
    expect((await get('/api/alerts?device=pump-1')).body).toEqual([
      { device: 'pump-1', sensor: 'accel', rule: 'rms above 0.5', state: 'raised', severity: 'warning', tsMs: T0 + 240, value: 0.6, threshold: 0.5, message: 'pump-1/accel rms 0.6 g exceeds 0.5' },
    ]);
    expect((await get('/api/alerts?device=fan-1')).body).toEqual([]);
  });

  it('answers 400 naming the parameter for a bad or unknown query', async () => {
    expect(await get('/api/series?device=pump-1&sensor=accel&from=yesterday')).toEqual({ status: 400, body: { error: 'from: Invalid input: expected number, received NaN' } });
    expect(await get('/api/series?device=pump-1')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^sensor: /) } });
    expect(await get('/api/alerts?devise=pump-1')).toEqual({ status: 400, body: { error: 'devise: unknown query parameter' } });
  });

  it('reports the cloud counters and what storage holds', async () => {
    expect(await get('/api/stats')).toMatchObject({ status: 200, body: { storage: { features: 20, alerts: 1, deadLetters: 0 } } });
  });
});
