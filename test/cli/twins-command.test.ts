import { createHash, type Hash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetLoadReport } from '../../scenarios/index';
import { connectMqtt, type MqttClient } from '../../sim/index';
import { startMosquitto, type Mosquitto } from '../integration/proxy/mosquitto';
import { runTwinbed, spawnTwinbed, waitUntil } from '../support/twinbed-process';

// Two twins, ×8: 16 devices. Per copy over 4 s: the pump's accelerometer 100 blocks of 40 ms, its winding RTD 2
// blocks of 2 s (bearing RTD: 10 s blocks, none), the hall's temperature 4 blocks of 1 s and humidity 8 of 0.5 s.
const SCENARIO = `
name: fleet shards
seed: 7
durationS: 4
timeScale: 1
site: lab
twins:
  - { template: pump, id: pump-1, sensors: { winding-temp: { blockSamples: 2 } } }
  - { template: environment, id: hall, sensors: { ambient-temp: { rateHz: 1, blockSamples: 1 }, humidity: { rateHz: 2, blockSamples: 1 } } }
faults:
  - { type: imbalance, device: pump-1, atS: 1, unbalanceGmm: 8000 }
  - { type: drift, device: hall, sensor: ambient-temp, atS: 1, ratePerS: 0.5 }
expect:
  - type: stored-exactly-once
`;
const INTENDED = 8 * (100 + 2 + 4 + 8);
const DEVICES = [...Array.from({ length: 8 }, (_, i) => `pump-1-${i + 1}`), ...Array.from({ length: 8 }, (_, i) => `hall-${i + 1}`)].sort();

