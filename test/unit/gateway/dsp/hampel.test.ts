import { describe, expect, it } from 'vitest';
import { HampelFilter } from '../../../../gateway/dsp/index';
import { noise, sum, tone } from './signals';

const FS = 25_600;
const K = 3;

describe('HampelFilter', () => {
  it('leaves a clean sine untouched: the output is the input delayed by k samples, bit for bit', () => {
    const x = sum(tone(1, 160, FS, 4096), tone(0.5, 3000, FS, 4096));
    const y = x.slice();
    const hampel = new HampelFilter(K, 3);
    hampel.process(y, y.length);
    expect(hampel.replaced).toBe(0);
    expect(Array.from(y.subarray(K))).toEqual(Array.from(x.subarray(0, x.length - K)));
    // Before the window fills, it repeats the first sample it saw.
    for (let i = 0; i < K; i++) expect(y[i]).toBe(x[0]);
  });

  it('replaces an injected spike by the median of its window and nothing else', () => {
    const clean = sum(tone(1, 160, FS, 2048), tone(0.2, 2500, FS, 2048));
    const x = clean.slice();
    x[1000] = x[1000]! + 8;
    const y = x.slice();
    const hampel = new HampelFilter(K, 3);
    hampel.process(y, y.length);
    expect(hampel.replaced).toBe(1);
    const window = Array.from(x.subarray(1000 - K, 1000 + K + 1)).sort((a, b) => a - b);
    expect(y[1000 + K]).toBe(window[K]);
    // The median of the 7 samples around it is close to the clean value (the window spans a fraction of a period).
    expect(Math.abs(y[1000 + K]! - clean[1000]!)).toBeLessThan(0.15);
    const unchanged = Array.from(y.subarray(K)).filter((v, i) => i !== 1000 && v !== x[i]);
    expect(unchanged).toEqual([]);
  });

  it('removes a two-sample burst too, which a max/min test would miss (k = 3 tolerates up to k outliers)', () => {
    const x = tone(1, 50, FS, 1000);
    x[500] = 5;
    x[501] = 5.5;
    const y = x.slice();
    new HampelFilter(K, 3).process(y, y.length);
    expect(Math.abs(y[500 + K]! - x[499]!)).toBeLessThan(0.05);
    expect(Math.abs(y[501 + K]! - x[502]!)).toBeLessThan(0.05);
  });

  it('gives the same stream whether it arrives as one block or as many uneven ones', () => {
    const x = sum(tone(1, 700, FS, 3000), noise(0.3, 3000));
    x[17] = 9;
    x[1023] = -7;
    x[1024] = -7.5;
    const whole = x.slice();
    new HampelFilter(5, 2.5).process(whole, whole.length);
    const pieces = new HampelFilter(5, 2.5);
    const edges = [0, 1, 17, 18, 1024, 1025, 2048, 3000];
    for (let b = 0; b + 1 < edges.length; b++) {
      const part = x.slice(edges[b], edges[b + 1]);
      pieces.process(part, part.length);
      expect(Array.from(part)).toEqual(Array.from(whole.subarray(edges[b], edges[b + 1])));
    }
  });

  it('matches a brute-force Hampel (sort the window, median, MAD) sample for sample on noisy data', () => {
    const x = sum(tone(1, 900, FS, 2000), noise(0.2, 2000, 3));
    for (const at of [100, 101, 700, 1500]) x[at] = x[at]! + (at % 2 ? 3 : -4);
    const y = x.slice();
    new HampelFilter(4, 2).process(y, y.length);
    const k = 4;
    const expected: number[] = [];
    for (let c = k; c + k < x.length; c++) {
      const window = Array.from(x.subarray(c - k, c + k + 1)).sort((a, b) => a - b);
      const median = window[k]!;
      const mad = window.map((v) => Math.abs(v - median)).sort((a, b) => a - b)[k]!;
      expected.push(Math.abs(x[c]! - median) > 2 * 1.4826 * mad ? median : x[c]!);
    }
    expect(Array.from(y.subarray(2 * k, x.length))).toEqual(expected);
  });
});
