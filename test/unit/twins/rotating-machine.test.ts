import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/index';
import { createMachines, FaultSchema, MachineSchema, RotatingMachine, type Channel, type Machine } from '../../../twins/index';
import { bandEnergy, crestFactor, kurtosis, rms } from './signal';
import { meanDensity, welchPsd } from './sensor/welch';

const START = '2026-01-01T00:00:00Z';

async function pump(config: Record<string, unknown> = {}, faults: Record<string, unknown>[] = [], seed: string | number = 1): Promise<Machine> {
  const [machine] = await createMachines(
    { twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1', ...config })], faults: faults.map((f) => FaultSchema.parse({ device: 'pump-1', ...f })), startTime: START },
    new RandomStreams(seed),
  );
  return machine!;
}

function channel(machine: Machine, sensor: string): Channel {
  return machine.channels.find((c) => c.sensor === sensor)!;
}

/** Several channels of one machine read in lockstep, block by block, as the fleet reads them; returns each one's samples. */
function readAll(channels: Channel[], seconds: number, fromS = 0): Float64Array[] {
  const outs = channels.map((c) => new Float64Array(Math.round((seconds * c.rateHz) / c.blockSamples) * c.blockSamples));
  const period = channels[0]!.blockSamples / channels[0]!.rateHz;
  for (let k = 0; k * period < fromS + seconds; k++) {
    channels.forEach((c, j) => {
      const block = c.next(k * period);
      const offset = Math.round(((k * period - fromS) * c.rateHz));
      if (k * period >= fromS) outs[j]!.set(block.values, offset);
    });
  }
  return outs;
}

/** `seconds` of a channel from `fromS`, block by block as the fleet reads it. */
function read(c: Channel, seconds: number, fromS = 0): Float64Array {
  const blocks = Math.round((seconds * c.rateHz) / c.blockSamples);
  const out = new Float64Array(blocks * c.blockSamples);
  const skip = Math.round((fromS * c.rateHz) / c.blockSamples);
  for (let k = 0; k < skip; k++) c.next((k * c.blockSamples) / c.rateHz);
  for (let k = 0; k < blocks; k++) out.set(c.next(((skip + k) * c.blockSamples) / c.rateHz).values, k * c.blockSamples);
  return out;
}

describe('pump template', () => {
  it('publishes a housing accelerometer and two RTDs with their units, rates and blocks', async () => {
    const machine = await pump();
    expect(machine.template).toBe('pump');
    expect(machine.channels.map((c) => [c.sensor, c.unit, c.rateHz, c.blockSamples])).toEqual([
      ['accel', 'g', 25_600, 1024],
      ['winding-temp', 'degC', 1, 10],
      ['bearing-temp', 'degC', 1, 10],
    ]);
  });

  it('drops a disabled sensor', async () => {
    const machine = await pump({ sensors: { 'bearing-temp': { enabled: false } } });
    expect(machine.channels.map((c) => c.sensor)).toEqual(['accel', 'winding-temp']);
  });

  it('measures the configured accelerometer noise density (Welch PSD) within 10%', async () => {
    const machine = await pump({ residualUnbalanceGmm: 0, sensors: { accel: { model: { noiseDensity: 150e-6, range: 50, adcBits: 24 } } } });
    const psd = welchPsd(read(channel(machine, 'accel'), 20), 25_600, 4096);
    // meanDensity averages the PSD (g²/Hz); the density is its square root.
    expect(Math.abs(Math.sqrt(meanDensity(psd, 500, 10_000)) / 150e-6 - 1)).toBeLessThan(0.1);
  });
});

describe('healthy and faulty machines differ in what an analyst checks', () => {
  it('an outer-race defect raises kurtosis, crest factor and the resonance-band energy by large factors', async () => {
    const healthy = read(channel(await pump(), 'accel'), 5.12);
    const faulty = read(channel(await pump({}, [{ type: 'bearing', component: 'outer', atS: 0, severity: 0.3 }]), 'accel'), 5.12);
    // Healthy: a sine (kurtosis 1.5) in Gaussian noise (3); a defect's impacts make the distribution peaky.
    expect(kurtosis(healthy)).toBeGreaterThan(1.5);
    expect(kurtosis(healthy)).toBeLessThan(3.2);
    expect(kurtosis(faulty)).toBeGreaterThan(4 * kurtosis(healthy));
    expect(crestFactor(healthy)).toBeLessThan(4.5);
    expect(crestFactor(faulty)).toBeGreaterThan(1.5 * crestFactor(healthy));
    // The impacts ring the 3.5 kHz housing resonance: energy in 2–5 kHz rises by orders of magnitude.
    const band = (x: Float64Array) => bandEnergy(x.subarray(0, 2 ** 17), 25_600, 2000, 5000);
    expect(band(faulty)).toBeGreaterThan(100 * band(healthy));
    expect(rms(faulty)).toBeGreaterThan(3 * rms(healthy));
  });

  it('an imbalance raises the RMS but not the kurtosis: it is a bigger sine, not impacts', async () => {
    const healthy = read(channel(await pump(), 'accel'), 2);
    const unbalanced = read(channel(await pump({}, [{ type: 'imbalance', atS: 0, unbalanceGmm: 6000 }]), 'accel'), 2);
    expect(rms(unbalanced) / rms(healthy)).toBeGreaterThan(5);
    expect(kurtosis(unbalanced)).toBeLessThan(kurtosis(healthy));
    expect(kurtosis(unbalanced)).toBeCloseTo(1.5, 1);
  });
});

describe('thermal coupling', () => {
  it('an overheating fault (cooling loss) heats the winding above the healthy machine', async () => {
    const healthy = read(channel(await pump(), 'winding-temp'), 600, 3000);
    const hot = read(channel(await pump({}, [{ type: 'overheating', atS: 0, severity: 1 }]), 'winding-temp'), 600, 3000);
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(hot) - mean(healthy)).toBeGreaterThan(10);
  });

  it('a lubrication fault heats the bearing more than the winding', async () => {
    const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
    const temps = (m: Machine) => readAll([channel(m, 'bearing-temp'), channel(m, 'winding-temp')], 300, 3000);
    const [healthyBearing, healthyWinding] = temps(await pump());
    const [dryBearing, dryWinding] = temps(await pump({}, [{ type: 'lubrication', atS: 0 }]));
    const bearingRise = mean(dryBearing!) - mean(healthyBearing!);
    const windingRise = mean(dryWinding!) - mean(healthyWinding!);
    expect(bearingRise).toBeGreaterThan(5);
    expect(bearingRise).toBeGreaterThan(2 * windingRise);
  });

  it('follows the load profile: full load runs the winding hotter than half load', async () => {
    const machine = (await pump({ load: 0.5, profile: [{ atS: 600, load: 1 }] })) as RotatingMachine;
    // Piecewise linear between points: the load rises from 0.5 at 0 s to 1 at 600 s.
    expect(machine.profile.loadAt(300)).toBe(0.75);
    expect(machine.profile.loadAt(600)).toBe(1);
    const windings = read(channel(machine, 'winding-temp'), 7200);
    expect(windings[7190]! - windings[590]!).toBeGreaterThan(15);
  });
});

