import { describe, expect, it } from 'vitest';
import type { CommandV1 } from '../../../../protocol/index';
import { RandomStreams } from '../../../../sim/index';
import { createMachines, FaultSchema, MachineSchema, RotatingMachine, type Channel, type Machine } from '../../../../twins/index';
import { bandEnergy, kurtosis, rms } from '../../twins/signal';

// A `fault` command is a fault on the timeline that starts when the command lands: the twin's own fault schemas build
// it, the vibration and thermal models take it from then on, and what the twin says is the step's outcome.

const START = '2026-01-01T00:00:00Z';

async function machine(twin: Record<string, unknown>, faults: Record<string, unknown>[] = []): Promise<Machine> {
  const config = MachineSchema.parse(twin);
  const [built] = await createMachines({ twins: [config], faults: faults.map((f) => FaultSchema.parse({ device: config.id, ...f })), startTime: START }, new RandomStreams(5));
  return built!;
}

const pump = (faults: Record<string, unknown>[] = []) => machine({ template: 'pump', id: 'pump-1' }, faults);

function command(m: Machine, action: string, args: Record<string, unknown>, tS: number): string | undefined {
  const cmd: CommandV1 = { type: 'cmd', v: 1, device: m.id, tsMs: Date.parse(START) + tS * 1000, id: 'c1', action, args };
  return m.command?.(cmd, tS);
}

function channel(m: Machine, sensor: string): Channel {
  return m.channels.find((c) => c.sensor === sensor)!;
}

/** Blocks [fromS, toS) of a channel, read in order as the fleet reads them (the caller reads every block from 0). */
function read(c: Channel, fromS: number, toS: number): Float64Array {
  const blockS = c.blockSamples / c.rateHz;
  const first = Math.round(fromS / blockS);
  const blocks = Math.round((toS - fromS) / blockS);
  const out = new Float64Array(blocks * c.blockSamples);
  for (let k = 0; k < blocks; k++) out.set(c.next((first + k) * blockS).values, k * c.blockSamples);
  return out;
}

