import { describe, expect, it } from 'vitest';
import { bearingOrders } from '../../../../protocol/index';
import { EnvelopeSpectrum, PipelineSchema, RealFft, SensorPipeline, VIBRATION_PIPELINE, windowTable, type PipelineOutput } from '../../../../gateway/dsp/index';
import { blocksOf, noise, uniform } from './signals';

const FS = 25_600;
const SHAFT_HZ = 25; // 1500 rpm
const BEARING_6205 = { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04, contactAngleDeg: 0 };
const ORDERS = bearingOrders(BEARING_6205);

describe('bearingOrders', () => {
  it('gives the published 6205 defect orders to 4 decimals (CWRU bearing data centre: 3.5848, 5.4152, 4.7135 = 2·BSF, 0.3983)', () => {
    expect(ORDERS.bpfo).toBeCloseTo(3.5848, 4);
    expect(ORDERS.bpfi).toBeCloseTo(5.4152, 4);
    expect(2 * ORDERS.bsf).toBeCloseTo(4.7135, 4);
    expect(ORDERS.ftf).toBeCloseTo(0.39828, 4);
    // BPFO + BPFI = N (the balls pass the two races at rates summing to N·fr).
    expect(ORDERS.bpfo + ORDERS.bpfi).toBeCloseTo(9, 12);
  });

  it('moves BPFO up and BPFI down as the contact angle grows (cos α shrinks d/D·cos α)', () => {
    const angled = bearingOrders({ ...BEARING_6205, contactAngleDeg: 40 });
    const ratio = (7.94 / 39.04) * Math.cos((40 * Math.PI) / 180);
    expect(angled.bpfo).toBeCloseTo(4.5 * (1 - ratio), 12);
    expect(angled.bpfo).toBeGreaterThan(ORDERS.bpfo);
    expect(angled.bpfi).toBeLessThan(ORDERS.bpfi);
  });
});

describe('EnvelopeSpectrum', () => {
  it('recovers an AM tone: envelope line at fm with amplitude A·m (±2%), nothing at 2·fm or near 0 Hz', () => {
    // x = A·(1 + m·cos 2πfm·t)·cos 2πfc·t: envelope A·(1 + m·cos 2πfm·t).
    const n = 32_768;
    const length = 25_600;
    const [a, m, fm, fc] = [0.8, 0.5, 90.3, 3500];
    const window = windowTable('hann', length);
    const x = new Float64Array(n);
    for (let i = 0; i < length; i++) {
      const t = i / FS;
      x[i] = window.values[i]! * a * (1 + m * Math.cos(2 * Math.PI * fm * t)) * Math.cos(2 * Math.PI * fc * t);
    }
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    new RealFft(n).transform(x, re, im);
    const envelope = new EnvelopeSpectrum(n);
    expect(envelope.compute(re, im, n, FS, 3000, 4000, window.values, length)).toBe(true);
    expect(envelope.binHz).toBeCloseTo(FS / n, 12);
    expect(Math.abs(envelope.amplitudeAt(fm) / (a * m) - 1)).toBeLessThan(0.02);
    expect(envelope.amplitudeAt(2 * fm)).toBeLessThan(0.01 * a * m);
    expect(envelope.amplitudeAt(10)).toBeLessThan(0.01 * a * m);
  });

  it('reports 0 when the demodulation band holds no bin', () => {
    const envelope = new EnvelopeSpectrum(64);
    const zeros = new Float64Array(33);
    expect(envelope.compute(zeros, zeros, 64, 1000, 501, 900, new Float64Array(64).fill(1), 64)).toBe(false);
    expect(envelope.amplitudeAt(100)).toBe(0);
  });
});

/**
 * `seconds` of a bearing with a localised defect: an impact every 1/defectHz s (±0.5% random slip), each ringing
 * a 3.5 kHz housing resonance (damping ratio 5%), scaled by `load(t)`; plus a 0.3 g 1× line and 0.1 g noise.
 */
function defectSignal(defectHz: number, load: (t: number) => number, seconds: number): Float64Array {
  const n = FS * seconds;
  const x = noise(0.1, n, 11);
  for (let i = 0; i < n; i++) x[i] = x[i]! + 0.3 * Math.sin((2 * Math.PI * SHAFT_HZ * i) / FS);
  const resonanceHz = 3500;
  const decayPerS = 0.05 * 2 * Math.PI * resonanceHz;
  const ring = Math.ceil((8 / decayPerS) * FS);
  const slip = uniform(5);
  for (let t = 0; t < seconds; t += (1 + 0.01 * (slip() - 0.5)) / defectHz) {
    const start = Math.ceil(t * FS);
    const amplitude = 2 * load(t);
    for (let j = 0; j < ring && start + j < n; j++) {
      const dt = (start + j) / FS - t;
      x[start + j] = x[start + j]! + amplitude * Math.exp(-decayPerS * dt) * Math.sin(2 * Math.PI * resonanceHz * dt);
    }
  }
  return x;
}

/** Runs 2 s through the default vibration stages plus an envelope stage; returns the features of the second window. */
function envelopeFeatures(signal: Float64Array, envelope: Record<string, unknown>): Record<string, number> {
  const config = PipelineSchema.parse({ ...VIBRATION_PIPELINE, features: { ...VIBRATION_PIPELINE.features, envelope: { bandHz: [2500, 4500], bearing: BEARING_6205, ...envelope } } });
  const pipeline = new SensorPipeline(config, { device: 'pump-1', sensor: 'accel' });
  const outputs: PipelineOutput[] = blocksOf(signal, FS, 1024).flatMap((b) => pipeline.push(b));
  const windows = outputs.filter((o) => o.kind === 'features');
  expect(windows.map((w) => w.message.seq)).toEqual([0, 25]);
  return windows[1]!.message.features;
}

describe('envelope features on a synthetic bearing', () => {
  it('outer-race defect: envBpfo stands well above envBpfi and envFtf', () => {
    const f = envelopeFeatures(
      defectSignal(ORDERS.bpfo * SHAFT_HZ, () => 1, 2),
      { shaftRpm: 1500 },
    );
    expect(f.shaftHz).toBe(25);
    expect(f.envBpfo).toBeGreaterThan(0.05);
    expect(f.envBpfo).toBeGreaterThan(10 * f.envBpfi!);
    expect(f.envBpfo).toBeGreaterThan(10 * f.envFtf!);
    expect(f.envBpfo).toBeGreaterThan(10 * f.envBsf!);
  });

  it('inner-race defect (impacts at BPFI, modulated by the rotating load zone): envBpfi stands well above envBpfo and envFtf, with the shaft speed read from the 1× line', () => {
    const f = envelopeFeatures(
      defectSignal(ORDERS.bpfi * SHAFT_HZ, (t) => 0.5 * (1 + Math.cos(2 * Math.PI * SHAFT_HZ * t)), 2),
      { shaftRpmFrom: 'peak', shaftSearchHz: [10, 40] },
    );
    expect(Math.abs(f.shaftHz! - SHAFT_HZ)).toBeLessThan(0.1);
    expect(f.envBpfi).toBeGreaterThan(0.02);
    expect(f.envBpfi).toBeGreaterThan(10 * f.envBpfo!);
    expect(f.envBpfi).toBeGreaterThan(10 * f.envFtf!);
  });
});