describe('ground truth', () => {
  it('reports each fault with its severity as it grows, and sensor faults with their sensor', async () => {
    const machine = await pump({}, [
      { type: 'bearing', component: 'inner', atS: 100, rampS: 100, severity: 0.8 },
      { type: 'drift', sensor: 'bearing-temp', atS: 50, ratePerS: 0.01 },
    ]);
    expect(machine.truthAt(10)).toEqual([]);
    expect(machine.truthAt(60)).toEqual([{ fault: 'drift', sensor: 'bearing-temp', severity: 1 }]);
    expect(machine.truthAt(150)).toEqual([
      { fault: 'bearing', component: 'inner', severity: 0.4 },
      { fault: 'drift', sensor: 'bearing-temp', severity: 1 },
    ]);
    expect(machine.truthAt(500)[0]).toEqual({ fault: 'bearing', component: 'inner', severity: 0.8 });
  });
});

describe('determinism', () => {
  it('gives byte-identical blocks on every channel for the same seed, and different ones for another', async () => {
    const bytes = async (seed: number) => {
      const machine = await pump({}, [{ type: 'bearing', component: 'ball', atS: 0 }], seed);
      return machine.channels.map((c) => Buffer.concat([0, 1, 2].map((k) => Buffer.from(c.next((k * c.blockSamples) / c.rateHz).values.buffer))));
    };
    const [a, b, c] = [await bytes(4), await bytes(4), await bytes(5)];
    a.forEach((buffer, i) => expect(buffer.equals(b[i]!)).toBe(true));
    expect(a[0]!.equals(c[0]!)).toBe(false);
  });
});

describe('commands', () => {
  const command = (action: string, args?: Record<string, unknown>) => ({ type: 'cmd' as const, v: 1 as const, device: 'pump-1', tsMs: 0, id: 'c1', action, ...(args ? { args } : {}) });

  it('slows down on `slow-down`: speed ramps to the target, and the unbalance response falls as ω²', async () => {
    const machine = (await pump()) as RotatingMachine;
    const before = machine.vibration.imbalanceAmplitudeG(100);
    expect(machine.command(command('slow-down', { speedRpm: 740, rampS: 10 }), 100)).toBe('slowing to 740 rpm over 10 s');
    expect(machine.profile.speedRpmAt(100)).toBe(1480);
    expect(machine.profile.speedRpmAt(105)).toBe(1110);
    expect(machine.profile.speedRpmAt(200)).toBe(740);
    // ω² halves twice (¼), and nearer the 8 Hz mount resonance the transmissibility r²/√((1−r²)²+(2ζr)²) rises.
    const t = (rpm: number) => {
      const r = rpm / 60 / 8;
      return (r * r) / Math.sqrt((1 - r * r) ** 2 + (0.2 * r) ** 2);
    };
    expect(machine.vibration.imbalanceAmplitudeG(200) / before).toBeCloseTo((0.25 * t(740)) / t(1480), 10);
  });

  it('stops on `stop`, resumes the configured speed on `resume`, and ignores actions it does not know', async () => {
    const machine = (await pump()) as RotatingMachine;
    machine.command(command('stop', { rampS: 2 }), 10);
    expect(machine.profile.speedRpmAt(12)).toBe(0);
    expect(machine.command(command('resume'), 20)).toBe('resuming 1480 rpm over 5 s');
    expect(machine.profile.speedRpmAt(25)).toBe(1480);
    expect(machine.command(command('self-destruct'), 30)).toBeUndefined();
  });
});
