import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema, type StreamBytes } from '../../gateway';
import { decodeAs, filters, type FeaturesV2 } from '../../protocol';
import { connectMqtt, RandomStreams, Scheduler, startBroker, VirtualClock, type EmbeddedBroker, type MqttClient } from '../../sim';
import { createMachines, MachineSchema, TEMPLATES, TwinFleet, type DeviceStats, type MachineConfig } from '../../twins';
import { waitUntil } from '../support/twinbed-process';

// Issue 12: the edge never inflates a stream. One twin of every template, every sensor on (power too, off by default),
// through the gateway's default pipelines over loopback MQTT: per device and sensor, the feature bytes the gateway
// sends up never exceed the payload bytes it received. 7 minutes of event time: seven 60 s blocks of the slowest
// sensor (the environment's), three of its two-block windows and one left open until the drain.
const SITE = 'plant-bytes';
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const DURATION_S = 420;

/** A twin of `template` with every sensor it has enabled. */
function everySensor(template: string): MachineConfig {
  const id = `${template}-1`;
  const defaults = MachineSchema.parse({ template, id });
  const sensors = Object.fromEntries(Object.keys(defaults.sensors).map((sensor) => [sensor, { enabled: true }]));
  return MachineSchema.parse({ template, id, sensors });
}

/** `twinbed_gateway_bytes_<in|up>_total` per `device/sensor`, as Prometheus scrapes them. */
async function scrapeBytes(url: string, which: 'in' | 'up'): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const series = new Map<string, number>();
  for (const [, labels, value] of text.matchAll(new RegExp(`^twinbed_gateway_bytes_${which}_total\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1];
    series.set(`${label('device')}/${label('sensor')}`, Number(value));
  }
  return series;
}

/** The bytes table as the test prints it. */
function table(rows: readonly StreamBytes[]): string {
  const lines = rows.map((r) => `${`${r.device}/${r.sensor}`.padEnd(26)} ${String(r.bytesIn).padStart(10)} ${String(r.bytesUp).padStart(9)}  ×${(r.bytesIn / Math.max(r.bytesUp, 1)).toFixed(1)}`);
  return [`${'stream'.padEnd(26)} ${'bytes in'.padStart(10)} ${'bytes up'.padStart(9)}  less`, ...lines].join('\n');
}

describe('bytes per sensor through the gateway', () => {
  let cloud: EmbeddedBroker;
  let gateway: Gateway;
  let watcher: MqttClient;
  const records: FeaturesV2[] = [];

  beforeAll(async () => {
    cloud = await startBroker();
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: 'gw-1', devices: { listen: { port: 0 } }, upstream: { url: cloud.url }, metrics: { listen: { port: 0 } } }),
      clock: new VirtualClock(START_MS),
    });
    watcher = await connectMqtt(cloud.url, { clientId: 'bytes-watcher' });
    watcher.on('message', (_topic, payload) => records.push(decodeAs(payload, 'features') as FeaturesV2));
    await watcher.subscribeAsync(filters.features(SITE), { qos: 1 });
  });

  afterAll(async () => {
    await watcher?.endAsync();
    await gateway?.stop();
    await cloud?.close();
  });

  /** Waits until the gateway has processed and sent everything it took, and the watcher has every record it sent. */
  async function settled(acked: number): Promise<boolean> {
    return waitUntil(async () => {
      if (gateway.counters().received < acked) return false;
      await gateway.idle();
      const { inbox: _held, outbox, inFlight } = gateway.pending();
      const c = gateway.counters();
      return outbox === 0 && inFlight === 0 && c.uplinkAcked === c.uplinkWritten && records.length === c.windows;
    }, 120_000);
  }

  it('sends up no more feature bytes than it received, for every sensor of every template, and each reading once', async () => {
    const twins = TEMPLATES.map(everySensor);
    const clock = new VirtualClock(START_MS);
    const endMs = START_MS + DURATION_S * 1000;
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: SITE,
      machines: (streams) => createMachines({ twins, faults: [], startTime: new Date(START_MS).toISOString() }, streams),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(12),
      startMs: START_MS,
      endMs,
    });
    await clock.runUntil(endMs);
    await fleet.drain();
    const published: DeviceStats[] = fleet.stats();
    await fleet.stop();
    const acked = published.reduce((n, d) => n + d.acked, 0);
    expect(published.every((d) => d.failed === 0 && d.acked === d.sent), 'every block acknowledged').toBe(true);
    // Every template and every sensor of it, power included.
    expect(new Set(published.map((d) => d.device))).toEqual(new Set(TEMPLATES.map((t) => `${t}-1`)));
    expect(published.filter((d) => d.sensor === 'power').map((d) => d.device)).toEqual(['pump-1', 'fan-1', 'conveyor-1']);

    expect(await settled(acked), 'the gateway sent all it had to').toBe(true);
    const running = gateway.streamBytes();
    console.log(`bytes per sensor after ${DURATION_S} s of event time (windows still open or held not yet sent):\n${table(running)}`);
    for (const d of published) {
      const row = running.find((r) => r.device === d.device && r.sensor === d.sensor);
      expect(row, `${d.device}/${d.sensor} counted`).toBeDefined();
      expect(row!.bytesUp, `${d.device}/${d.sensor} sends features`).toBeGreaterThan(0);
      expect(row!.bytesUp, `${d.device}/${d.sensor} bytes up ≤ bytes in`).toBeLessThanOrEqual(row!.bytesIn);
    }

    // A drain (the end of a run) closes the open windows and sends what is held: every reading goes up exactly once,
    // and no stream inflates even then.
    await gateway.flush();
    expect(await settled(acked), 'the gateway sent what it held').toBe(true);
    const drained = gateway.streamBytes();
    console.log(`after the drain:\n${table(drained)}`);
    // The same figures, per device and sensor, on the gateway's Prometheus endpoint.
    const [bytesIn, bytesUp] = [await scrapeBytes(gateway.metricsUrl!, 'in'), await scrapeBytes(gateway.metricsUrl!, 'up')];
    for (const d of published) {
      const row = drained.find((r) => r.device === d.device && r.sensor === d.sensor)!;
      expect(row.bytesUp, `${d.device}/${d.sensor} bytes up ≤ bytes in after the drain`).toBeLessThanOrEqual(row.bytesIn);
      expect([bytesIn.get(`${d.device}/${d.sensor}`), bytesUp.get(`${d.device}/${d.sensor}`)], `${d.device}/${d.sensor} in /metrics`).toEqual([row.bytesIn, row.bytesUp]);
      const seqs = records.filter((r) => r.device === d.device && r.sensor === d.sensor).flatMap((r) => Array.from({ length: r.blocks ?? 1 }, (_, i) => r.seq + i));
      expect(seqs, `${d.device}/${d.sensor}: each of ${d.acked} readings in one record`).toEqual(Array.from({ length: d.acked }, (_, seq) => seq));
    }
  }, 300_000);
});
