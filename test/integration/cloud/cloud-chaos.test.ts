import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage, type AlertEntry, type AlertRecord, type Page } from '../../../cloud';
import { Gateway, GatewayConfigSchema } from '../../../gateway';
import { RandomStreams, Scheduler, ScaledRealClock, startBroker, type EmbeddedBroker } from '../../../sim';
import { createMachines, PumpSchema, TwinFleet } from '../../../twins';
import { expectStoredOnce } from '../../support/stored-once';
import { waitUntil } from '../../support/twinbed-process';
import { startCloudProcess, type CloudProcess } from './cloud-process';

// Simulated seconds at ×20: pump-1 unbalanced at 20 s (the cloud's rule raises an alert), the cloud SIGKILLed at 60 s
// and again at 140 s, each time restarted at once on the same SQLite file, the run ends at 220 s.
const FACTOR = 20;
const FAULT_AT_S = 20;
const KILLS_AT_S = [60, 140];
const END_S = 220;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SITE = 'plant-cloud-chaos';
const RULE = '{ name: accel-rms-high, metric: rms, sensor: accel, above: 0.2 }';

describe('cloud chaos: the cloud process SIGKILLed twice mid-run and restarted on the same database', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let gateway: Gateway;
  const clouds: CloudProcess[] = [];
  const startCloud = async () => {
    const cloud = await startCloudProcess(dir, { brokerUrl: broker.url, clientId: 'cloud-chaos', storage: `sqlite:${join(dir, 'cloud.db')}`, rules: [`- ${RULE}`] });
    clouds.push(cloud);
    return cloud;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-cloud-chaos-'));
    // The cloud broker outlives every cloud process: it keeps the cloud's persistent session and queues for it.
    broker = await startBroker();
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: 'gw-1', devices: { listen: { port: 0 } }, upstream: { url: broker.url } }),
      clock: new ScaledRealClock({ factor: FACTOR, startMs: START_MS }),
    });
  });

  afterAll(async () => {
    for (const cloud of clouds) await cloud.process.stop();
    await gateway?.stop();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every reading the gateway sent exactly once, and the raised alert stays raised, not raised again', async () => {
    let cloud = await startCloud();
    const clock = new ScaledRealClock({ factor: FACTOR, startMs: START_MS });
    const atS = (s: number) => waitUntil(() => clock.now() >= START_MS + s * 1000, (s * 1000) / FACTOR + 30_000);
    const twins = [PumpSchema.parse({ template: 'pump', id: 'pump-1' }), PumpSchema.parse({ template: 'pump', id: 'pump-2' })];
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: SITE,
      machines: (streams) =>
        createMachines(
          { twins, faults: [{ type: 'imbalance', device: 'pump-1', atS: FAULT_AT_S, rampS: 5, unbalanceGmm: 20_000, severity: 1 }], startTime: new Date(START_MS).toISOString() },
          streams,
        ),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(5),
      startMs: START_MS,
      endMs: START_MS + END_S * 1000,
    });

    const raised = async (c: CloudProcess) => (await c.get<Page<AlertEntry>>('/api/alert-entries?state=raised')).items;
    // The alert must exist before the first kill, or the test would not prove it survives one.
    expect(await waitUntil(async () => (await raised(cloud)).length === 1, 60_000), 'the cloud raised the alert').toBe(true);
    const [before] = await raised(cloud);

    for (const killAtS of KILLS_AT_S) {
      await atS(killAtS);
      await cloud.kill();
      cloud = await startCloud();
      expect((await raised(cloud)).map((a) => a.id), `still raised after the kill at ${killAtS} s`).toEqual([before!.id]);
    }

    await atS(END_S);
    const expected = 2 * (END_S * 25 + 2 * (END_S / 10));
    expect(await waitUntil(() => fleet.stats().reduce((n, d) => n + d.sent, 0) >= expected, 60_000), 'every block sent').toBe(true);
    await fleet.drain();
    const published = fleet.stats();
    await fleet.stop();
    // Every window the gateway made has been taken by the broker; the cloud then owes all of them to storage.
    expect(await waitUntil(() => gateway.counters().uplinkAcked === gateway.counters().uplinkWritten && gateway.counters().windows > 0, 60_000)).toBe(true);
    const windows = gateway.counters().windows;
    const stats = async () => (await cloud.get<{ storage: { features: number } }>('/api/stats')).storage.features;
    expect(await waitUntil(async () => (await stats()) >= windows, 90_000), `stored ${await stats()} of ${windows} windows`).toBe(true);

    const events = await cloud.get<AlertRecord[]>('/api/alerts');
    const entries = await raised(cloud);
    await cloud.process.stop();

    const storage = new SqliteStorage(join(dir, 'cloud.db'));
    try {
      expect((await storage.counts()).features).toBe(windows);
      expectStoredOnce(await storage.sequences(), published);
    } finally {
      await storage.close();
    }
    expect(events.filter((e) => e.rule === 'accel-rms-high' && e.state === 'raised' && e.origin !== 'edge')).toHaveLength(1);
    expect(entries.map((e) => [e.id, e.state, e.rule, e.device])).toEqual([[before!.id, 'raised', 'accel-rms-high', 'pump-1']]);
    console.log(`cloud chaos: ${windows} windows covering ${published.reduce((n, d) => n + d.acked, 0)} readings stored once across ${KILLS_AT_S.length} SIGKILLs`);
  }, 240_000);
});
