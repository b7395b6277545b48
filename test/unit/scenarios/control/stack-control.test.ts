import { describe, expect, it } from 'vitest';
import { ControlError, parseScenario, runSetting, ScenarioSchema, StackControl, type RunSetting, type Scenario } from '../../../../scenarios/index';
import { RandomStreams, ScaledRealClock, VirtualClock, type Clock } from '../../../../sim/index';
import { createMachines, type Machine, type TwinFleet } from '../../../../twins/index';

// StackControl over real twins and real link models on a virtual clock; the fleet is the twins' command entry only.

const SCENARIO = `
name: control
seed: 3
durationS: 600
twins:
  - { template: pump, id: pump-1 }
  - { template: conveyor, id: belt-1 }
  - { template: environment, id: hall }
`;

interface Rig {
  scenario: Scenario;
  clock: VirtualClock;
  startMs: number;
  setting: RunSetting;
  machines: Machine[];
  control: StackControl;
}

async function rig(source = SCENARIO, options: { links?: readonly string[]; clock?: Clock } = { links: ['twins->edge', 'edge->cloud'] }): Promise<Rig> {
  const scenario = parseScenario(source);
  const startMs = Date.parse(scenario.startTime);
  const clock = new VirtualClock(startMs);
  const setting = runSetting(scenario, scenario.seed, options.clock ?? clock, startMs, options.links ? { links: options.links } : {});
  const machines = await createMachines(scenario, new RandomStreams(scenario.seed));
  const fleet: Pick<TwinFleet, 'applyStep'> = {
    applyStep: (device, command, atS) => machines.find((m) => m.id === device)?.command?.(command, atS ?? (clock.now() - startMs) / 1000),
  };
  const control = new StackControl({ scenario, fleet, clock: options.clock ?? clock, startMs, links: setting.links, linkTimeline: setting.linkTimeline });
  return { scenario, clock, startMs, setting, machines, control };
}

const machine = (r: Rig, id: string) => r.machines.find((m) => m.id === id)!;

function refusal(act: () => unknown): ControlError {
  try {
    act();
  } catch (error) {
    if (error instanceof ControlError) return error;
    throw error;
  }
  throw new Error('expected a ControlError');
}

describe('StackControl on twins', () => {
  it('acts at the current simulated time, whole ms, and records each control as the scenario step that does the same', async () => {
    const r = await rig();
    await r.clock.runUntil(r.startMs + 12_345.6);
    expect(r.control.fault('pump-1', { type: 'bearing', component: 'outer', severity: 0.6 })).toEqual({ atS: 12.346, outcome: 'bearing fault (outer) from 12.346 s, severity 0.6' });
    await r.clock.runUntil(r.startMs + 20_000);
    expect(r.control.set('pump-1', { speedRpm: 900, rampS: 10 })).toEqual({ atS: 20, outcome: 'setting 900 rpm over 10 s' });
    expect(r.control.command('pump-1', 'slow-down').outcome).toBe('slowing to 740 rpm over 5 s');
    expect(r.control.command('belt-1', 'fault', { type: 'belt-slip', severity: 0.3 }).outcome).toBe('belt-slip fault from 20 s, severity 0.3');
    expect(r.control.steps()).toEqual([
      { atS: 12.346, device: 'pump-1', action: 'fault', args: { type: 'bearing', component: 'outer', severity: 0.6 } },
      { atS: 20, device: 'pump-1', action: 'set', args: { speedRpm: 900, rampS: 10 } },
      { atS: 20, device: 'pump-1', action: 'slow-down' },
      { atS: 20, device: 'belt-1', action: 'fault', args: { type: 'belt-slip', severity: 0.3 } },
    ]);
    // The twin was told the recorded time, so the saved step replays it exactly.
    expect(machine(r, 'pump-1').truthAt(12.345)).toEqual([]);
    expect(machine(r, 'pump-1').truthAt(12.346)).toEqual([{ fault: 'bearing', component: 'outer', severity: 0.6 }]);
    machine(r, 'belt-1').dispose?.();
  });

  it('refuses what it cannot do with a ControlError naming the fix, and records nothing', async () => {
    const r = await rig();
    const unknown = refusal(() => r.control.fault('pump-9', { type: 'imbalance' }));
    expect(unknown.code).toBe('E_CONTROL_DEVICE');
    expect(unknown.message).toBe('no twin named "pump-9" in this run (did you mean "pump-1"?)');
    const type = refusal(() => r.control.fault('pump-1', { type: 'jam' }));
    expect(type.code).toBe('E_CONTROL_REFUSED');
    expect(type.message).toBe('pump-1: fault refused: args.type "jam"; a pump can have imbalance, misalignment, looseness, bearing, overheating, lubrication');
    expect(refusal(() => r.control.fault('hall', { type: 'imbalance' })).message).toBe('hall: fault refused: hall is an environment, which has no machine faults to inject');
    expect(refusal(() => r.control.set('pump-1', { load: 3 })).message).toBe('pump-1: set refused: args.load: Too big: expected number to be <=1.5');
    expect(refusal(() => r.control.command('belt-1', 'slow-down')).message).toBe('belt-1 (a conveyor) does not take "slow-down"');
    expect(refusal(() => r.control.set('hall', { speedRpm: 100 })).message).toBe('hall (an environment) does not take "set"');
    expect(r.control.steps()).toEqual([]);
    expect(machine(r, 'pump-1').truthAt(1)).toEqual([]);
    machine(r, 'belt-1').dispose?.();
  });
});

