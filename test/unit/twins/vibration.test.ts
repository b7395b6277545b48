import { describe, expect, it } from 'vitest';
import { bearingOrders } from '../../../protocol/index';
import { RandomStreams } from '../../../sim/index';
import {
  BearingFaultSchema,
  BearingGeometrySchema,
  LoosenessFaultSchema,
  MisalignmentFaultSchema,
  MountSchema,
  ResonanceSchema,
  STANDARD_GRAVITY,
  VibrationMeasurand,
  type VibrationFault,
} from '../../../twins/vibration/index';
import { OperatingProfile, type ProfilePoint } from '../../../twins/operating-profile';
import { envelopeSpectrum, magnitudeSpectrum, peakHz, spectrumAt, toneAmplitude } from './signal';

const FS = 25_600;
const BLOCK = 1024;
const bearing = BearingGeometrySchema.parse({}); // 6205: 9 balls, d 7.94 mm, D 39.04 mm, α 0°

function measurand(faults: VibrationFault[], options: { speedRpm?: number; profile?: ProfilePoint[]; mountHz?: number; seed?: number } = {}) {
  const streams = new RandomStreams(options.seed ?? 1);
  return new VibrationMeasurand({
    profile: new OperatingProfile({ speedRpm: options.speedRpm ?? 1480, load: 0.8 }, options.profile),
    nominalSpeedRpm: 1480,
    residualUnbalanceGmm: 600,
    mount: MountSchema.parse({ naturalHz: options.mountHz ?? 8 }),
    resonance: ResonanceSchema.parse({}),
    bearing,
    faults,
    rng: { phases: streams.stream('phases'), slip: streams.stream('slip') },
  });
}

/** `n` samples from `startS`, generated block by block as a channel would. */
function record(m: VibrationMeasurand, n: number, startS = 0, noiseG = 0.0113): Float64Array {
  const out = new Float64Array(n);
  const block = new Float64Array(BLOCK);
  for (let k = 0; k < n / BLOCK; k++) {
    m.fill(block, startS + (k * BLOCK) / FS, FS);
    out.set(block, k * BLOCK);
  }
  // Sensor noise at 100 µg/√Hz over 12.8 kHz, so detection is tested on a realistic floor.
  if (noiseG > 0) new RandomStreams('noise').stream('n').addNormal(out, noiseG);
  return out;
}

const bearingFault = (component: 'outer' | 'inner' | 'ball' | 'cage', extra: Record<string, unknown> = {}) =>
  BearingFaultSchema.parse({ type: 'bearing', device: 'pump-1', component, atS: 0, ...extra });

const N = 2 ** 18; // 10.24 s: envelope-spectrum bins of 0.098 Hz
const fr = 1480 / 60;

describe('bearing defect kinematics', () => {
  it('computes the standard defect frequencies of a 6205 bearing as orders of shaft speed', () => {
    const o = bearingOrders(bearing);
    const ratio = 7.94 / 39.04;
    expect(o.bpfo).toBeCloseTo(4.5 * (1 - ratio), 12);
    expect(o.bpfi).toBeCloseTo(4.5 * (1 + ratio), 12);
    expect(o.ftf).toBeCloseTo(0.5 * (1 - ratio), 12);
    expect(o.bsf).toBeCloseTo((39.04 / (2 * 7.94)) * (1 - ratio * ratio), 12);
    // Textbook values for a 6205: BPFO 3.585×, BPFI 5.415×, BSF 2.357×, FTF 0.398×.
    expect([o.bpfo, o.bpfi, o.bsf, o.ftf].map((x) => Number(x.toFixed(3)))).toEqual([3.585, 5.415, 2.357, 0.398]);
  });

  it('folds the contact angle in: BPFO rises and BPFI falls as cos α shrinks the ball/pitch ratio', () => {
    const angled = bearingOrders(BearingGeometrySchema.parse({ contactAngleDeg: 40 }));
    expect(angled.bpfo).toBeCloseTo(4.5 * (1 - (7.94 / 39.04) * Math.cos((40 * Math.PI) / 180)), 12);
    expect(angled.bpfo).toBeGreaterThan(bearingOrders(bearing).bpfo);
  });
});

