import { describe, expect, it } from 'vitest';
import { std } from './stats';
import { constant, record, sensorChannel, sine, type FaultSpec, type Recording } from './sensor-fixtures';

// 1024 Hz in blocks of 128 (0.125 s), 32 blocks. Every time below is exact in binary, so sample instants compare
// exactly: onset 1.25 + 37/1024 s is sample 1317 (block 10, sample 37), and forS = 1088/1024 s ends before 2405.
const rateHz = 1024;
const blockSamples = 128;
const atS = 1.25 + 37 / 1024;
const forS = 1088 / 1024;
const first = 1317;
const end = 2405;
const noisySine = { measurand: sine(2, 7), model: { noiseDensity: 0.01 / Math.sqrt(512) } };

/** The same seeded channel with and without `fault`. */
function withAndWithout(fault: FaultSpec, blocks = 32, base: { measurand?: ReturnType<typeof sine>; model?: object } = noisySine) {
  const spec = { rateHz, blockSamples, ...base };
  return { healthy: record(sensorChannel(spec), blocks), faulty: record(sensorChannel({ ...spec, faults: [fault] }), blocks) };
}

/** Indices where the two recordings differ. */
function changed(a: Recording, b: Recording): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.values.length; i++) if (a.values[i] !== b.values[i]) out.push(i);
  return out;
}