describe('the fault command on a pump', () => {
  it('after `fault bearing outer 0.6` the accel kurtosis, resonance-band energy and RMS rise far above the healthy pump, from the command on', async () => {
    const healthy = await pump();
    const faulty = await pump();
    const before = [read(channel(healthy, 'accel'), 0, 2.56), read(channel(faulty, 'accel'), 0, 2.56)];
    expect(command(faulty, 'fault', { type: 'bearing', component: 'outer', severity: 0.6 }, 2.56)).toBe('bearing fault (outer) from 2.56 s, severity 0.6');
    const [healthyAfter, faultyAfter] = [read(channel(healthy, 'accel'), 2.56, 7.68), read(channel(faulty, 'accel'), 2.56, 7.68)];
    // Same seed, and nothing before the command changes.
    expect(before[1]).toEqual(before[0]);
    // Impacts: a peaky distribution and energy ringing the 3.5 kHz housing resonance (the envelope analyst's band).
    expect(kurtosis(faultyAfter)).toBeGreaterThan(4 * kurtosis(healthyAfter));
    const band = (x: Float64Array) => bandEnergy(x.subarray(0, 2 ** 17), 25_600, 2000, 5000);
    expect(band(faultyAfter)).toBeGreaterThan(100 * band(healthyAfter));
    expect(rms(faultyAfter)).toBeGreaterThan(3 * rms(healthyAfter));
    expect(faulty.truthAt(3)).toEqual([{ fault: 'bearing', component: 'outer', severity: 0.6 }]);
    expect(faulty.truthAt(2.5)).toEqual([]);
  });

  it('gives the same bytes as the same fault on the timeline with its onset at the command time', async () => {
    const timeline = await pump([{ type: 'bearing', component: 'inner', atS: 1.28, severity: 0.5, rampS: 2 }, { type: 'imbalance', atS: 2.56, unbalanceGmm: 8000 }]);
    const commanded = await pump();
    const accel = [channel(timeline, 'accel'), channel(commanded, 'accel')] as const;
    const early = [read(accel[0], 0, 1.28), read(accel[1], 0, 1.28)];
    command(commanded, 'fault', { type: 'bearing', component: 'inner', severity: 0.5, rampS: 2 }, 1.28);
    const middle = [read(accel[0], 1.28, 2.56), read(accel[1], 1.28, 2.56)];
    command(commanded, 'fault', { type: 'imbalance', unbalanceGmm: 8000 }, 2.56);
    const late = [read(accel[0], 2.56, 5.12), read(accel[1], 2.56, 5.12)];
    expect(early[1]).toEqual(early[0]);
    expect(middle[1]).toEqual(middle[0]);
    expect(late[1]).toEqual(late[0]);
    expect(commanded.truthAt(4)).toEqual(timeline.truthAt(4));
  });

  it('an overheating fault heats the winding: the thermal model takes the injected fault', async () => {
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    const healthy = await pump();
    const hot = await pump();
    read(channel(healthy, 'winding-temp'), 0, 100);
    read(channel(hot, 'winding-temp'), 0, 100);
    expect(command(hot, 'fault', { type: 'overheating' }, 100)).toBe('overheating fault from 100 s, severity 1');
    expect(mean(read(channel(hot, 'winding-temp'), 3000, 3600)) - mean(read(channel(healthy, 'winding-temp'), 3000, 3600))).toBeGreaterThan(10);
  });

  it('fills in what an operator does not say: imbalance of 20,000 g·mm, bearing on the outer race', async () => {
    const m = await pump();
    expect(command(m, 'fault', { type: 'imbalance' }, 0)).toBe('imbalance fault from 0 s, severity 1');
    expect(command(m, 'fault', { type: 'bearing', severity: 0.2 }, 0)).toBe('bearing fault (outer) from 0 s, severity 0.2');
    expect((m as RotatingMachine).vibration.unbalanceKgM(1)).toBeCloseTo((600 + 20_000) * 1e-6, 12);
  });

  it('refuses a fault type the pump cannot have, naming the ones it can, and changes nothing', async () => {
    const m = await pump();
    expect(command(m, 'fault', { type: 'belt-slip' }, 1)).toBe('fault refused: args.type "belt-slip"; a pump can have imbalance, misalignment, looseness, bearing, overheating, lubrication');
    expect(command(m, 'fault', {}, 1)).toBe('fault refused: no args.type; a pump can have imbalance, misalignment, looseness, bearing, overheating, lubrication');
    expect(m.truthAt(2)).toEqual([]);
  });

  it('refuses bad arguments naming each wrong field, and an onset of its own', async () => {
    const m = await pump();
    expect(command(m, 'fault', { type: 'bearing', component: 'race', severity: 2 }, 1)).toBe(
      'fault refused: args.severity: Too big: expected number to be <=1; args.component: Invalid option: expected one of "outer"|"inner"|"ball"|"cage"',
    );
    expect(command(m, 'fault', { type: 'looseness', growth: 'ramp' }, 1)).toBe('fault refused: args.rampS: growth "ramp" needs rampS (seconds to full severity)');
    expect(command(m, 'fault', { type: 'imbalance', atS: 30 }, 1)).toMatch(/^fault refused: drop args\.atS: the fault is on the commanded device from the moment the command lands/);
    expect(command(m, 'fault', { type: 'imbalance', wobble: 3 }, 1)).toBe('fault refused: args: Unrecognized key: "wobble"');
    expect(m.truthAt(2)).toEqual([]);
  });
});

