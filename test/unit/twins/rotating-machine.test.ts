import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/index';
import {
  FaultSchema,
  RotatingMachine,
  RotatingMachineSchema,
  STANDARD_GRAVITY,
  type FaultConfig,
  type RotatingMachineConfig,
} from '../../../twins/index';
import { concat, dominantFrequencyHz, rms, sampleStd } from './signal';

type MachineInput = Parameters<typeof RotatingMachineSchema.parse>[0];

/** A machine built the way the fleet builds it: config through the schema, streams named after the device. */
function machine(input: Partial<Exclude<MachineInput, null | undefined>> = {}, faults: FaultConfig[] = [], seed: string | number = 1) {
  const config: RotatingMachineConfig = RotatingMachineSchema.parse({ id: 'pump-1', ...input });
  const streams = new RandomStreams(seed);
  return new RotatingMachine(config, faults, {
    rotor: streams.stream(`${config.id}/rotor`),
    noise: streams.stream(`${config.id}/${config.sensor.id}/noise`),
  });
}

/** `count` consecutive blocks, each starting where the previous one ended. */
function blocks(twin: RotatingMachine, count: number, firstStartS = 0): Float32Array[] {
  const { rateHz, blockSamples } = twin.config.sensor;
  return Array.from({ length: count }, (_, k) => twin.nextBlock(firstStartS + (k * blockSamples) / rateHz));
}

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);
const bytesOf = (block: Float32Array) => new Uint8Array(block.buffer, block.byteOffset, block.byteLength);

const quiet = { noiseRmsG: 0 };

describe('RotatingMachine unbalance physics', () => {
  it('gives the peak housing acceleration a = U·ω²/M in g for 600 g·mm at 1480 rpm on 50 kg', () => {
    const twin = machine({ speedRpm: 1480, massKg: 50, residualUnbalanceGmm: 600 });
    // U = 600 g·mm = 600e-6 kg·m; ω = 2π·1480/60 = 154.98523757709646 rad/s; ω² = 24020.42386682903 rad²/s²
    // a = 600e-6 · 24020.42386682903 / 50 = 0.28824508640194835 m/s² = 0.029392818791529052 g
    const expectedG = (600e-6 * ((2 * Math.PI * 1480) / 60) ** 2) / 50 / 9.80665;
    expect(expectedG).toBeCloseTo(0.029392818791529052, 15);
    expect(twin.imbalanceAmplitudeG(0)).toBeCloseTo(0.029392818791529052, 15);
    expect(twin.omegaRadS).toBeCloseTo(154.98523757709646, 12);
    expect(twin.unbalanceKgM(0)).toBeCloseTo(6e-4, 18);
    expect(STANDARD_GRAVITY).toBe(9.80665);
  });

  it('scales the amplitude with ω²: doubling speedRpm multiplies it by 4', () => {
    const slow = machine({ speedRpm: 1480 }).imbalanceAmplitudeG(0);
    const fast = machine({ speedRpm: 2960 }).imbalanceAmplitudeG(0);
    expect(relativeError(fast / slow, 4)).toBeLessThan(1e-9);
    expect(fast).toBeCloseTo(0.11757127516611621, 14);
  });

  it('scales the amplitude with 1/M and with U', () => {
    const base = machine().imbalanceAmplitudeG(0);
    expect(relativeError(machine({ massKg: 100 }).imbalanceAmplitudeG(0), base / 2)).toBeLessThan(1e-12);
    expect(relativeError(machine({ residualUnbalanceGmm: 1800 }).imbalanceAmplitudeG(0), base * 3)).toBeLessThan(1e-12);
  });

  it('applies the schema defaults: 1480 rpm, 50 kg, 600 g·mm, 25.6 kHz, 1024-sample blocks, 0.01 g noise', () => {
    const { config } = machine();
    expect(config).toEqual({
      id: 'pump-1',
      kind: 'rotating',
      speedRpm: 1480,
      massKg: 50,
      residualUnbalanceGmm: 600,
      sensor: { id: 'accel', rateHz: 25_600, blockSamples: 1024, noiseRmsG: 0.01 },
    });
  });
});

