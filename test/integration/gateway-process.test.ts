import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { RandomStreams, Scheduler, ScaledRealClock, startBroker, VirtualClock, type EmbeddedBroker } from '../../sim';
import { createMachines, FanSchema, PumpSchema, TwinFleet } from '../../twins';
import { spawnTwinbed, waitUntil, type TwinbedProcess } from '../support/twinbed-process';

describe('twins → gateway (its own process) → cloud → SQLite, over loopback TCP', () => {
  let dir: string;
  let cloudBroker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let gateway: TwinbedProcess;
  let deviceUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-gw-'));
    cloudBroker = await startBroker();
    storage = new SqliteStorage(join(dir, 'cloud.db'));
    cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, clock: new ScaledRealClock() });
    const config = join(dir, 'gateway.yaml');
    // Its processing in the edge worker: the bundle must start dist/edge-worker.js from beside itself.
    await writeFile(config, `site: plant-it\nid: gw-it\ndevices:\n  listen:\n    port: 0\nupstream:\n  url: ${cloudBroker.url}\nprocessing:\n  thread: worker\n`);
    gateway = spawnTwinbed(['gateway', '--config', config]);
    const ready = await gateway.waitFor(/^.*"msg":"gateway ready".*$/m, 20_000);
    const announced = JSON.parse(ready[0]) as { deviceUrl: string; processing: string };
    expect(announced.processing).toBe('worker');
    deviceUrl = announced.deviceUrl;
  });

  afterAll(async () => {
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await cloudBroker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores exactly as many readings as 3 twins published at QoS 1, each (device, sensor, seq) once', async () => {
    const startMs = Date.parse('2026-01-01T00:00:00Z');
    const endMs = startMs + 20_000;
    const clock = new VirtualClock(startMs);
    const twins = [PumpSchema.parse({ template: 'pump', id: 'pump-1' }), PumpSchema.parse({ template: 'pump', id: 'pump-2' }), FanSchema.parse({ template: 'fan', id: 'fan-1' })];
    const fleet = await TwinFleet.start({
      brokerUrl: deviceUrl,
      site: 'plant-it',
      machines: (streams) => createMachines({ twins, faults: [], startTime: '2026-01-01T00:00:00Z' }, streams),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(7),
      startMs,
      endMs,
    });
    await clock.runUntil(endMs);
    await fleet.drain();
    const published = fleet.stats();
    await fleet.stop();

    // Per twin, 20 s of accel in 40 ms blocks (1024 at 25.6 kHz) and two temperatures in 10 s blocks (10 at 1 Hz).
    const blocks: Record<string, number> = { accel: 500, 'winding-temp': 2, 'bearing-temp': 2 };
    expect(published.map((d) => [d.device, d.sensor, d.sent, d.acked, d.failed, d.dropped])).toEqual(
      ['pump-1', 'pump-2', 'fan-1'].flatMap((device) => Object.entries(blocks).map(([sensor, n]) => [device, sensor, n, n, 0, 0])),
    );
    const acked = published.reduce((n, d) => n + d.acked, 0);
    expect(acked).toBe(3 * 504);
    // The gateway summarises accel in 1 s windows of 25 blocks: the cloud holds 20 windows per twin, and counts the
    // readings they cover. A temperature's 10-sample block costs less than a record of its features, so its windows
    // are two blocks long (issue 12: the edge never inflates a stream): 2 records per twin, not 4.
    const covered = async () => (await storage.sequences()).reduce((n, s) => n + s.count, 0);
    await waitUntil(async () => (await covered()) >= acked, 20_000);
    await cloud.idle();

    expect(await covered()).toBe(acked);
    expect(cloud.stats().stored).toBe(3 * (20 + 2));
    expect(cloud.stats().duplicatesDropped).toBe(0);
    const sequences = await storage.sequences();
    expect(sequences).toEqual([
      { device: 'fan-1', sensor: 'accel', count: 500, minSeq: 0, maxSeq: 499 },
      { device: 'fan-1', sensor: 'bearing-temp', count: 2, minSeq: 0, maxSeq: 1 },
      { device: 'fan-1', sensor: 'winding-temp', count: 2, minSeq: 0, maxSeq: 1 },
      { device: 'pump-1', sensor: 'accel', count: 500, minSeq: 0, maxSeq: 499 },
      { device: 'pump-1', sensor: 'bearing-temp', count: 2, minSeq: 0, maxSeq: 1 },
      { device: 'pump-1', sensor: 'winding-temp', count: 2, minSeq: 0, maxSeq: 1 },
      { device: 'pump-2', sensor: 'accel', count: 500, minSeq: 0, maxSeq: 499 },
      { device: 'pump-2', sensor: 'bearing-temp', count: 2, minSeq: 0, maxSeq: 1 },
      { device: 'pump-2', sensor: 'winding-temp', count: 2, minSeq: 0, maxSeq: 1 },
    ]);
    // Published equals stored per (device, sensor), temperature channels included.
    for (const d of published) expect(sequences.find((q) => q.device === d.device && q.sensor === d.sensor)?.count, `${d.device}/${d.sensor}`).toBe(d.acked);
    expect((await storage.counts()).features).toBe(3 * (20 + 2));
  });

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await gateway.stop()).toBe(0);
  });
});
