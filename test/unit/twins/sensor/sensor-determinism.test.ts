import { describe, expect, it } from 'vitest';
import type { SensorModelInput } from '../../../../twins/sensor/index';
import { blockDigests, measurand, record, sensorChannel, type FaultSpec } from './sensor-fixtures';

// Every stage on: oversampling, lag, jitter, skew, gain, bias, Gauss–Markov bias, noise, saturation, ADC.
const fullChain: SensorModelInput = {
  sensitivity: 1.02,
  scaleFactorError: -0.003,
  bias: 0.01,
  noiseDensity: 150e-6,
  biasInstability: 0.002,
  biasCorrelationS: 5,
  range: 8,
  adcBits: 16,
  decimation: 4,
  timeConstantS: 0.001,
  clockJitterS: 2e-7,
  clockSkewPpm: 30,
};
const vibration = measurand((t) => 0.5 * Math.sin(2 * Math.PI * 24.7 * t) + 0.2 * Math.sin(2 * Math.PI * 1480 * t));
const spec = { rateHz: 25_600, blockSamples: 1024, measurand: vibration, model: fullChain };

describe('SensorChannel determinism', () => {
  it('gives identical Float32 bytes for the same seed, and different ones for another seed', () => {
    const a = blockDigests(record(sensorChannel({ ...spec, seed: 'run-7' }), 20).blocks);
    const b = blockDigests(record(sensorChannel({ ...spec, seed: 'run-7' }), 20).blocks);
    const c = blockDigests(record(sensorChannel({ ...spec, seed: 'run-8' }), 20).blocks);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('leaves every block before a fault’s onset bit-identical when the fault is added', () => {
    // Onset 0.41 s is in block 10 (blocks are 40 ms); spikes and noise bursts draw from the faults stream only.
    const faults: FaultSpec[] = [
      { type: 'spikes', atS: 0.41, ratePerS: 200, amplitude: 2 },
      { type: 'noise-burst', atS: 0.41, noiseRms: 0.1 },
      { type: 'drift', atS: 0.41, ratePerS: 0.1 },
    ];
    const healthy = blockDigests(record(sensorChannel(spec), 20).blocks);
    const faulty = blockDigests(record(sensorChannel({ ...spec, faults }), 20).blocks);
    expect(faulty.slice(0, 10)).toEqual(healthy.slice(0, 10));
    expect(faulty[10]).not.toEqual(healthy[10]);
  });

  it('keeps the noise sequence after onset too: spikes change only the samples they hit', () => {
    // Were spike times drawn from the noise stream, every sample after the first spike would differ.
    const model: SensorModelInput = { noiseDensity: 150e-6, biasInstability: 0.002, clockJitterS: 2e-7 };
    const healthy = record(sensorChannel({ ...spec, model }), 20).values;
    const faulty = record(sensorChannel({ ...spec, model, faults: [{ type: 'spikes', atS: 0, ratePerS: 100, amplitude: 2 }] }), 20).values;
    let hits = 0;
    for (let i = 0; i < healthy.length; i++) {
      const jump = faulty[i]! - healthy[i]!;
      if (jump === 0) continue;
      expect(Math.abs(Math.abs(jump) - 2)).toBeLessThan(1e-6);
      hits++;
    }
    // 100/s over 0.8 s: Poisson with mean 80.
    expect(hits).toBeGreaterThan(45);
    expect(hits).toBeLessThan(120);
  });

  it('draws the same noise whatever the block size', () => {
    // addNormal continues one stream, so 4 blocks of 256 equal 1 block of 1024.
    const model: SensorModelInput = { noiseDensity: 1e-3, biasInstability: 0.01 };
    const small = record(sensorChannel({ rateHz: 1000, blockSamples: 256, model }), 4).values;
    const large = record(sensorChannel({ rateHz: 1000, blockSamples: 1024, model }), 1).values;
    expect(Array.from(small)).toEqual(Array.from(large));
  });
});