describe('the set command on a pump', () => {
  it('ramps speed and load to the new operating point from the command on', async () => {
    const m = (await pump()) as RotatingMachine;
    expect(command(m, 'set', { speedRpm: 900, load: 0.5, rampS: 10 }, 20)).toBe('setting 900 rpm and load 0.5 over 10 s');
    expect(m.profile.speedRpmAt(20)).toBe(1480);
    expect(m.profile.speedRpmAt(25)).toBe(1190);
    expect(m.profile.loadAt(25)).toBeCloseTo(0.65, 12);
    expect(m.profile.speedRpmAt(30)).toBe(900);
    expect(m.profile.loadAt(40)).toBe(0.5);
    expect(command(m, 'set', { load: 1.2 }, 60)).toBe('setting load 1.2 over 5 s');
    expect(m.profile.loadAt(65)).toBe(1.2);
    expect(m.profile.speedRpmAt(65)).toBe(900);
  });

  it('refuses a set with nothing to set or out of range, and leaves the profile as it was', async () => {
    const m = (await pump()) as RotatingMachine;
    expect(command(m, 'set', { rampS: 3 }, 1)).toBe('set refused: args: give speedRpm, load or both');
    expect(command(m, 'set', { load: 2, speedRpm: -1 }, 1)).toBe('set refused: args.speedRpm: Too small: expected number to be >=0; args.load: Too big: expected number to be <=1.5');
    expect(m.profile.speedRpmAt(10)).toBe(1480);
    expect(m.profile.loadAt(10)).toBe(0.8);
  });

  it('keeps slow-down, stop and resume as they were', async () => {
    const m = (await pump()) as RotatingMachine;
    expect(command(m, 'slow-down', {}, 10)).toBe('slowing to 740 rpm over 5 s');
    expect(command(m, 'stop', { rampS: 2 }, 20)).toBe('stopping over 2 s');
    expect(m.profile.speedRpmAt(22)).toBe(0);
    expect(command(m, 'resume', {}, 30)).toBe('resuming 1480 rpm over 5 s');
    expect(m.profile.speedRpmAt(35)).toBe(1480);
  });
});

describe('the fault command on motion twins', () => {
  it('belt-slip on a conveyor slows the belt surface by its severity from the command on, as the same fault on the timeline does', async () => {
    const m = await machine({ template: 'conveyor', id: 'belt-1', speedMS: 1 });
    const timeline = await machine({ template: 'conveyor', id: 'belt-1', speedMS: 1 }, [{ type: 'belt-slip', atS: 3, severity: 0.3 }]);
    const [speed, timelineSpeed] = [channel(m, 'belt-speed'), channel(timeline, 'belt-speed')];
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(read(speed, 0, 3))).toBeCloseTo(1, 2);
    read(timelineSpeed, 0, 3);
    expect(command(m, 'fault', { type: 'belt-slip', severity: 0.3 }, 3)).toBe('belt-slip fault from 3 s, severity 0.3');
    const after = read(speed, 3, 6);
    expect(after).toEqual(read(timelineSpeed, 3, 6));
    // Each encoder sample is the mean over the 0.1 s before it: from the second sample on the belt runs at 0.7 m/s.
    expect(after[0]).toBeCloseTo(1, 2);
    expect(mean(after.subarray(1))).toBeCloseTo(0.7, 2);
    expect(m.truthAt(4)).toEqual([{ fault: 'belt-slip', severity: 0.3 }]);
    m.dispose?.();
    timeline.dispose?.();
  });

  it('collision on a robot arm shows in its ground truth; a conveyor fault on it is refused', async () => {
    const m = await machine({ template: 'robot-arm', id: 'arm-1' });
    expect(command(m, 'fault', { type: 'jam' }, 1)).toBe('fault refused: args.type "jam"; a robot-arm can have collision');
    expect(command(m, 'fault', { type: 'collision', severity: 0.5, forS: 10 }, 2)).toBe('collision fault from 2 s, severity 0.5 for 10 s');
    expect(m.truthAt(5)).toEqual([{ fault: 'collision', severity: 0.5 }]);
    expect(m.truthAt(12)).toEqual([]);
    m.dispose?.();
  });

  it('an environment has no machine fault to inject', async () => {
    const m = await machine({ template: 'environment', id: 'hall' });
    expect(m.command).toBeUndefined();
  });
});
