import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { decodeMessage, parseTopic } from '../../protocol';
import { connectMqtt, RandomStreams, Scheduler, ScaledRealClock, startBroker, type EmbeddedBroker, type MqttClient } from '../../sim';
import type { MqttProxy } from '../../sim/proxy/index';
import { createMachines, PumpSchema, TwinFleet, type DeviceStats } from '../../twins';
import { freePort, proxyTo } from './proxy/support';
import { expectStoredOnce } from '../support/stored-once';
import { spawnTwinbed, waitUntil, type TwinbedProcess } from '../support/twinbed-process';

// The chaos run, in simulated seconds at ×20: healthy → uplink partitioned → pump-1 unbalanced (edge rule fires,
// raw blocks around the event queue up) → gateway SIGKILLed and restarted → uplink heals after 5 minutes → drain.
const FACTOR = 20;
const PARTITION_AT_S = 40;
const FAULT_AT_S = 100;
const KILL_AT_S = 160;
const HEAL_AT_S = PARTITION_AT_S + 300;
const END_S = HEAL_AT_S + 40;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SITE = 'plant-chaos';

interface Arrival {
  kind: 'features' | 'event' | 'raw' | 'other';
  tsMs: number;
  device: string;
}

describe('chaos: a 5-minute uplink partition with the gateway process SIGKILLed in the middle of it', () => {
  let dir: string;
  let cloudBroker: EmbeddedBroker;
  let proxy: MqttProxy;
  let storage: SqliteStorage;
  let cloud: Cloud;
  let observer: MqttClient;
  const arrivals: Arrival[] = [];
  const gateways: TwinbedProcess[] = [];
  let config: string;

  const startGateway = async (): Promise<{ deviceUrl: string; backlog: { inbox: number; outbox: number } }> => {
    const gateway = spawnTwinbed(['gateway', '--config', config]);
    gateways.push(gateway);
    const ready = await gateway.waitFor(/^.*"msg":"gateway ready".*$/m, 20_000);
    return JSON.parse(ready[0]) as { deviceUrl: string; backlog: { inbox: number; outbox: number } };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-chaos-'));
    cloudBroker = await startBroker();
    const { port: cloudPort } = new URL(cloudBroker.url);
    // The uplink: the gateway reaches the cloud broker only through this proxy, which the test partitions.
    proxy = await proxyTo(Number(cloudPort), { name: 'uplink' });
    storage = new SqliteStorage(join(dir, 'cloud.db'));
    cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, clock: new ScaledRealClock() });
    // What reaches the cloud, in arrival order: the proof that events overtake the raw backlog.
    observer = await connectMqtt(cloudBroker.url, { clientId: 'chaos-observer' });
    observer.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (!parsed || parsed.site !== SITE) return;
      const kind = parsed.kind === 'features' || parsed.kind === 'event' || parsed.kind === 'raw' ? parsed.kind : 'other';
      if (kind === 'other') return;
      try {
        const message = decodeMessage(payload) as { tsMs: number; device: string };
        arrivals.push({ kind, tsMs: message.tsMs, device: message.device });
      } catch {
        // not ours to judge: the cloud dead-letters what it cannot decode
      }
    });
    await observer.subscribeAsync(`twinbed/v1/${SITE}/#`, { qos: 1 });

    config = join(dir, 'gateway.yaml');
    const devicePort = await freePort();
    await writeFile(
      config,
      [
        `site: ${SITE}`,
        'id: gw-chaos',
        'devices:',
        '  listen:',
        `    port: ${devicePort}`,
        'upstream:',
        `  url: ${proxy.url}`,
        'store:',
        `  path: ${join(dir, 'gateway.db')}`,
        'rules:',
        '  - { name: accel-rms-high, metric: rms, sensor: accel, above: 0.2 }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await observer?.endAsync();
    await cloud?.stop();
    await storage?.close();
    await proxy?.close();
    await cloudBroker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every QoS 1 reading the gateway acknowledged exactly once, and the events ahead of the raw backlog', async () => {
    const { deviceUrl, backlog: fresh } = await startGateway();
    expect(fresh).toMatchObject({ inbox: 0, outbox: 0 });
    const clock = new ScaledRealClock({ factor: FACTOR, startMs: START_MS });
    const atS = (s: number) => waitUntil(() => clock.now() >= START_MS + s * 1000, (s * 1000) / FACTOR + 30_000);
    const twins = [PumpSchema.parse({ template: 'pump', id: 'pump-1' }), PumpSchema.parse({ template: 'pump', id: 'pump-2' })];
    const fleet = await TwinFleet.start({
      brokerUrl: deviceUrl,
      site: SITE,
      machines: (streams) =>
        createMachines(
          { twins, faults: [{ type: 'imbalance', device: 'pump-1', atS: FAULT_AT_S, rampS: 20, unbalanceGmm: 20_000, severity: 1 }], startTime: new Date(START_MS).toISOString() },
          streams,
        ),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(11),
      startMs: START_MS,
      endMs: START_MS + END_S * 1000,
    });

    await atS(PARTITION_AT_S);
    proxy.setImpairment('both', { partition: true });
    const partitionedAt = arrivals.length;

    await atS(KILL_AT_S);
    const killed = gateways[0]!;
    process.kill(killed.child.pid!, 'SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const killedWallMs = performance.now();
    const { backlog: resumed } = await startGateway();
    // The restarted process picks up the queue the killed one had built during the partition.
    expect(resumed.outbox, 'outbox rows that survived SIGKILL').toBeGreaterThan(100);
    const downWallMs = performance.now() - killedWallMs;

    await atS(HEAL_AT_S);
    // Windows already past the proxy when it partitioned still land (their event time is before the partition and
    // its 1 s window); nothing made after the partition began may cross it.
    const crossed = arrivals.slice(partitionedAt).filter((a) => a.tsMs >= START_MS + (PARTITION_AT_S + 2) * 1000);
    expect(crossed, 'nothing made after the partition began crosses the partitioned uplink').toEqual([]);
    proxy.setImpairment('both', {});
    const healedAt = arrivals.length;

    await atS(END_S);
    // Under load the scaled clock's timers fire late: wait for every block of the run (25/s of accel, one per 10 s
    // of each temperature) to have been sent, so no window is left half full at the gateway.
    const expected = 2 * (END_S * 25 + 2 * (END_S / 10));
    const allSent = await waitUntil(() => fleet.stats().reduce((n, d) => n + d.sent, 0) >= expected, 60_000);
    expect(allSent, `twins sent ${fleet.stats().reduce((n, d) => n + d.sent, 0)} of ${expected} blocks`).toBe(true);
    await fleet.drain();
    const published: DeviceStats[] = fleet.stats();
    await fleet.stop();

    const acked = published.reduce((n, d) => n + d.acked, 0);
    const covered = async () => (await storage.sequences()).reduce((n, s) => n + s.count, 0);
    const drained = await waitUntil(async () => (await covered()) >= acked, 90_000);
    await cloud.idle();
    const shortfall = drained ? '' : `the cloud holds ${await covered()} of ${acked} acknowledged readings after 90 s`;

    expectStoredOnce(await storage.sequences(), published);

    expect(shortfall).toBe('');

    // The backlog, in the order it reached the cloud after the heal: every event raised during the partition came
    // before the first raw block.
    const inPartition = (a: Arrival) => a.tsMs >= START_MS + PARTITION_AT_S * 1000 && a.tsMs < START_MS + HEAL_AT_S * 1000;
    const backlog = arrivals.slice(healedAt).filter(inPartition);
    const events = backlog.flatMap((a, i) => (a.kind === 'event' ? [i] : []));
    const raws = backlog.flatMap((a, i) => (a.kind === 'raw' ? [i] : []));
    expect(events.length, 'the edge rule fired on pump-1 during the partition').toBeGreaterThanOrEqual(1);
    expect(raws.length, 'raw blocks around the event were queued').toBeGreaterThan(0);
    expect(Math.max(...events)).toBeLessThan(Math.min(...raws));
    const features = backlog.filter((a) => a.kind === 'features').length;
    console.log(
      `chaos: ${acked} readings acknowledged, all stored once; gateway down ${Math.round(downWallMs)} ms wall and resumed with ${resumed.outbox} outbox + ${resumed.inbox} inbox rows (${((downWallMs * FACTOR) / 1000).toFixed(1)} s simulated); ` +
        `backlog after the heal: ${events.length} events, then ${features} feature windows and ${raws.length} raw blocks; cloud dropped ${cloud.stats().duplicatesDropped} duplicates`,
    );
  }, 180_000);
});
