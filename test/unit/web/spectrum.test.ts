import { describe, expect, it } from 'vitest';
import { fftSize, peakOf, reduceSpectrum, spectraOf } from '../../../web/spectrum';

const FS = 25_600;
const BAND: [number, number] = [2500, 4500];

function signal(length: number, at: (tS: number) => number): Float64Array {
  return Float64Array.from({ length }, (_, i) => at(i / FS));
}

const sine = (amplitude: number, hz: number, phase = 0.3) => (tS: number) => amplitude * Math.sin(2 * Math.PI * hz * tS + phase);

describe('the panel\'s amplitude spectrum', () => {
  it('reads a sine of amplitude A as A at its frequency when it sits on a bin', () => {
    const { spectrum, size } = spectraOf(signal(32_768, sine(0.7, 100)), FS, BAND);
    expect(size).toBe(32_768);
    expect(spectrum.binHz).toBe(FS / 32_768);
    const k = Math.round(100 / spectrum.binHz);
    expect(spectrum.amplitude[k]).toBeCloseTo(0.7, 3);
    expect(peakOf(spectrum, 1, FS / 2).hz).toBe(k * spectrum.binHz);
  });

  it('reads a sine between bins within a bin of its frequency, losing at most Hann\'s 15 % scalloping', () => {
    const { spectrum } = spectraOf(signal(32_768, sine(2, 1234.4)), FS, BAND);
    const peak = peakOf(spectrum, 1, FS / 2);
    expect(Math.abs(peak.hz - 1234.4)).toBeLessThanOrEqual(spectrum.binHz);
    expect(peak.amplitude).toBeGreaterThan(2 * 0.85);
    expect(peak.amplitude).toBeLessThanOrEqual(2 * 1.001);
  });

  it('takes out the mean: an offset shows no line at 0 Hz, and the sine still reads true', () => {
    const { spectrum, mean } = spectraOf(signal(4096, (t) => 1.5 + sine(0.2, 25 * FS / 4096)(t)), FS, BAND);
    expect(mean).toBeCloseTo(1.5, 3);
    expect(spectrum.amplitude[0]).toBeLessThan(1e-3);
    expect(spectrum.amplitude[25]).toBeCloseTo(0.2, 3);
  });

  it('zero-pads a block whose length is no power of two: finer bins, the same amplitude scale', () => {
    expect([1, 2, 4, 5, 1000, 1024, 25_000, 32_768].map(fftSize)).toEqual([4, 4, 4, 8, 1024, 1024, 32_768, 32_768]);
    const { spectrum, size } = spectraOf(signal(25_000, sine(0.5, 100)), FS, BAND);
    expect(size).toBe(32_768);
    expect(spectrum.binHz).toBe(FS / 32_768);
    expect(spectrum.amplitude).toHaveLength(16_385);
    // 100 Hz is bin 128 of the padded grid: the window's transform at the tone's own frequency is Σw·A/2.
    expect(spectrum.amplitude[128]).toBeCloseTo(0.5, 3);
    // A block of 1000 samples (no power of two either) still finds its tone.
    const short = spectraOf(signal(1000, sine(1, 2000)), FS, BAND);
    expect(short.size).toBe(1024);
    expect(Math.abs(peakOf(short.spectrum, 1, FS / 2).hz - 2000)).toBeLessThanOrEqual(short.spectrum.binHz);
  });

  it('refuses what it cannot analyse, saying why', () => {
    expect(() => spectraOf([1], FS, BAND)).toThrow(/at least 2 samples/);
    expect(() => spectraOf(signal(64, sine(1, 100)), 0, BAND)).toThrow(/sample rate/);
    expect(() => spectraOf(signal(64, sine(1, 100)), 1000, BAND)).toThrow(/band \[2500, 4500\] Hz holds no bin/);
  });
});