describe('bearing defects on the envelope spectrum', () => {
  it('an outer-race fault peaks at BPFO within 1%', () => {
    const spectrum = envelopeSpectrum(record(measurand([bearingFault('outer')]), N), FS, 2000, 5000);
    const bpfo = bearingOrders(bearing).bpfo * fr;
    const peak = peakHz(spectrum, N, FS, 5, 500);
    expect(Math.abs(peak - bpfo) / bpfo).toBeLessThan(0.01);
    expect(bpfo).toBeCloseTo(88.42, 1);
  });

  it('an inner-race fault peaks at BPFI within 1%, with sidebands at ±1× shaft speed', () => {
    const spectrum = envelopeSpectrum(record(measurand([bearingFault('inner')]), N), FS, 2000, 5000);
    const bpfi = bearingOrders(bearing).bpfi * fr;
    const peak = peakHz(spectrum, N, FS, 5, 500);
    expect(Math.abs(peak - bpfi) / bpfi).toBeLessThan(0.01);
    // The defect turns through the load zone once a revolution: amplitude modulation puts lines at BPFI ± fr,
    // far above the spectrum between them (at BPFI ± fr/2, where no line belongs).
    const floor = Math.max(spectrumAt(spectrum, N, FS, bpfi - fr / 2), spectrumAt(spectrum, N, FS, bpfi + fr / 2));
    expect(spectrumAt(spectrum, N, FS, bpfi - fr)).toBeGreaterThan(10 * floor);
    expect(spectrumAt(spectrum, N, FS, bpfi + fr)).toBeGreaterThan(10 * floor);
  });

  it('a ball fault strikes at twice the ball spin frequency (2·BSF) within 1%', () => {
    const spectrum = envelopeSpectrum(record(measurand([bearingFault('ball')]), N), FS, 2000, 5000);
    const twoBsf = 2 * bearingOrders(bearing).bsf * fr;
    const peak = peakHz(spectrum, N, FS, 50, 500);
    expect(Math.abs(peak - twoBsf) / twoBsf).toBeLessThan(0.01);
  });

  it('a cage fault shows the FTF line family far above a healthy bearing', () => {
    const ftf = bearingOrders(bearing).ftf * fr;
    const faulty = envelopeSpectrum(record(measurand([bearingFault('cage')]), N), FS, 2000, 5000);
    const healthy = envelopeSpectrum(record(measurand([]), N), FS, 2000, 5000);
    expect(spectrumAt(faulty, N, FS, ftf)).toBeGreaterThan(20 * spectrumAt(healthy, N, FS, ftf));
  });

  it('follows speed: after a run-up to 2960 rpm the outer-race line moves to the new BPFO', () => {
    const m = measurand([bearingFault('outer')], { profile: [{ atS: 2, speedRpm: 1480 }, { atS: 4, speedRpm: 2960 }] });
    const signal = record(m, N + 6 * FS).subarray(6 * FS); // after the run-up
    const spectrum = envelopeSpectrum(signal, FS, 2000, 5000);
    const bpfo = bearingOrders(bearing).bpfo * (2960 / 60);
    expect(Math.abs(peakHz(spectrum, N, FS, 5, 500) - bpfo) / bpfo).toBeLessThan(0.01);
  });

  it('rings the housing resonance: the impact energy sits around its natural frequency', () => {
    const spectrum = magnitudeSpectrum(record(measurand([bearingFault('outer')]), N, 0, 0));
    expect(Math.abs(peakHz(spectrum, N, FS, 1000, 12_000) - 3500) / 3500).toBeLessThan(0.02);
  });

  it('starts at the onset: nothing rings before atS', () => {
    const m = measurand([bearingFault('outer', { atS: 1 })], { mountHz: 8 });
    const before = record(m, 24 * BLOCK, 0, 0);
    const reference = record(measurand([]), 24 * BLOCK, 0, 0);
    expect(before).toEqual(reference);
  });
});

