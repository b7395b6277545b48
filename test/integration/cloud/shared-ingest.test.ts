import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../../cloud';
import { Gateway, GatewayConfigSchema } from '../../../gateway';
import { RandomStreams, Scheduler, ScaledRealClock } from '../../../sim';
import { createMachines, PumpSchema, TwinFleet } from '../../../twins';
import { startPostgres, type Postgres } from '../../support/postgres';
import { expectStoredOnce } from '../../support/stored-once';
import { waitUntil } from '../../support/twinbed-process';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { startCloudProcess, type CloudProcess } from './cloud-process';

// Two cloud processes share one ingest through `$share/ingest/…` on Mosquitto, over one PostgreSQL. Cloud B is
// SIGKILLed at 60 simulated seconds and restarted; the run ends at 160 s (×20).
const FACTOR = 20;
const KILL_AT_S = 60;
const END_S = 160;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SITE = 'plant-shared';

describe('scale-out: two cloud processes share ingest through MQTT shared subscriptions on one PostgreSQL', () => {
  let dir: string;
  let mosquitto: Mosquitto;
  let postgres: Postgres;
  let gateway: Gateway;
  const clouds: CloudProcess[] = [];
  const start = async (clientId: string) => {
    const cloud = await startCloudProcess(dir, { brokerUrl: `mqtt://127.0.0.1:${mosquitto.port}`, clientId, storage: postgres.url, shareGroup: 'ingest' });
    clouds.push(cloud);
    return cloud;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-shared-'));
    [mosquitto, postgres] = await Promise.all([startMosquitto(), startPostgres()]);
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: 'gw-1', devices: { listen: { port: 0 } }, upstream: { url: `mqtt://127.0.0.1:${mosquitto.port}` } }),
      clock: new ScaledRealClock({ factor: FACTOR, startMs: START_MS }),
    });
  });

  afterAll(async () => {
    for (const cloud of clouds) await cloud.process.stop();
    await gateway?.stop();
    await mosquitto?.close();
    await postgres?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every reading once, both processes take a share, and killing one mid-run loses nothing', async () => {
    const a = await start('cloud-a');
    let b = await start('cloud-b');
    const clock = new ScaledRealClock({ factor: FACTOR, startMs: START_MS });
    const atS = (s: number) => waitUntil(() => clock.now() >= START_MS + s * 1000, (s * 1000) / FACTOR + 30_000);
    const twins = ['pump-1', 'pump-2', 'pump-3'].map((id) => PumpSchema.parse({ template: 'pump', id }));
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: SITE,
      machines: (streams) => createMachines({ twins, faults: [], startTime: new Date(START_MS).toISOString() }, streams),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(9),
      startMs: START_MS,
      endMs: START_MS + END_S * 1000,
    });

    const storedBy = async (cloud: CloudProcess) => (await cloud.get<{ stored: number }>('/api/stats')).stored;
    await atS(KILL_AT_S);
    const bBefore = await storedBy(b);
    await b.kill();
    b = await start('cloud-b');

    await atS(END_S);
    const expected = 3 * (END_S * 25 + 2 * (END_S / 10));
    expect(await waitUntil(() => fleet.stats().reduce((n, d) => n + d.sent, 0) >= expected, 60_000), 'every block sent').toBe(true);
    await fleet.drain();
    const published = fleet.stats();
    await fleet.stop();
    expect(await waitUntil(() => gateway.counters().uplinkAcked === gateway.counters().uplinkWritten, 60_000)).toBe(true);
    const windows = gateway.counters().windows;
    const storage = await PostgresStorage.open(postgres.url);
    try {
      const stored = async () => (await storage.counts()).features;
      expect(await waitUntil(async () => (await stored()) >= windows, 90_000), `stored ${await stored()} of ${windows}`).toBe(true);
      expect(await stored()).toBe(windows);
      expectStoredOnce(await storage.sequences(), published);
    } finally {
      await storage.close();
    }
    const [byA, byB] = [await storedBy(a), bBefore + (await storedBy(b))];
    // Each process took a share (Mosquitto hands a shared subscription's messages round-robin).
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    console.log(`shared ingest: ${windows} windows stored once; cloud-a stored ${byA}, cloud-b ${byB} (${bBefore} before its SIGKILL at ${KILL_AT_S} s)`);
  }, 240_000);
});
