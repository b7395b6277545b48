import { readFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { decodeMessage, type CommandV1, type DeadLetterV1, type EventV1, type FeaturesV2 } from '../../protocol';
import { startBroker, VirtualClock, type EmbeddedBroker } from '../../sim';
import { GOLDEN_PUMP_FEATURES, PUMP_SITE, pumpAccelBlocks } from '../support/pump-blocks';
import { waitUntil } from '../support/twinbed-process';

interface Seen {
  features: FeaturesV2[];
  events: EventV1[];
  deadLetters: DeadLetterV1[];
  commands: CommandV1[];
  counters: ReturnType<Gateway['counters']>;
  threadId: number;
}

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** The fixed pump input, a malformed payload in the middle, through a gateway whose processing runs in `thread`. */
async function runThrough(thread: 'main' | 'worker'): Promise<Seen> {
  const upstream: EmbeddedBroker = await startBroker();
  closers.push(() => upstream.close());
  const gateway = await Gateway.start({
    config: GatewayConfigSchema.parse({
      site: PUMP_SITE,
      id: 'gw-1',
      devices: { listen: { port: 0 } },
      upstream: { url: upstream.url },
      processing: { thread },
      rules: [{ name: 'accel-high', metric: 'rms', sensor: 'accel', above: 0.2 }],
      actions: [{ on: 'accel-high', action: 'stop' }],
    }),
    clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
  });
  closers.push(() => gateway.stop());
  const seen: Seen = { features: [], events: [], deadLetters: [], commands: [], counters: gateway.counters(), threadId: gateway.processingThreadId };
  const cloud = await mqtt.connectAsync(upstream.url);
  closers.push(() => cloud.endAsync());
  cloud.on('message', (topic, payload) => {
    if (topic.includes('/features/')) seen.features.push(decodeMessage(payload) as FeaturesV2);
    else if (topic.endsWith('/event')) seen.events.push(decodeMessage(payload) as EventV1);
    else if (topic.endsWith('/deadletter')) seen.deadLetters.push(decodeMessage(payload) as DeadLetterV1);
  });
  await cloud.subscribeAsync([`twinbed/v1/${PUMP_SITE}/+/features/+`, `twinbed/v1/${PUMP_SITE}/+/event`, `twinbed/v1/${PUMP_SITE}/deadletter`], { qos: 1 });
  const device = await mqtt.connectAsync(gateway.deviceUrl);
  closers.push(() => device.endAsync());
  device.on('message', (_topic, payload) => seen.commands.push(decodeMessage(payload) as CommandV1));
  await device.subscribeAsync(`twinbed/v1/${PUMP_SITE}/+/cmd`, { qos: 1 });

  const blocks = await pumpAccelBlocks(10);
  for (const [i, { topic, payload }] of blocks.entries()) {
    if (i === 100) await device.publishAsync(topic, Buffer.from('not a reading'), { qos: 1 });
    await device.publishAsync(topic, payload, { qos: 1 });
  }
  expect(await waitUntil(() => seen.features.length === 20 && seen.events.length === 1 && seen.deadLetters.length === 1 && seen.commands.length === 1, 30_000)).toBe(true);
  await gateway.idle();
  seen.counters = gateway.counters();
  return seen;
}

describe('gateway processing in a worker thread', () => {
  it('sends the same feature records, bit for bit, as the main thread and the committed golden ones, and the same events, dead letters and commands', async () => {
    const golden = JSON.parse(await readFile(GOLDEN_PUMP_FEATURES, 'utf8')) as FeaturesV2[];
    const main = await runThrough('main');
    const worker = await runThrough('worker');

    // Vitest runs this file in a worker of its own, so the gateway's thread is not 0; the edge worker's is another.
    expect(worker.threadId).not.toBe(main.threadId);
    expect(main.features).toEqual(golden);
    expect(worker.features).toEqual(golden);
    expect(worker.events).toEqual(main.events);
    expect(worker.events.map((e) => `${e.device} ${e.state}`)).toEqual(['pump-2 raised']);
    expect(worker.deadLetters).toEqual(main.deadLetters);
    expect(worker.deadLetters[0]!.reason).toMatch(/^not valid JSON|expected/);
    expect(worker.commands).toEqual(main.commands);
    expect(worker.commands[0]).toMatchObject({ device: 'pump-2', action: 'stop' });
    const { received, bytesIn, windows, events, commands, deadLettered } = worker.counters;
    expect({ received, bytesIn, windows, events, commands, deadLettered }).toEqual({
      received: main.counters.received,
      bytesIn: main.counters.bytesIn,
      windows: main.counters.windows,
      events: main.counters.events,
      commands: main.counters.commands,
      deadLettered: main.counters.deadLettered,
    });
    expect(worker.counters).toMatchObject({ received: 501, windows: 20, deadLettered: 1, commands: 1 });
  });

  it('starts another edge worker when one dies, and every window still goes up exactly once, whole', async () => {
    const upstream: EmbeddedBroker = await startBroker();
    closers.push(() => upstream.close());
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: PUMP_SITE, id: 'gw-1', devices: { listen: { port: 0 } }, upstream: { url: upstream.url }, processing: { thread: 'worker' } }),
      clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
    });
    closers.push(() => gateway.stop());
    const features: FeaturesV2[] = [];
    const cloud = await mqtt.connectAsync(upstream.url);
    closers.push(() => cloud.endAsync());
    cloud.on('message', (_topic, payload) => features.push(decodeMessage(payload) as FeaturesV2));
    await cloud.subscribeAsync(`twinbed/v1/${PUMP_SITE}/+/features/+`, { qos: 1 });
    const device = await mqtt.connectAsync(gateway.deviceUrl);
    closers.push(() => device.endAsync());
    const blocks = await pumpAccelBlocks(10);
    const firstThread = gateway.processingThreadId;

    // 5.5 s of both pumps: five whole windows each, and a sixth half full, its rows held in the inbox.
    for (const { topic, payload } of blocks.slice(0, 2 * 137)) await device.publishAsync(topic, payload, { qos: 1 });
    expect(await waitUntil(() => features.length === 10, 30_000)).toBe(true);
    await gateway.idle();
    await gateway.crashEdgeWorker();
    expect(await waitUntil(() => gateway.counters().edgeWorkerRestarts === 1, 30_000)).toBe(true);
    for (const { topic, payload } of blocks.slice(2 * 137)) await device.publishAsync(topic, payload, { qos: 1 });
    expect(await waitUntil(() => features.length >= 20, 30_000)).toBe(true);
    await gateway.idle();

    expect(gateway.processingThreadId).not.toBe(firstThread);
    // Each window once, in order per pump, and whole: the half-full one was built again from its held rows.
    const seqs = Array.from({ length: 10 }, (_, i) => i * 25);
    for (const pump of ['pump-1', 'pump-2']) expect(features.filter((f) => f.device === pump).map((f) => f.seq)).toEqual(seqs);
    expect(features.every((f) => f.blocks === 25)).toBe(true);
    expect(gateway.counters()).toMatchObject({ received: 500, windows: 20, deadLettered: 0, edgeWorkerRestarts: 1 });
    expect(gateway.pending().inbox).toBe(0);
  });

  it('refuses a worker thread with an anomaly model, naming the field', () => {
    const parsed = GatewayConfigSchema.safeParse({ upstream: { url: 'mqtt://localhost:1883' }, processing: { thread: 'worker' }, anomaly: { sensors: ['accel'] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['processing.thread', 'the edge worker does not run the anomaly model or verify device security yet; use thread: main with anomaly or security'],
    ]);
  });
});
