import { createHash } from 'node:crypto';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario, startStack } from '../../scenarios';
import { VirtualClock } from '../../sim';
import { waitUntil } from '../support/twinbed-process';

const scenario = parseScenario(`
name: determinism
seed: 11
durationS: 20
twins:
  - { template: pump, id: pump-1 }
  - { template: fan, id: fan-1 }
faults:
  - { type: imbalance, device: pump-1, atS: 5, rampS: 5, unbalanceGmm: 20000 }
rules:
  - { metric: rms, sensor: accel, above: 0.2 }
expect:
  - { type: alert, device: pump-1, withinS: 10 }
  - { type: stored-exactly-once }
`);

const everyTemplate = parseScenario(`
name: every template
seed: 21
durationS: 60
twins:
  - { template: pump, id: pump-1 }
  - { template: fan, id: fan-1 }
  - { template: conveyor, id: conveyor-1 }
  - { template: robot-arm, id: robot-1 }
  - { template: environment, id: hall }
faults:
  - { type: bearing, device: pump-1, component: inner, atS: 10 }
  - { type: jam, device: conveyor-1, atS: 30 }
  - { type: collision, device: robot-1, atS: 20, forS: 10 }
  - { type: spikes, device: hall, sensor: humidity, atS: 0, ratePerS: 0.1, amplitude: 5 }
`);

// The edge slows the pump down when its own rule fires: the command comes back into the twin's signal.
const localAction = parseScenario(`
name: local action
seed: 7
durationS: 30
twins:
  - { template: pump, id: pump-1 }
  - { template: fan, id: fan-1 }
faults:
  - { type: imbalance, device: pump-1, atS: 15, rampS: 5, unbalanceGmm: 20000 }
gateway:
  rules:
    - { name: accel-rms-high, metric: rms, sensor: accel, above: 0.3 }
  actions:
    - { on: accel-rms-high, action: slow-down, args: { speedRpm: 1000, rampS: 5 } }
expect:
  - { type: command, device: pump-1, action: slow-down, withinS: 5 }
`);

/** Runs the stack on a virtual clock and hashes the telemetry as a separate subscriber saw it on the wire. */
async function wireHash(seed: number, run = scenario): Promise<{ hash: string; messages: number; devices: Record<string, string> }> {
  const startMs = Date.parse(run.startTime);
  const endMs = startMs + run.durationS * 1000;
  const clock = new VirtualClock(startMs);
  const stack = await startStack({ scenario: run, seed, clock, startMs, endMs });
  const perDevice = new Map<string, ReturnType<typeof createHash>>();
  let messages = 0;
  const tap = await mqtt.connectAsync(stack.gateway.deviceUrl, { clientId: 'wire-tap' });
  tap.on('message', (topic, payload) => {
    const device = topic.split('/')[3]!;
    if (!perDevice.has(device)) perDevice.set(device, createHash('sha256'));
    perDevice.get(device)!.update(topic).update(payload);
    messages++;
  });
  await tap.subscribeAsync('twinbed/v1/+/+/telemetry/+', { qos: 1 });
  try {
    await clock.runUntil(endMs);
    await stack.fleet.drain();
    const sent = stack.fleet.stats().reduce((n, d) => n + d.sent, 0);
    await waitUntil(() => messages >= sent, 10_000);
  } finally {
    await tap.endAsync();
    await stack.stop();
  }
  const devices = Object.fromEntries([...perDevice.keys()].sort().map((device) => [device, perDevice.get(device)!.digest('hex')]));
  const all = createHash('sha256');
  for (const [device, hash] of Object.entries(devices)) all.update(`${device}:${hash}\n`);
  return { hash: all.digest('hex'), messages, devices };
}

describe('determinism under a seed', () => {
  it('gives every template the same bytes for the same seed, the rapier-driven conveyor and robot arm included', async () => {
    const first = await wireHash(21, everyTemplate);
    const second = await wireHash(21, everyTemplate);
    const other = await wireHash(22, everyTemplate);
    expect(Object.keys(first.devices)).toEqual(['conveyor-1', 'fan-1', 'hall', 'pump-1', 'robot-1']);
    expect(second.devices).toEqual(first.devices);
    for (const device of Object.keys(first.devices)) expect(other.devices[device], device).not.toBe(first.devices[device]);
  });

  it('publishes byte-identical telemetry for the same seed and different telemetry for another', async () => {
    const first = await wireHash(11);
    const second = await wireHash(11);
    const other = await wireHash(12);
    // Per twin: 500 accel blocks of 40 ms, and 2 blocks of 10 s from each of the two temperature sensors.
    expect(first.messages).toBe(2 * (500 + 2 * 2));
    expect(second).toEqual(first);
    expect(other.messages).toBe(first.messages);
    expect(other.hash).not.toBe(first.hash);
  });

  it('gives a byte-identical JSON report for the same seed, apart from the wall-clock figures all under `wall`, and another hash for another seed', async () => {
    const progress: number[] = [];
    const a = await runScenario(scenario);
    // Progress is read off a wall-clock timer: it must not move a single simulated event.
    const b = await runScenario(scenario, { onProgress: (p) => progress.push(p.simulatedS), progressIntervalMs: 1 });
    const c = await runScenario(scenario, { seed: 99 });
    expect(a.passed).toBe(true);
    expect(a.timeline.series.length).toBeGreaterThan(0);
    const json = ({ wall: _wall, ...rest }: typeof a) => JSON.stringify(rest);
    expect(json(b)).toBe(json(a));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((s, i) => s >= (progress[i - 1] ?? 0) && s <= 20)).toBe(true);
    expect(Object.keys(a.wall).sort()).toEqual(['connectP50Ms', 'connectP99Ms', 'ms', 'pubackMaxMs', 'pubackP50Ms', 'pubackP99Ms', 'settle', 'speedup']);
    expect(c.seed).toBe(99);
    expect(c.telemetrySha256).not.toBe(a.telemetrySha256);
  });

  it('lands a local action at the same simulated time on every run, however busy the machine: the window that fired it closes, then the twin takes it', async () => {
    const runs = [await runScenario(localAction), await runScenario(localAction), await runScenario(localAction)];
    const json = ({ wall: _wall, ...rest }: (typeof runs)[number]) => JSON.stringify(rest);
    for (const run of runs) expect(run.passed).toBe(true);
    // The edge's event is stamped with its 1 s window's start; the command lands when that window closes.
    expect(runs[0]!.timeline.alerts.filter((a) => a.rule === 'accel-rms-high').map((a) => a.atS)).toEqual([17]);
    expect(runs[0]!.timeline.commands).toEqual([{ device: 'pump-1', action: 'slow-down', atS: 18 }]);
    // The slowed pump's signal after the command is part of the hash: it is the same only if the command landed at the same time.
    expect(json(runs[1]!)).toBe(json(runs[0]!));
    expect(json(runs[2]!)).toBe(json(runs[0]!));
  });
});