let dir: string;
let broker: Mosquitto;
let scenario: string;
let target: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-twins-'));
  // Unbounded queues: a subscriber that falls behind a virtual-time fleet must not lose QoS 1 messages.
  broker = await startMosquitto(['max_queued_messages 0']);
  scenario = join(dir, 'fleet.yaml');
  target = join(dir, 'target.yaml');
  await writeFile(scenario, SCENARIO);
  // {index} in the topic: a sharded device must still name its place in the whole fleet.
  await writeFile(
    target,
    [
      'kind: mqtt',
      'devices:',
      `  url: mqtt://127.0.0.1:${broker.port}`,
      '  clientId: tw-{device}',
      '  topic: load/{site}/{device}/{index}/{sensor}',
      'observe:',
      "  topics: [{ filter: 'unused/+/event', as: alert, fields: { device: device, time: tsMs } }]",
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the broker passed on, per device: SHA-256 over topic and payload in arrival order, messages and bytes. */
async function subscriber(): Promise<{ client: MqttClient; seen: Map<string, { hash: Hash; messages: number; bytes: number; topics: Set<string> }> }> {
  const client = await connectMqtt(`mqtt://127.0.0.1:${broker.port}`, { clientId: `checker-${Math.random().toString(16).slice(2)}` });
  const seen = new Map<string, { hash: Hash; messages: number; bytes: number; topics: Set<string> }>();
  client.on('message', (topic, payload) => {
    const device = topic.split('/')[2]!;
    let entry = seen.get(device);
    if (!entry) seen.set(device, (entry = { hash: createHash('sha256'), messages: 0, bytes: 0, topics: new Set() }));
    entry.hash.update(topic).update(payload);
    entry.messages++;
    entry.bytes += payload.byteLength;
    entry.topics.add(topic);
  });
  await client.subscribeAsync('load/#', { qos: 1 });
  return { client, seen };
}

async function report(file: string): Promise<FleetLoadReport> {
  return JSON.parse(await readFile(file, 'utf8')) as FleetLoadReport;
}

function digests(seen: Awaited<ReturnType<typeof subscriber>>['seen']): Record<string, string> {
  return Object.fromEntries([...seen].map(([device, e]) => [device, e.hash.copy().digest('hex')]));
}

describe('twinbed twins', () => {
  const flags = () => [scenario, '--target', target, '--scale', '8', '--time-scale', 'max'];
  let whole: FleetLoadReport;
  let wholeStdout: string;
  let shards: FleetLoadReport[];
  let wholeSeen: Awaited<ReturnType<typeof subscriber>>['seen'];
  let shardSeen: Awaited<ReturnType<typeof subscriber>>['seen'];

  beforeAll(async () => {
    const first = await subscriber();
    const run = await runTwinbed(['twins', ...flags(), '--report', join(dir, 'whole.json')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    wholeStdout = run.stdout;
    whole = await report(join(dir, 'whole.json'));
    const arrived = (seen: typeof first.seen) => () => DEVICES.every((d) => seen.get(d)?.messages === whole.perDevice[d]?.messages);
    expect(await waitUntil(arrived(first.seen), 20_000), 'the subscriber got every message of the unsharded run').toBe(true);
    await first.client.endAsync();
    wholeSeen = first.seen;

    // The four shards run side by side, as four machines would.
    const second = await subscriber();
    const runs = await Promise.all([1, 2, 3, 4].map((i) => runTwinbed(['twins', ...flags(), '--shard', `${i}/4`, '--report', join(dir, `shard-${i}.json`)])));
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(0);
    shards = await Promise.all([1, 2, 3, 4].map((i) => report(join(dir, `shard-${i}.json`))));
    expect(await waitUntil(arrived(second.seen), 20_000), 'the subscriber got every message of the shards').toBe(true);
    await second.client.endAsync();
    shardSeen = second.seen;
  }, 120_000);

  it('four --shard i/4 processes cover exactly the devices of one unsharded run, each once', () => {
    expect(Object.keys(whole.perDevice).sort()).toEqual(DEVICES);
    const ids = shards.map((s) => Object.keys(s.perDevice));
    expect(ids.map((i) => i.length)).toEqual([4, 4, 4, 4]);
    expect(ids.flat().sort()).toEqual(DEVICES);
    expect(shards.map((s) => s.shard)).toEqual([
      { index: 1, total: 4, from: 0, to: 4 },
      { index: 2, total: 4, from: 4, to: 8 },
      { index: 3, total: 4, from: 8, to: 12 },
      { index: 4, total: 4, from: 12, to: 16 },
    ]);
    // Copy-major: shard 1 is pump-1-1, hall-1, pump-1-2, hall-2.
    expect(ids[0]!.sort()).toEqual(['hall-1', 'hall-2', 'pump-1-1', 'pump-1-2']);
  });

  it('and send the same bytes per device, by their reports and by what the broker passed on', () => {
    const merged = Object.assign({}, ...shards.map((s) => s.perDevice)) as FleetLoadReport['perDevice'];
    const reported = (perDevice: FleetLoadReport['perDevice']) => Object.fromEntries(Object.entries(perDevice).map(([d, p]) => [d, p.sha256]));
    expect(reported(merged)).toEqual(reported(whole.perDevice));
    expect(digests(wholeSeen)).toEqual(reported(whole.perDevice));
    expect(digests(shardSeen)).toEqual(reported(whole.perDevice));
    // The fleet-wide digest merges the same way: every shard's devices together give the unsharded figure.
    const all = createHash('sha256');
    for (const device of Object.keys(merged).sort((a, b) => a.localeCompare(b))) all.update(`${device}:${merged[device]!.sha256}\n`);
    expect(all.digest('hex')).toBe(whole.telemetrySha256);
    // {index} is the place in the whole scaled list (hall-3 is 6th: pump-1-1, hall-1, …), also in shard 2 of 4.
    expect([...shardSeen.get('hall-3')!.topics].sort()).toEqual(['load/lab/hall-3/5/ambient-temp', 'load/lab/hall-3/5/humidity']);
    // Different copies send different signals: ids, not copies, seed the random streams.
    expect(whole.perDevice['pump-1-1']!.sha256).not.toBe(whole.perDevice['pump-1-2']!.sha256);
  });

  it('reports what really happened: every connection, the intended messages all acknowledged, PUBACK times, bytes', () => {
    expect(whole).toMatchObject({ scenario: 'fleet shards', seed: 7, scale: 8, devices: { total: 16, inShard: 16 }, durationS: 4, timeScale: 'max', errors: {} });
    expect(whole.connections).toMatchObject({ attempted: 16, established: 16, devicesConnected: 16, devicesFailed: 0, disconnects: 0, failed: [] });
    expect(whole.connections.connectP50Ms).toBeGreaterThan(0);
    expect(whole.messages).toMatchObject({ intended: INTENDED, readings: INTENDED, dropped: 0, sent: INTENDED, acked: INTENDED, failed: 0, unacknowledged: 0 });
    expect(whole.pubackMs.count).toBe(INTENDED);
    expect(whole.pubackMs.p50).toBeGreaterThan(0);
    expect(whole.pubackMs.p99).toBeGreaterThanOrEqual(whole.pubackMs.p50);
    expect(whole.pubackMs.max).toBeGreaterThanOrEqual(whole.pubackMs.p99);
    expect(whole.messages.achievedPerS).toBeGreaterThan(0);
    const received = [...wholeSeen.values()].reduce((n, e) => n + e.bytes, 0);
    expect(whole.bytes).toBe(received);
    expect(Object.values(whole.perDevice).reduce((n, d) => n + d.bytes, 0)).toBe(received);
    for (const device of DEVICES) expect(whole.perDevice[device]!.messages).toBe(wholeSeen.get(device)!.messages);
    expect(whole.perDevice['pump-1-5']).toMatchObject({ messages: 102, readings: 102, readingsAcked: 102, readingsFailed: 0 });
    expect(whole.perDevice['hall-5']).toMatchObject({ messages: 12, readings: 12, readingsAcked: 12, readingsFailed: 0 });
    expect(wholeStdout).toContain(`messages: ${INTENDED} of ${INTENDED} intended sent`);
    expect(wholeStdout).toContain('DONE: every device connected, every intended message sent and acknowledged');
  });

  it('serves /metrics while it runs, and on SIGTERM stops, drains, reports and exits 1', async () => {
    const file = join(dir, 'metrics-run.json');
    const proc = spawnTwinbed(['twins', scenario, '--target', target, '--scale', '2', '--time-scale', '1', '--duration', '600', '--metrics', '127.0.0.1:0', '--report', file]);
    try {
      const [, url] = await proc.waitFor(/metrics at (http:\/\/\S+)/);
      let text = '';
      const acked = () => Number(/^twinbed_twins_messages_total\{result="acked"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      const answered = await waitUntil(async () => {
        const response = await fetch(url!).catch(() => undefined);
        text = response?.status === 200 ? await response.text() : '';
        return acked() > 0;
      }, 30_000);
      expect(answered, text).toBe(true);
      expect(text).toMatch(/^twinbed_twins_devices 4$/m);
      expect(text).toMatch(/^twinbed_twins_connected 4$/m);
      expect(text).toMatch(/^twinbed_twins_phase\{phase="running"\} 1$/m);
      // 2 × (accelerometer 25 + winding RTD 0.5 + bearing RTD 0.1 + temperature 1 + humidity 2) messages a second.
      expect(Number(/^twinbed_twins_intended_messages_per_second (\S+)$/m.exec(text)?.[1])).toBeCloseTo(57.2, 9);
      expect(text).toMatch(/^twinbed_twins_puback_latency_seconds\{quantile="0.99"\} [0-9.e-]+$/m);
    } finally {
      expect(await proc.stop()).toBe(1);
    }
    const stopped = await report(file);
    expect(stopped.stoppedEarly).toBe('SIGTERM');
    expect(stopped.messages.acked).toBeGreaterThan(0);
    expect(stopped.messages.unacknowledged).toBe(0);
    expect(proc.stdout()).toContain('STOPPED EARLY (SIGTERM)');
  });
});

describe('twinbed twins against a broker that takes only some devices', () => {
  it('counts the others by reason, runs the rest to the end, and exits 1', async () => {
    const small = await startMosquitto(['max_connections 10']);
    try {
      const file = join(dir, 'small-target.yaml');
      await writeFile(
        file,
        ['kind: mqtt', 'devices:', `  url: mqtt://127.0.0.1:${small.port}`, '  connectTimeoutMs: 2000', 'observe:', "  topics: [{ filter: 'unused/+/event', as: alert, fields: { device: device, time: tsMs } }]", ''].join('\n'),
      );
      const { code, stdout, stderr } = await runTwinbed(['twins', scenario, '--target', file, '--scale', '8', '--time-scale', 'max', '--report', join(dir, 'small.json')]);
      expect(code, stdout + stderr).toBe(1);
      const r = await report(join(dir, 'small.json'));
      // About ten get in (Mosquitto counts its own way: a reconnect may take a slot another one freed).
      const { devicesConnected, devicesFailed } = r.connections;
      expect(devicesConnected + devicesFailed).toBe(16);
      expect(devicesFailed).toBeGreaterThanOrEqual(4);
      expect(r.connections.established).toBe(devicesConnected);
      // Mosquitto resets a connection over its limit, or the CONNACK never comes: either way, by reason.
      const refused = /ECONNRESET|EPIPE|no CONNACK within 2000 ms/;
      for (const f of r.connections.failed) expect(f.reason).toMatch(refused);
      for (const reason of Object.keys(r.errors)) expect(reason).toMatch(refused);
      expect(Object.values(r.errors).reduce((a, b) => a + b, 0)).toBe(devicesFailed);
      // The ones that connected ran to the end and sent all of theirs.
      expect(Object.keys(r.perDevice)).toHaveLength(devicesConnected);
      const perCopy = { pump: 102, hall: 12 };
      for (const [device, d] of Object.entries(r.perDevice)) expect(d.messages).toBe(device.startsWith('pump') ? perCopy.pump : perCopy.hall);
      expect(r.messages.acked).toBe(r.messages.readings);
      expect(stdout).toContain(`INCOMPLETE: ${devicesFailed} of 16 devices never connected`);
    } finally {
      await small.close();
    }
  });
});

describe('twinbed twins refuses invalid input with exit 2, naming the flag or file', () => {
  it.each([
    [['--shard', '5/4'], "option '--shard <i/n>' argument '5/4' is invalid. the shard i must be between 1 and 4, got 5"],
    [['--shard', 'half'], "option '--shard <i/n>' argument 'half' is invalid. expected i/n, e.g. 2/4"],
    [['--scale', '0'], "option '--scale <n>' argument '0' is invalid. expected a whole number ≥ 1"],
    [['--time-scale', 'fast'], "option '--time-scale <x>' argument 'fast' is invalid"],
    [['--metrics', '9464'], "option '--metrics <host:port>' argument '9464' is invalid"],
  ])('%j', async (extra, message) => {
    const { code, stdout, stderr } = await runTwinbed(['twins', scenario, '--target', target, ...extra]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('a missing target file', async () => {
    const missing = join(dir, 'no-such-target.yaml');
    const { code, stdout, stderr } = await runTwinbed(['twins', scenario, '--target', missing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${missing}: cannot read the target file (ENOENT)`);
  });

  it('no --target at all', async () => {
    const { code, stderr } = await runTwinbed(['twins', scenario]);
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--target <file>' not specified");
  });

  it('a target that is not kind: mqtt', async () => {
    const embedded = join(dir, 'embedded.yaml');
    await writeFile(embedded, 'kind: embedded\n');
    const { code, stderr } = await runTwinbed(['twins', scenario, '--target', embedded]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${embedded} kind: twinbed twins needs a kind: mqtt target`);
  });

  it('a scale that makes ids longer than 64 characters', async () => {
    const long = join(dir, 'long.yaml');
    await writeFile(long, `name: long ids\ndurationS: 1\ntwins:\n  - { template: environment, id: ${'a'.repeat(60)} }\n`);
    const { code, stderr } = await runTwinbed(['twins', long, '--target', target, '--scale', '100000']);
    expect(code).toBe(2);
    expect(stderr).toContain('--scale 100000 makes twin id');
  });
});