describe('sensor faults', () => {
  it('stuck: holds the last value before onset from sample 1317 to 2404, then resumes the healthy signal', () => {
    const { healthy, faulty } = withAndWithout({ type: 'stuck', atS, forS });
    const held = healthy.values[first - 1]!;
    for (let i = first; i < end; i++) expect(faulty.values[i]).toBe(held);
    const diff = changed(healthy, faulty);
    expect(diff[0]).toBe(first);
    expect(diff.at(-1)).toBe(end - 1);
    expect(faulty.values[end]).toBe(healthy.values[end]);
  });

  it('stuck: an onset on a block boundary holds the previous block’s last value', () => {
    const { healthy, faulty } = withAndWithout({ type: 'stuck', atS: 1.25, forS: 0.5 });
    for (let i = 1280; i < 1792; i++) expect(faulty.values[i]).toBe(healthy.values[1279]);
    expect(faulty.values[1792]).toBe(healthy.values[1792]);
  });

  it('drift: adds ratePerS·(t − atS), zero at onset and 0.53125 after forS at 0.5/s', () => {
    const { healthy, faulty } = withAndWithout({ type: 'drift', atS, forS, ratePerS: 0.5 });
    for (let i = 0; i < faulty.values.length; i++) {
      const expected = i >= first && i < end ? 0.5 * (faulty.timesS[i]! - atS) : 0;
      expect(Math.abs(faulty.values[i]! - healthy.values[i]! - expected)).toBeLessThan(1e-6);
    }
    expect(faulty.values[end - 1]! - healthy.values[end - 1]!).toBeCloseTo(0.5 * (1087 / 1024), 5);
    expect(changed(healthy, faulty)[0]).toBe(first + 1);
  });

  it('bias-jump: adds the offset exactly over the window, and half of it mid-ramp', () => {
    const step = withAndWithout({ type: 'bias-jump', atS, forS, offset: 0.25 });
    const diff = changed(step.healthy, step.faulty);
    expect(diff).toEqual(Array.from({ length: end - first }, (_, k) => first + k));
    for (const i of diff) expect(step.faulty.values[i]! - step.healthy.values[i]!).toBeCloseTo(0.25, 6);

    const ramp = withAndWithout({ type: 'bias-jump', atS, forS, offset: 0.25, growth: 'ramp', rampS: 0.5 });
    // Sample 1317 + 256 is 0.25 s after onset: severity 0.5.
    expect(ramp.faulty.values[first + 256]! - ramp.healthy.values[first + 256]!).toBeCloseTo(0.125, 6);
    expect(ramp.faulty.values[first + 600]! - ramp.healthy.values[first + 600]!).toBeCloseTo(0.25, 6);
  });

  it('spikes: about ratePerS·forS spikes of ±amplitude, only inside the window', () => {
    // 20/s for 200 s: Poisson, 4000 ± 63; the bound is 4 standard deviations.
    const spikesAtS = 10 + 37 / 1024;
    const { healthy, faulty } = withAndWithout({ type: 'spikes', atS: spikesAtS, forS: 200, ratePerS: 20, amplitude: 3 }, 1760, { measurand: constant(0.5) });
    let count = 0;
    let positive = 0;
    for (const i of changed(healthy, faulty)) {
      expect(faulty.timesS[i]).toBeGreaterThanOrEqual(spikesAtS);
      expect(faulty.timesS[i]).toBeLessThan(spikesAtS + 200);
      const jump = faulty.values[i]! - healthy.values[i]!;
      // Two spikes may land on one sample: ±3, ±6 or 0.
      expect([3, -3, 6, -6]).toContain(jump);
      count += Math.abs(jump) / 3;
      if (jump > 0) positive++;
    }
    expect(Math.abs(count - 4000)).toBeLessThan(4 * Math.sqrt(4000));
    expect(Math.abs(positive / count - 0.5)).toBeLessThan(0.05);
  });

  it('dropout: flags blocks 10 to 18, which hold the window’s samples, and delivers the rest unchanged', () => {
    const { healthy, faulty } = withAndWithout({ type: 'dropout', atS, forS });
    expect(faulty.blocks.map((b, k) => (b.dropped ? k : -1)).filter((k) => k >= 0)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(healthy.blocks.some((b) => b.dropped)).toBe(false);
    expect(changed(healthy, faulty)).toEqual([]);
  });

  it('clipping: clamps a 2 g sine to ±1 inside the window only', () => {
    const { healthy, faulty } = withAndWithout({ type: 'clipping', atS, forS, level: 1 });
    for (let i = 0; i < faulty.values.length; i++) {
      const h = healthy.values[i]!;
      expect(faulty.values[i]).toBe(i >= first && i < end ? Math.min(1, Math.max(-1, h)) : h);
    }
    expect(Math.max(...faulty.values.subarray(first, end))).toBe(1);
    expect(Math.max(...healthy.values.subarray(first, end))).toBeGreaterThan(1.9);
  });

  it('noise-burst: adds white noise of noiseRms inside the window and nothing outside', () => {
    const { healthy, faulty } = withAndWithout({ type: 'noise-burst', atS, forS, noiseRms: 0.05 });
    const extra = Float64Array.from({ length: end - first }, (_, k) => faulty.values[first + k]! - healthy.values[first + k]!);
    // 1088 samples: σ has a standard error of 2.1 %.
    expect(Math.abs(std(extra) / 0.05 - 1)).toBeLessThan(0.1);
    const diff = changed(healthy, faulty);
    expect(diff[0]).toBe(first);
    expect(diff.at(-1)).toBe(end - 1);
  });

  it('calibration: multiplies the output by 1 + gainError inside the window', () => {
    const { healthy, faulty } = withAndWithout({ type: 'calibration', atS, forS, gainError: 0.1 });
    for (let i = 0; i < faulty.values.length; i++) {
      const h = healthy.values[i]!;
      if (i >= first && i < end) expect(Math.abs(faulty.values[i]! - 1.1 * h)).toBeLessThanOrEqual(2e-7 * Math.abs(h));
      else expect(faulty.values[i]).toBe(h);
    }
  });

  it('timestamp-skew: offsets the blocks of the window by offsetMs plus driftPpm of the time since onset', () => {
    const { faulty } = withAndWithout({ type: 'timestamp-skew', atS, forS, offsetMs: 250, driftPpm: 1000 });
    const offsets = faulty.blocks.map((b) => b.tsOffsetMs);
    expect(offsets.slice(0, 10)).toEqual(new Array(10).fill(0));
    // Block 10 holds the onset: 250 ms. Block 11 starts at 1.375 s, 91/1024 s after onset: +1e-3·91/1024·1000 ms.
    expect(offsets[10]).toBe(250);
    expect(offsets[11]).toBeCloseTo(250 + (91 / 1024), 12);
    expect(offsets[18]).toBeCloseTo(250 + 1e-3 * (2.25 - atS) * 1000, 12);
    expect(offsets.slice(19)).toEqual(new Array(13).fill(0));
  });

  it('applies faults in a fixed order whatever the list order: clipping sees the bias jump', () => {
    const spec = { rateHz, blockSamples, ...noisySine };
    const faults: FaultSpec[] = [
      { type: 'clipping', atS, forS, level: 1 },
      { type: 'bias-jump', atS, forS, offset: 0.5 },
    ];
    const a = record(sensorChannel({ ...spec, faults }), 32);
    const b = record(sensorChannel({ ...spec, faults: [...faults].reverse() }), 32);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    // Offset then clip spans [−1, 1]; clip then offset would span [−0.5, 1.5].
    expect(Math.max(...a.values.subarray(first, end))).toBe(1);
    expect(Math.min(...a.values.subarray(first, end))).toBe(-1);
  });
});