describe('StackControl on links', () => {
  it('records storm, partition and heal as links: entries, and heal sets back only the fields that are off ideal', async () => {
    const r = await rig();
    await r.clock.runUntil(r.startMs + 5_000);
    expect(r.control.storm('edge->cloud', { lossPct: 20, latencyMs: 300 })).toEqual({ atS: 5, outcome: 'edge->cloud: loss 20%, latency 300 ms' });
    await r.clock.runUntil(r.startMs + 6_000);
    expect(r.control.partition('edge->cloud').outcome).toBe('edge->cloud: partitioned');
    expect(r.control.linkStatus('edge->cloud')).toMatchObject({ name: 'edge->cloud', partitioned: true, lossPct: 20, latencyMs: 300 });
    await r.clock.runUntil(r.startMs + 7_500);
    expect(r.control.heal('edge->cloud').outcome).toBe('edge->cloud: ideal');
    expect(r.control.heal('edge->cloud').outcome).toBe('edge->cloud is ideal already');
    expect(r.control.linkStatus('edge->cloud')).toMatchObject({ partitioned: false, stalled: false, lossPct: 0, latencyMs: 0 });
    expect(r.control.linkEntries()).toEqual([
      { link: 'edge->cloud', atS: 5, loss: 0.2, latencyMs: 300 },
      { link: 'edge->cloud', atS: 6, partition: true },
      { link: 'edge->cloud', atS: 7.5, latencyMs: 0, loss: 0, partition: false },
    ]);
    expect(r.control.steps()).toEqual([]);
    machine(r, 'belt-1').dispose?.();
  });

  it('puts a link live in the state its saved scenario puts it in, change for change, with the scenario\'s own entries', async () => {
    const withLinks = `${SCENARIO}links:\n  - { link: edge->cloud, atS: 2, forS: 10, latencyMs: 50 }\n  - { link: twins->edge, atS: 4, loss: 0.05 }\n`;
    const states = async (r: Rig, act: (s: number) => void) => {
      const seen: string[] = [];
      for (let s = 0; s <= 30; s++) {
        await r.clock.runUntil(r.startMs + s * 1000);
        act(s);
        for (const link of ['twins->edge', 'edge->cloud']) seen.push(`${s} ${link} ${JSON.stringify(r.setting.links.get(link)!.model.impairment)}`);
      }
      return seen;
    };
    const live = await rig(withLinks);
    const liveStates = await states(live, (s) => {
      if (s === 5) live.control.storm('edge->cloud', { lossPct: 10, jitterMs: 5, forS: 3 });
      if (s === 6) live.control.partition('edge->cloud', { forS: 4 });
      if (s === 8) live.control.storm('twins->edge', { latencyMs: 15 });
      if (s === 20) live.control.heal('twins->edge');
    });
    const saved = live.control.scenario();
    expect(saved.links).toHaveLength(6);
    const replay = await rig(JSON.stringify(ScenarioSchema.parse(saved)));
    expect(await states(replay, () => {})).toEqual(liveStates);
    // At 11 s the storm (5–8 s) and the partition (6–10 s) are over, and the scenario's 50 ms window (2–12 s) is still on.
    expect(liveStates).toContain('11 edge->cloud ' + JSON.stringify({ ...replay.setting.links.get('edge->cloud')!.model.impairment, latencyMs: 50 }));
    expect(live.control.linkStatus('edge->cloud')).toMatchObject({ partitioned: false, lossPct: 0, latencyMs: 0 });
    machine(live, 'belt-1').dispose?.();
    machine(replay, 'belt-1').dispose?.();
  });

  it('counts what the link carried: a partition holds QoS 1, loses QoS 0, and heal lets the held ones through', async () => {
    const r = await rig();
    const link = r.setting.links.get('edge->cloud')!.channel;
    const arrived: number[] = [];
    link.send({ bytes: 100, qos: 1 }, () => void arrived.push(1));
    await r.clock.runUntil(r.startMs + 1_000);
    r.control.partition('edge->cloud');
    link.send({ bytes: 100, qos: 1 }, () => void arrived.push(2));
    link.send({ bytes: 100, qos: 0 }, () => void arrived.push(3));
    expect(r.control.linkStatus('edge->cloud')).toEqual({ name: 'edge->cloud', partitioned: true, stalled: false, lossPct: 0, latencyMs: 0, sent: 3, delivered: 1, dropped: 0, lostQos0: 1, retransmitted: 0, queued: 1 });
    r.control.heal('edge->cloud');
    await r.clock.runUntil(r.startMs + 2_000);
    expect(arrived).toEqual([1, 2]);
    expect(r.control.linkStatus('edge->cloud')).toMatchObject({ partitioned: false, sent: 3, delivered: 2, lostQos0: 1, retransmitted: 1, queued: 0 });
    expect(r.control.links().map((l) => l.name)).toEqual(['edge->cloud', 'twins->edge']);
    machine(r, 'belt-1').dispose?.();
  });

  it('refuses a link the run does not simulate, an unknown one, and a storm that does not validate', async () => {
    const r = await rig(SCENARIO, {});
    const absent = refusal(() => r.control.partition('edge->cloud'));
    expect(absent.code).toBe('E_CONTROL_LINK');
    expect(absent.message).toBe("edge->cloud is not simulated in this run: start the stack with controlLinks: true (the demo does), or impair it in the scenario's links:");
    expect(refusal(() => r.control.linkStatus('edge->clod')).message).toBe('no link named "edge->clod" (did you mean "edge->cloud"?)');
    const full = await rig();
    expect(refusal(() => full.control.storm('edge->cloud', { lossPct: 150 })).message).toBe('storm on edge->cloud refused: lossPct: Too big: expected number to be <=100');
    expect(refusal(() => full.control.storm('edge->cloud', {})).message).toBe('storm on edge->cloud refused: args: give lossPct, latencyMs or jitterMs');
    expect(refusal(() => full.control.impair('edge->cloud', { loss: 2, latencyMs: -1 })).message).toBe(
      'link edge->cloud latencyMs: Too small: expected number to be >=0\nlink edge->cloud loss: Too big: expected number to be <=1',
    );
    expect(refusal(() => full.control.impair('edge->cloud', { queueLimitBytes: 1000 })).message).toMatch(/^link edge->cloud at 0 s \(schedule\) queueLimitBytes: a queue only fills behind a bottleneck/);
    expect(full.control.linkEntries()).toEqual([]);
    expect(full.setting.links.get('edge->cloud')!.model.impairment.queueLimitBytes).toBeUndefined();
    machine(r, 'belt-1').dispose?.();
    machine(full, 'belt-1').dispose?.();
  });
});

