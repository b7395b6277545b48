import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../../cloud';
import { Gateway, GatewayConfigSchema } from '../../../gateway';
import { RandomStreams, Scheduler, ScaledRealClock, startBroker, type EmbeddedBroker } from '../../../sim';
import { createMachines, PumpSchema, TwinFleet } from '../../../twins';
import { startPersistentMosquitto, type PersistentMosquitto } from '../proxy/mosquitto';
import { expectStoredOnce } from '../../support/stored-once';
import { waitUntil } from '../../support/twinbed-process';

// Two pumps for 120 simulated seconds at ×20 (6 s of wall time); the broker under test restarts at 40 s and 80 s.
const FACTOR = 20;
const END_S = 120;
const RESTARTS_AT_S = [40, 80];
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SITE = 'plant-broker-restart';

interface Rig {
  deviceUrl?: string;
  upstreamUrl: string;
}

describe('infrastructure faults: a broker restarted in the middle of a run loses no QoS 1 reading and stores none twice', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  /** Runs the pumps through gateway and cloud on `rig`, restarting `restart` at each of RESTARTS_AT_S; returns what was stored. */
  async function runThrough(rig: Rig, restart: PersistentMosquitto): Promise<{ windows: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'twinbed-broker-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ScaledRealClock({ factor: FACTOR, startMs: START_MS });
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: 'gw-1', devices: rig.deviceUrl ? { url: rig.deviceUrl } : { listen: { port: 0 } }, upstream: { url: rig.upstreamUrl }, store: { path: join(dir, 'gateway.db') } }),
      clock,
    });
    cleanups.push(() => gateway.stop());
    const storage = new SqliteStorage(join(dir, 'cloud.db'));
    cleanups.push(() => storage.close());
    const cloud = await Cloud.start({ brokerUrl: rig.upstreamUrl, storage, clock, clientId: 'cloud-broker-restart' });
    cleanups.push(() => cloud.stop());

    const twins = [PumpSchema.parse({ template: 'pump', id: 'pump-1' }), PumpSchema.parse({ template: 'pump', id: 'pump-2' })];
    const fleet = await TwinFleet.start({
      brokerUrl: rig.deviceUrl ?? gateway.deviceUrl,
      site: SITE,
      machines: (streams) => createMachines({ twins, faults: [], startTime: new Date(START_MS).toISOString() }, streams),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(11),
      startMs: START_MS,
      endMs: START_MS + END_S * 1000,
    });
    cleanups.push(() => fleet.stop());

    for (const atS of RESTARTS_AT_S) {
      expect(await waitUntil(() => clock.now() >= START_MS + atS * 1000, 60_000), `event time reached ${atS} s`).toBe(true);
      // Data must be flowing through the broker when it goes down, or the restart would prove nothing.
      const storedBefore = (await storage.counts()).features;
      await restart.restart();
      expect(await waitUntil(async () => (await storage.counts()).features > storedBefore, 60_000), `readings flow again after the restart at ${atS} s`).toBe(true);
    }

    const expected = 2 * (END_S * 25 + 2 * (END_S / 10));
    expect(await waitUntil(() => fleet.stats().reduce((n, d) => n + d.acked, 0) >= expected, 60_000), 'every block acknowledged by the device side').toBe(true);
    await fleet.drain();
    const published = fleet.stats();
    expect(await waitUntil(() => gateway.counters().uplinkAcked === gateway.counters().uplinkWritten && gateway.counters().windows > 0, 60_000)).toBe(true);
    expect(await waitUntil(async () => (await storage.counts()).features >= gateway.counters().windows, 60_000), 'the cloud stored every window').toBe(true);
    await cloud.idle();
    const windows = gateway.counters().windows;
    expect((await storage.counts()).features).toBe(windows);
    expectStoredOnce(await storage.sequences(), published);
    return { windows };
  }

  it('the cloud broker (a persistent Mosquitto between gateway and cloud) restarted twice', async () => {
    const mosquitto = await startPersistentMosquitto();
    cleanups.push(() => mosquitto.close());
    const { windows } = await runThrough({ upstreamUrl: mosquitto.url }, mosquitto);
    console.log(`cloud broker restarted ${RESTARTS_AT_S.length}×: ${windows} windows stored once`);
  }, 180_000);

  it('the device broker (an external Mosquitto between twins and gateway) restarted twice', async () => {
    const mosquitto = await startPersistentMosquitto();
    cleanups.push(() => mosquitto.close());
    const upstream: EmbeddedBroker = await startBroker();
    cleanups.push(() => upstream.close());
    const { windows } = await runThrough({ deviceUrl: mosquitto.url, upstreamUrl: upstream.url }, mosquitto);
    console.log(`device broker restarted ${RESTARTS_AT_S.length}×: ${windows} windows stored once`);
  }, 180_000);
});