describe('shaft-synchronous components', () => {
  it('gives the unbalance response a = (U·ω²/M)·r²/√((1 − r²)² + (2ζr)²) in g', () => {
    const m = measurand([]);
    const omega = (2 * Math.PI * 1480) / 60;
    const r = omega / (2 * Math.PI * 8);
    const expected = ((600e-6 * omega ** 2) / 50) * (r * r / Math.sqrt((1 - r * r) ** 2 + (2 * 0.1 * r) ** 2)) / STANDARD_GRAVITY;
    expect(m.imbalanceAmplitudeG(0)).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(0.0328, 4);
  });

  it('rises as ω²: doubling the speed gives ~4× (exactly 4× on a stiff-enough mount ratio, 3.68× on the 8 Hz mount)', () => {
    const slow = measurand([], { speedRpm: 1480 }).imbalanceAmplitudeG(0);
    const fast = measurand([], { speedRpm: 2960 }).imbalanceAmplitudeG(0);
    expect(fast / slow).toBeGreaterThan(3.6);
    expect(fast / slow).toBeLessThan(4.4);
    // Far above the mount resonance the housing is a free mass: a = Uω²/M exactly, so the ratio is 4.
    const free = (rpm: number) => measurand([], { speedRpm: rpm, mountHz: 0.01 }).imbalanceAmplitudeG(0);
    expect(free(2960) / free(1480)).toBeCloseTo(4, 6);
  });

  it('puts the unbalance at 1× in the spectrum, with the amplitude above', () => {
    const m = measurand([]);
    const signal = record(m, N, 0, 0);
    expect(Math.abs(peakHz(magnitudeSpectrum(signal), N, FS, 1, 1000) - fr) / fr).toBeLessThan(0.005);
    expect(toneAmplitude(signal, FS, fr) / m.imbalanceAmplitudeG(0)).toBeCloseTo(1, 3);
  });

  it('misalignment shows a dominant 2× with 1× and 3× alongside', () => {
    const fault = MisalignmentFaultSchema.parse({ type: 'misalignment', device: 'pump-1', atS: 0 });
    const m = measurand([fault]);
    const signal = record(m, N, 0, 0);
    const at = (order: number) => toneAmplitude(signal, FS, order * fr);
    // The 1× also carries the unbalance, so compare 2× and 3× against the model and 1× only by order.
    expect(at(2) / m.misalignmentAmplitudeG(0)).toBeCloseTo(1, 3);
    expect(at(2)).toBeGreaterThan(at(1));
    expect(at(2)).toBeGreaterThan(2 * at(3));
    expect(at(3)).toBeGreaterThan(0.2 * at(2));
    // a = (2ω)²·0.05·0.3 mm
    expect(m.misalignmentAmplitudeG(0)).toBeCloseTo((0.05 * 0.3e-3 * (4 * Math.PI * fr) ** 2) / STANDARD_GRAVITY, 10);
  });

  it('looseness adds a train of harmonics to 10× and ½-order sub-harmonics', () => {
    const fault = LoosenessFaultSchema.parse({ type: 'looseness', device: 'pump-1', atS: 0 });
    const loose = magnitudeSpectrum(record(measurand([fault], { seed: 3 }), N, 0, 0));
    const healthy = magnitudeSpectrum(record(measurand([], { seed: 3 }), N, 0, 0));
    for (const order of [0.5, 1.5, 2.5, 3, 5, 7, 10]) {
      expect(spectrumAt(loose, N, FS, order * fr), `${order}×`).toBeGreaterThan(100 * (spectrumAt(healthy, N, FS, order * fr) + 1e-9));
    }
  });

  it('is the same signal for the same seed, byte for byte', () => {
    const a = record(measurand([bearingFault('inner')], { seed: 5 }), 8 * BLOCK, 0, 0);
    const b = record(measurand([bearingFault('inner')], { seed: 5 }), 8 * BLOCK, 0, 0);
    const c = record(measurand([bearingFault('inner')], { seed: 6 }), 8 * BLOCK, 0, 0);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
});