describe('StackControl on the clock', () => {
  it('pauses, resumes and rescales a scaled real-time clock, and records none of it as a step', async () => {
    let wallMs = 0;
    const scenario = parseScenario(SCENARIO);
    const startMs = Date.parse(scenario.startTime);
    const clock = new ScaledRealClock({ factor: 1, startMs, wallMs: () => wallMs });
    const r = await rig(SCENARIO, { links: [], clock });
    wallMs += 2_000;
    expect(r.control.pause()).toEqual({ atS: 2, paused: true, timeScale: 1 });
    wallMs += 60_000;
    expect(r.control.timeScale(20)).toEqual({ atS: 2, paused: true, timeScale: 20 });
    expect(r.control.resume()).toEqual({ atS: 2, paused: false, timeScale: 20 });
    wallMs += 100;
    expect(r.control.clockStatus()).toEqual({ atS: 4, paused: false, timeScale: 20 });
    expect(refusal(() => r.control.timeScale(0)).message).toBe('time scale must be a number above 0 and at most 10000 (as a scenario\'s timeScale), got 0');
    expect(r.control.steps()).toEqual([]);
    machine(r, 'belt-1').dispose?.();
  });

  it('has no pace to change on a virtual clock', async () => {
    const r = await rig();
    const error = refusal(() => r.control.pause());
    expect(error.code).toBe('E_CONTROL_CLOCK');
    expect(error.message).toBe('cannot pause a virtual clock: it runs as fast as the pipeline (timeScale: max); give the scenario a numeric timeScale for a paced run');
    expect(r.control.clockStatus()).toEqual({ atS: 0, paused: false, timeScale: 'max' });
    machine(r, 'belt-1').dispose?.();
  });
});

describe('StackControl.scenario', () => {
  it('is the running scenario with the controls appended to steps: and links:, and it validates as a scenario', async () => {
    const r = await rig(`${SCENARIO}steps:\n  - { atS: 1, device: pump-1, action: stop }\n`);
    await r.clock.runUntil(r.startMs + 30_000);
    r.control.fault('pump-1', { type: 'imbalance', severity: 0.5, rampS: 20 });
    r.control.storm('twins->edge', { latencyMs: 40 });
    const saved = ScenarioSchema.parse(r.control.scenario());
    expect(saved.name).toBe('control');
    expect(saved.steps).toEqual([
      { atS: 1, device: 'pump-1', action: 'stop' },
      { atS: 30, device: 'pump-1', action: 'fault', args: { type: 'imbalance', severity: 0.5, rampS: 20 } },
    ]);
    expect(saved.links).toEqual([{ link: 'twins->edge', atS: 30, latencyMs: 40 }]);
    expect(saved.twins).toEqual(r.scenario.twins);
    machine(r, 'belt-1').dispose?.();
  });
});