describe('the panel\'s envelope spectrum', () => {
  // x(t) = C·(1 + m·cos 2πfm·t)·cos 2πfc·t: its envelope is C·(1 + m·cos 2πfm·t), a line of amplitude C·m at fm.
  const C = 1.2;
  const M = 0.5;
  const FC = 3500;
  const FM = 88.3;
  const am = (tS: number) => C * (1 + M * Math.cos(2 * Math.PI * FM * tS)) * Math.cos(2 * Math.PI * FC * tS);

  it('shows the modulation of an amplitude-modulated carrier at fm, with amplitude C·m', () => {
    const { envelope, spectrum } = spectraOf(signal(32_768, am), FS, BAND);
    const peak = peakOf(envelope, 2, 1000);
    expect(Math.abs(peak.hz - FM)).toBeLessThanOrEqual(envelope.binHz);
    expect(peak.amplitude).toBeGreaterThan(C * M * 0.85);
    expect(peak.amplitude).toBeLessThanOrEqual(C * M * 1.01);
    // The envelope's mean does not leak into the low bins, and nothing else stands out below 1 kHz.
    expect(peakOf(envelope, 0, 2 * envelope.binHz).amplitude).toBeLessThan(0.05 * C * M);
    expect(peakOf(envelope, FM + 10, 1000).amplitude).toBeLessThan(0.05 * C * M);
    // The plain spectrum has no line at fm: the modulation is found only by demodulating.
    expect(peakOf(spectrum, FM - 5, FM + 5).amplitude).toBeLessThan(1e-3);
    expect(envelope.bandHz[0]).toBeGreaterThanOrEqual(2500);
    expect(envelope.bandHz[1]).toBeLessThanOrEqual(4500);
  });

  it('ignores what lies outside the demodulation band: a strong 1× line adds no envelope line', () => {
    const withShaft = (tS: number) => am(tS) + sine(3, 24.7)(tS);
    const { envelope } = spectraOf(signal(32_768, withShaft), FS, BAND);
    expect(Math.abs(peakOf(envelope, 2, 1000).hz - FM)).toBeLessThanOrEqual(envelope.binHz);
    expect(peakOf(envelope, 20, 30).amplitude).toBeLessThan(0.05 * C * M);
  });

  it('reads the same modulation from a block zero-padded from 20 000 samples', () => {
    const { envelope, size } = spectraOf(signal(20_000, am), FS, BAND);
    expect(size).toBe(32_768);
    const peak = peakOf(envelope, 2, 1000);
    expect(Math.abs(peak.hz - FM)).toBeLessThanOrEqual(2 * envelope.binHz);
    expect(peak.amplitude).toBeGreaterThan(C * M * 0.8);
    expect(peak.amplitude).toBeLessThanOrEqual(C * M * 1.05);
  });
});

describe('reducing a spectrum for a chart', () => {
  const spike = { binHz: 0.5, amplitude: Float64Array.from({ length: 16_385 }, (_, k) => (k === 5003 ? 9 : 0.001 * (k % 7))) };

  it('keeps at most maxPoints points, and a one-bin line survives at its own frequency', () => {
    const linear = reduceSpectrum(spike, { maxPoints: 1024 });
    expect(linear.hz.length).toBeLessThanOrEqual(1024);
    expect(linear.hz[linear.amplitude.indexOf(9)]).toBe(5003 * 0.5);
    const log = reduceSpectrum(spike, { maxPoints: 1024, scale: 'log' });
    expect(log.hz.length).toBeLessThanOrEqual(1024);
    expect(log.hz[0]).toBe(0.5);
    expect(log.hz[log.amplitude.indexOf(9)]).toBe(5003 * 0.5);
    // Frequencies rise, so the chart's x values are in order.
    expect(log.hz.every((hz, i) => i === 0 || hz > log.hz[i - 1]!)).toBe(true);
  });

  it('keeps every bin of a short range, and cuts at toHz', () => {
    const cut = reduceSpectrum(spike, { toHz: 100, maxPoints: 1024 });
    expect(cut.hz).toHaveLength(201);
    expect(cut.hz.at(-1)).toBe(100);
  });
});