describe('RotatingMachine generated signal (noise 0)', () => {
  it('has RMS = amplitude/√2 within 1% over a block of many shaft periods', () => {
    // 65 536 samples at 25.6 kHz = 2.56 s = 63.1 periods of the 24.67 Hz shaft rate.
    const twin = machine({ sensor: { ...quiet, blockSamples: 65_536 } });
    const [block] = blocks(twin, 1);
    const expected = twin.imbalanceAmplitudeG(0) / Math.SQRT2;
    expect(expected).toBeCloseTo(0.029392818791529052 / Math.SQRT2, 12);
    expect(relativeError(rms(block!), expected)).toBeLessThan(0.01);
  });

  it('peaks at the amplitude and has zero mean, a pure sinusoid', () => {
    const twin = machine({ sensor: { ...quiet, blockSamples: 65_536 } });
    const [block] = blocks(twin, 1);
    const amplitude = twin.imbalanceAmplitudeG(0);
    const peak = Math.max(...Array.from(block!, Math.abs));
    expect(peak).toBeLessThanOrEqual(amplitude * (1 + 1e-6));
    expect(peak).toBeGreaterThan(amplitude * 0.9999);
    const mean = block!.reduce((sum, x) => sum + x, 0) / block!.length;
    expect(Math.abs(mean)).toBeLessThan(amplitude * 0.01);
  });

  it('quadruples the measured RMS when the speed doubles (±2%)', () => {
    const measure = (speedRpm: number) => rms(blocks(machine({ speedRpm, sensor: { ...quiet, blockSamples: 65_536 } }), 1)[0]!);
    expect(relativeError(measure(2960) / measure(1480), 4)).toBeLessThan(0.02);
  });

  it.each([
    { speedRpm: 1480, shaftHz: 1480 / 60 },
    { speedRpm: 2960, shaftHz: 2960 / 60 },
    { speedRpm: 990, shaftHz: 990 / 60 },
  ])('puts the dominant spectral line at the shaft rate $shaftHz Hz (rpm/60) within one bin at $speedRpm rpm', ({ speedRpm, shaftHz }) => {
    const twin = machine({ speedRpm, sensor: quiet });
    const { rateHz } = twin.config.sensor;
    // 128 blocks × 1024 samples = 2^17 samples = 5.12 s; bin width 25 600 / 2^17 = 0.195 Hz.
    const signal = concat(blocks(twin, 128));
    const binHz = rateHz / signal.length;
    expect(Math.abs(dominantFrequencyHz(signal, rateHz) - shaftHz)).toBeLessThanOrEqual(binHz);
  });

  it('keeps the waveform continuous: block k ends and block k+1 starts at most one sine step apart', () => {
    const twin = machine({ sensor: quiet });
    const { rateHz } = twin.config.sensor;
    const amplitude = twin.imbalanceAmplitudeG(0);
    // |A·sin(θ+Δ) − A·sin θ| = 2A·|cos(θ+Δ/2)|·sin(Δ/2) ≤ 2A·sin(Δ/2), with Δ = ω/rateHz per sample.
    const maxStep = 2 * amplitude * Math.sin(twin.omegaRadS / rateHz / 2);
    const generated = blocks(twin, 200);
    for (let k = 0; k + 1 < generated.length; k++) {
      const last = generated[k]![generated[k]!.length - 1]!;
      const first = generated[k + 1]![0]!;
      expect(Math.abs(first - last), `between block ${k} and ${k + 1}`).toBeLessThanOrEqual(maxStep * (1 + 1e-4));
    }
    // The bound is tight enough to matter: a phase restart per block would break it somewhere.
    expect(maxStep).toBeLessThan(amplitude * 0.01);
  });
});

describe('RotatingMachine sensor noise', () => {
  it('with zero unbalance has a sample standard deviation of noiseRmsG within 3% over ~100k samples', () => {
    const twin = machine({ residualUnbalanceGmm: 0, sensor: { noiseRmsG: 0.05 } });
    const signal = concat(blocks(twin, 100)); // 102 400 samples
    expect(signal.length).toBe(102_400);
    expect(relativeError(sampleStd(signal), 0.05)).toBeLessThan(0.03);
  });
});

