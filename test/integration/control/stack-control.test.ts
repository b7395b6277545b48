import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario, ScenarioSchema, startStack, type Scenario, type Stack } from '../../../scenarios';
import { VirtualClock } from '../../../sim';
import { waitUntil } from '../../support/twinbed-process';

// Demo controls on a running stack (twins → embedded gateway → cloud over loopback MQTT, on a virtual clock), and
// the scenario they are saved as.

const scenario = parseScenario(`
name: live controls
seed: 4
durationS: 20
twins:
  - { template: pump, id: pump-1 }
  - { template: fan, id: fan-1 }
rules:
  - { metric: rms, sensor: accel, above: 0.2 }
expect:
  - { type: alert, device: pump-1 }
  - { type: stored-exactly-once }
`);

async function start(run: Scenario = scenario): Promise<{ stack: Stack; clock: VirtualClock; startMs: number; endMs: number }> {
  const startMs = Date.parse(run.startTime);
  const endMs = startMs + run.durationS * 1000;
  const clock = new VirtualClock(startMs);
  const stack = await startStack({ scenario: run, seed: run.seed, clock, startMs, endMs, controlLinks: true });
  return { stack, clock, startMs, endMs };
}

/**
 * `condition` once the links have delivered what is due now: between runUntil calls simulated time stands still, and
 * what the gateway forwarded after the last one waits on the (ideal) link for the clock.
 */
function afterDue(clock: VirtualClock, condition: () => Promise<boolean> | boolean): () => Promise<boolean> {
  return async () => {
    await clock.runUntil(clock.now());
    return condition();
  };
}

/** Feature windows of pump-1's accelerometer the cloud has stored with an event time from `fromMs` on. */
async function storedFrom(stack: Stack, fromMs: number): Promise<number> {
  return (await stack.cloud.storage.series({ device: 'pump-1', sensor: 'accel', fromMs, toMs: fromMs + 3_600_000 })).length;
}

describe('StackControl on a running stack', () => {
  it('partitions the uplink: windows wait in the link and none reaches the cloud; heal delivers every one held', async () => {
    const { stack, clock, startMs, endMs } = await start();
    const { control } = stack;
    try {
      expect(control.links().map((l) => [l.name, l.partitioned, l.lossPct, l.latencyMs])).toEqual([
        ['edge->cloud', false, 0, 0],
        ['twins->edge', false, 0, 0],
      ]);
      await clock.runUntil(startMs + 5_000);
      expect(await waitUntil(afterDue(clock, async () => (await storedFrom(stack, startMs)) > 0), 20_000)).toBe(true);
      expect(control.partition('edge->cloud')).toEqual({ atS: 5, outcome: 'edge->cloud: partitioned' });
      await clock.runUntil(startMs + 15_000);
      // The gateway goes on forwarding into the cut link, which holds QoS 1 windows for when it heals.
      expect(await waitUntil(() => control.linkStatus('edge->cloud').queued >= 5, 20_000)).toBe(true);
      expect(control.linkStatus('edge->cloud').partitioned).toBe(true);
      expect(await storedFrom(stack, startMs + 7_000)).toBe(0);

      expect(control.heal('edge->cloud')).toEqual({ atS: 15, outcome: 'edge->cloud: ideal' });
      await clock.runUntil(endMs);
      await stack.fleet.drain();
      // Every 1 s window of the run arrives, those held through the partition included, and the link owes nothing.
      const settled = afterDue(clock, async () => (await storedFrom(stack, startMs)) === 20 && control.linkStatus('edge->cloud').queued === 0);
      expect(await waitUntil(settled, 20_000)).toBe(true);
      const uplink = control.linkStatus('edge->cloud');
      expect(uplink.partitioned).toBe(false);
      expect(uplink.retransmitted).toBeGreaterThan(0);
      expect(control.linkEntries()).toEqual([
        { link: 'edge->cloud', atS: 5, partition: true },
        { link: 'edge->cloud', atS: 15, partition: false },
      ]);
    } finally {
      await stack.stop();
    }
  });

  it('injects a fault live that raises the RMS alert; its saved scenario replays it byte for byte, and passes where the original fails', async () => {
    const { stack, clock, startMs, endMs } = await start();
    let liveHash: string;
    let saved: Scenario;
    try {
      // 8.02 s falls between the pump's 40 ms blocks: the live control and the replayed step act between the same two.
      await clock.runUntil(startMs + 8_020);
      expect(stack.control.fault('pump-1', { type: 'imbalance' })).toEqual({ atS: 8.02, outcome: 'imbalance fault from 8.02 s, severity 1' });
      expect(stack.control.storm('twins->edge', { latencyMs: 20 }).outcome).toBe('twins->edge: latency 20 ms');
      await clock.runUntil(endMs);
      await stack.fleet.drain();
      expect(await waitUntil(afterDue(clock, async () => (await stack.cloud.storage.alerts({ device: 'pump-1' })).length > 0), 20_000)).toBe(true);
      liveHash = stack.fleet.telemetrySha256();
      saved = ScenarioSchema.parse(stack.control.scenario());
    } finally {
      await stack.stop();
    }
    expect(saved.steps).toEqual([{ atS: 8.02, device: 'pump-1', action: 'fault', args: { type: 'imbalance' } }]);
    expect(saved.links).toEqual([{ link: 'twins->edge', atS: 8.02, latencyMs: 20 }]);

    const replay = await runScenario(saved);
    expect(replay.passed).toBe(true);
    expect(replay.timeline.steps).toEqual([{ device: 'pump-1', action: 'fault', atS: 8.02, outcome: 'imbalance fault from 8.02 s, severity 1' }]);
    expect(replay.telemetrySha256).toBe(liveHash);
    expect(replay.links!['twins->edge']!.latencyP50Ms).toBeCloseTo(20, 0);

    const original = await runScenario(scenario);
    expect(original.passed).toBe(false);
    expect(original.telemetrySha256).not.toBe(liveHash);
  });

  it('plays the scenario\'s own steps on its twins, so a saved demo plays back live', async () => {
    const withStep = ScenarioSchema.parse({ ...scenario, steps: [{ atS: 2.02, device: 'pump-1', action: 'fault', args: { type: 'bearing', severity: 0.4 } }] });
    const { stack, clock, startMs } = await start(withStep);
    try {
      await clock.runUntil(startMs + 4_000);
      expect(stack.fleet.truthLog().find((t) => t.device === 'pump-1' && t.faults.length > 0)).toMatchObject({ tsMs: startMs + 3_000, faults: [{ fault: 'bearing', component: 'outer', severity: 0.4 }] });
      // A scenario's own steps are not controls: the saved scenario holds each once.
      expect(stack.control.steps()).toEqual([]);
      expect(stack.control.scenario().steps).toHaveLength(1);
    } finally {
      await stack.stop();
    }
  });
});
