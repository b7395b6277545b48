import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetLoad, MqttTargetSchema, parseScenario, sliceFleet } from '../../../../scenarios/index';
import { RandomStreams, Scheduler, startBroker, VirtualClock, type EmbeddedBroker } from '../../../../sim/index';
import { createMachines, DeviceConnectionSchema, TwinFleet } from '../../../../twins/index';

const scenario = parseScenario(
  [
    'name: phases',
    'durationS: 12',
    'twins:',
    '  - { template: environment, id: hall, sensors: { ambient-temp: { rateHz: 1, blockSamples: 1 }, humidity: { rateHz: 0.5, blockSamples: 2 } } }',
    '  - { template: environment, id: yard, sensors: { ambient-temp: { rateHz: 2, blockSamples: 3 }, humidity: { enabled: false } } }',
    'faults:',
    '  - { type: drift, device: yard, sensor: ambient-temp, atS: 2, ratePerS: 0.1 }',
    '',
  ].join('\n'),
);
const START_MS = Date.parse(scenario.startTime);
const END_MS = START_MS + scenario.durationS * 1000;

let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

/** Records where each periodic job starts, ms after the run's start: the fleet's blocks and its truth check. */
class StartsRecorder extends Scheduler {
  readonly starts: number[] = [];

  override every(periodMs: number, fn: (tickMs: number, tick: number) => void | Promise<void>, options: { startMs?: number; endMs?: number } = {}) {
    this.starts.push((options.startMs ?? this.clock.now()) - START_MS);
    return super.every(periodMs, fn, options);
  }
}

/** Runs the scenario ×4 as one fleet in virtual time, each device at `phaseOf`, and returns what each sent. */
async function run(phaseOf?: (device: string) => number): Promise<{ sha: Record<string, string>; sent: Record<string, number>; starts: number[] }> {
  const slice = sliceFleet(scenario, { scale: 4 });
  const clock = new VirtualClock(START_MS);
  const scheduler = new StartsRecorder(clock);
  const fleet = await TwinFleet.start({
    brokerUrl: broker.url,
    connection: DeviceConnectionSchema.parse({ topic: 'phase/{site}/{device}/{index}/{sensor}', clientId: `phase-${phaseOf ? 'on' : 'off'}-{device}` }),
    site: scenario.site,
    machines: (streams) => createMachines(slice.definition, streams),
    indexOf: slice.indexOf,
    ...(phaseOf ? { phaseOf } : {}),
    scheduler,
    streams: new RandomStreams(scenario.seed),
    startMs: START_MS,
    endMs: END_MS,
  });
  try {
    await clock.runUntil(END_MS);
    fleet.halt();
    await fleet.drain();
    const sent: Record<string, number> = {};
    for (const s of fleet.stats()) sent[`${s.device}/${s.sensor}`] = s.sent;
    return { sha: fleet.deviceSha256(), sent, starts: scheduler.starts };
  } finally {
    await fleet.stop();
  }
}

describe('publishing phases', () => {
  it('move when a device publishes, never a bit of what it sends or how many blocks', async () => {
    const aligned = await run();
    const spread = await run((device) => sliceFleet(scenario, { scale: 4 }).indexOf(device) / 8);
    const odd = await run((device) => (device.length % 7) / 7 + 0.0001);
    // Channel by channel in fleet order (hall-1, yard-1, hall-2 …), then the truth check. Device i of 8 starts
    // i/8 of its shortest block later, in whole ms: hall's 1 s, yard's 1.5 s; both of a device's channels alike.
    expect(aligned.starts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(spread.starts).toEqual([0, 0, 187, 250, 250, 562, 500, 500, 937, 750, 750, 1312, 0]);
    expect(Object.keys(aligned.sha)).toHaveLength(8);
    expect({ ...spread, starts: [] }).toEqual({ ...aligned, starts: [] });
    expect({ ...odd, starts: [] }).toEqual({ ...aligned, starts: [] });
    // 12 s: ambient-temp 12 blocks of 1 s; humidity 3 blocks of 2 samples at 0.5 Hz (4 s); yard's 1.5 s blocks: 8.
    expect(aligned.sent['hall-1/ambient-temp']).toBe(12);
    expect(aligned.sent['hall-3/humidity']).toBe(3);
    expect(aligned.sent['yard-4/ambient-temp']).toBe(8);
  });

  it('spread a load run evenly, and a shard sends what the same devices send in the whole fleet', async () => {
    const target = (name: string) => ({
      name,
      baseDir: process.cwd(),
      target: MqttTargetSchema.parse({
        kind: 'mqtt',
        devices: { url: broker.url, clientId: `${name}-{device}` },
        observe: { topics: [{ filter: 'unused/+/event', as: 'alert', fields: { device: 'device', time: 'tsMs' } }] },
      }),
    });
    const options = { scenario, scale: 4, timeScale: 'max' as const };
    const whole = await new FleetLoad({ ...options, target: target('whole') }).run();
    const shards = await Promise.all([1, 2, 3].map((index) => new FleetLoad({ ...options, target: target(`shard-${index}`), shard: { index, total: 3 } }).run()));
    const merged = Object.assign({}, ...shards.map((s) => s.perDevice));
    expect(merged).toEqual(whole.perDevice);
    expect(shards.map((s) => s.devices)).toEqual([{ total: 8, inShard: 3 }, { total: 8, inShard: 3 }, { total: 8, inShard: 2 }]);
    expect(whole.messages).toMatchObject({ intended: 4 * (12 + 3 + 8), readings: 92, sent: 92, acked: 92, failed: 0, unacknowledged: 0 });
  });
});