describe('RotatingMachine imbalance fault', () => {
  const fault = (input: Record<string, unknown>): FaultConfig => FaultSchema.parse({ type: 'imbalance', device: 'pump-1', ...input });

  it('keeps the baseline before onset, ramps linearly and reaches baseline + added at atS + rampS', () => {
    const baseline = machine().imbalanceAmplitudeG(0);
    // Full severity: U = 600 + 20 000 g·mm, so amplitude scales by 20 600/600.
    const full = (baseline * 20_600) / 600;
    const twin = machine({}, [fault({ atS: 100, rampS: 30, unbalanceGmm: 20_000 })]);
    expect(twin.imbalanceAmplitudeG(0)).toBe(baseline);
    expect(twin.imbalanceAmplitudeG(99.999)).toBe(baseline);
    expect(twin.imbalanceAmplitudeG(100)).toBe(baseline);
    expect(relativeError(twin.imbalanceAmplitudeG(115), (baseline + full) / 2)).toBeLessThan(1e-12);
    expect(relativeError(twin.imbalanceAmplitudeG(107.5), baseline + (full - baseline) / 4)).toBeLessThan(1e-12);
    expect(relativeError(twin.imbalanceAmplitudeG(130), full)).toBeLessThan(1e-12);
    expect(relativeError(twin.imbalanceAmplitudeG(500), full)).toBeLessThan(1e-12);
    expect(twin.unbalanceKgM(115)).toBeCloseTo(10_600e-6, 15);
  });

  it('with rampS 0 (the default) steps to full severity at onset', () => {
    const parsed = fault({ atS: 10, unbalanceGmm: 600 });
    expect(parsed).toMatchObject({ rampS: 0 });
    const twin = machine({}, [parsed]);
    const baseline = machine().imbalanceAmplitudeG(0);
    expect(twin.imbalanceAmplitudeG(9.999)).toBe(baseline);
    expect(relativeError(twin.imbalanceAmplitudeG(10), 2 * baseline)).toBeLessThan(1e-12);
  });

  it('adds the unbalance of several faults on the same device', () => {
    const twin = machine({}, [fault({ atS: 10, unbalanceGmm: 600 }), fault({ atS: 20, unbalanceGmm: 1200 })]);
    const baseline = machine().imbalanceAmplitudeG(0);
    expect(relativeError(twin.imbalanceAmplitudeG(15), 2 * baseline)).toBeLessThan(1e-12);
    expect(relativeError(twin.imbalanceAmplitudeG(25), 4 * baseline)).toBeLessThan(1e-12);
  });

  it('ignores a fault on another device', () => {
    const baseline = machine().imbalanceAmplitudeG(0);
    const twin = machine({}, [fault({ device: 'pump-2', atS: 0, unbalanceGmm: 20_000 })]);
    expect(twin.imbalanceAmplitudeG(0)).toBe(baseline);
    expect(twin.imbalanceAmplitudeG(1_000)).toBe(baseline);
  });

  it('shows the added unbalance in the generated blocks: RMS after the ramp is full amplitude/√2', () => {
    const twin = machine({ sensor: { ...quiet, blockSamples: 65_536 } }, [fault({ atS: 3, rampS: 1, unbalanceGmm: 20_000 })]);
    const full = twin.imbalanceAmplitudeG(4);
    const before = twin.nextBlock(0); // 0–2.56 s, before the onset
    const after = twin.nextBlock(4);
    expect(relativeError(rms(before), twin.imbalanceAmplitudeG(0) / Math.SQRT2)).toBeLessThan(0.01);
    expect(relativeError(rms(after), full / Math.SQRT2)).toBeLessThan(0.01);
  });
});

describe('RotatingMachine determinism', () => {
  it('produces bit-identical blocks from two machines seeded alike', () => {
    const a = blocks(machine({}, [], 'seed-7'), 20);
    const b = blocks(machine({}, [], 'seed-7'), 20);
    a.forEach((block, k) => expect(Buffer.from(bytesOf(block)).equals(bytesOf(b[k]!)), `block ${k}`).toBe(true));
  });

  it('produces different blocks under a different seed', () => {
    const a = blocks(machine({}, [], 'seed-7'), 3);
    const b = blocks(machine({}, [], 'seed-8'), 3);
    a.forEach((block, k) => {
      const other = b[k]!;
      expect(block.filter((x, i) => x === other[i]).length, `equal samples in block ${k}`).toBe(0);
    });
  });

  it('draws the initial shaft angle from the rotor stream, so seeds differ even without noise', () => {
    const a = machine({ sensor: quiet }, [], 1).nextBlock(0);
    const b = machine({ sensor: quiet }, [], 2).nextBlock(0);
    expect(a[0]).not.toBe(b[0]);
    expect(relativeError(rms(a), rms(b))).toBeLessThan(0.05);
  });
});
