import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../../sim/index';
import { LinkModel, type LinkImpairmentInput } from '../../../../sim/link/index';
import { countInversions, normalCdf, normalQuantile, paretoQuantile, relativeError } from './stats';

const SEED = 'link-delay-tests';

function model(impairment: LinkImpairmentInput, seed = SEED): LinkModel {
  return new LinkModel('edge->cloud', impairment, new RandomStreams(seed).stream('link/edge->cloud'));
}

/** Offers `count` packets, one per ms; returns each packet's arrival times. */
function arrivals(link: LinkModel, count: number, everyMs = 1): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const verdict = link.transmit({ bytes: 100 }, i * everyMs);
    if (verdict.kind !== 'deliver') throw new Error(`packet ${i}: expected delivery, got ${verdict.kind}`);
    out.push(verdict.atMs);
  }
  return out;
}

const PERCENTILES = [50, 90, 99] as const;

function minimum(values: readonly number[]): number {
  return values.reduce((min, v) => (v < min ? v : min), Infinity);
}

describe('the test reference quantiles', () => {
  it('give the textbook normal z-values 0, 1.2816, 2.3263 and 1.9600', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });
});

describe('LinkModel latency and jitter', () => {
  it('delays every packet by exactly latencyMs when there is no jitter', () => {
    const link = model({ latencyMs: 37.5 });
    arrivals(link, 1_000).forEach((atMs, i) => expect(atMs).toEqual([i + 37.5]));
    expect(link.counters().latencyMs.percentile(99)).toBeCloseTo(37.5, 1);
  });

  it('with normal jitter (latency 50 ms, sd 20 ms), p50/p90/p99 over 50,000 packets match 50 + 20·Φ⁻¹(p) = 50.0/75.6/96.5 ms within 10%', () => {
    const link = model({ latencyMs: 50, jitter: { dist: 'normal', sdMs: 20 } });
    arrivals(link, 50_000);
    const histogram = link.counters().latencyMs;
    for (const p of PERCENTILES) {
      const expected = 50 + 20 * normalQuantile(p / 100);
      const measured = histogram.percentile(p);
      expect(relativeError(measured, expected), `p${p}: measured ${measured.toFixed(2)} ms, analytic ${expected.toFixed(2)} ms`).toBeLessThan(0.1);
    }
  });

  it('truncates normal jitter at zero total delay: latency 10 ms, sd 10 ms puts Φ(−1) = 15.9% ± 1% of 50,000 packets at 0 ms and none below', () => {
    const link = model({ latencyMs: 10, jitter: { dist: 'normal', sdMs: 10 } });
    const delays = arrivals(link, 50_000).map((atMs, i) => atMs[0]! - i);
    const atZero = delays.filter((d) => d === 0).length / delays.length;
    expect(minimum(delays)).toBe(0);
    expect(Math.abs(atZero - normalCdf(-1)), `${(100 * atZero).toFixed(2)}% at 0 ms`).toBeLessThan(0.01);
  });

  it('with Pareto jitter (latency 20 ms, x_m 10 ms, α 2), p50/p90/p99 over 50,000 packets match 20 + x_m·(1−p)^(−1/α) − x_m = 24.1/41.6/110 ms within 10%', () => {
    const link = model({ latencyMs: 20, jitter: { dist: 'pareto', scaleMs: 10, shape: 2 } });
    const delays = arrivals(link, 50_000).map((atMs, i) => atMs[0]! - i);
    const histogram = link.counters().latencyMs;
    for (const p of PERCENTILES) {
      const expected = 20 + paretoQuantile(p / 100, 10, 2) - 10;
      const measured = histogram.percentile(p);
      expect(relativeError(measured, expected), `p${p}: measured ${measured.toFixed(2)} ms, analytic ${expected.toFixed(2)} ms`).toBeLessThan(0.1);
    }
    // The minimum added delay is 0, so no packet beats the fixed latency.
    expect(minimum(delays)).toBeGreaterThanOrEqual(20);
  });
});

describe('LinkModel duplication', () => {
  it('duplicates 5% ± 0.5% of 50,000 packets, each copy exactly duplicateDelayMs = 3 ms after its original', () => {
    const link = model({ latencyMs: 10, duplicate: 0.05, duplicateDelayMs: 3 });
    const all = arrivals(link, 50_000);
    const doubled = all.filter((atMs) => atMs.length === 2);
    expect(Math.abs(doubled.length / all.length - 0.05), `${doubled.length} duplicated`).toBeLessThan(0.005);
    for (const [first, second] of doubled) expect(second! - first!).toBe(3);
    const counters = link.counters();
    expect(counters.duplicated).toBe(doubled.length);
    expect(counters.delivered).toBe(50_000);
    expect(counters.bytes.delivered).toBe(100 * (50_000 + doubled.length));
    expect(counters.latencyMs.count).toBe(50_000 + doubled.length);
  });
});

describe('LinkModel reordering', () => {
  const N = 20_000;

  it(`holding back 10% of ${N.toLocaleString('en')} packets sent 1 ms apart by 4.5 ms gives 4·N·p·(1−p) = 7,200 inversions (± 10%)`, () => {
    const link = model({ latencyMs: 10, reorder: { probability: 0.1, extraDelayMs: 4.5 } });
    const firstArrivals = arrivals(link, N).map((atMs) => atMs[0]!);
    // A held packet is overtaken by each of the next 4 packets (arriving 1–4 ms later than it was due) that is not held itself.
    const expected = 4 * N * 0.1 * 0.9;
    const inversions = countInversions(firstArrivals);
    expect(relativeError(inversions, expected), `${inversions} inversions, expected ${expected}`).toBeLessThan(0.1);
    expect(relativeError(link.counters().reordered, 0.1 * N), `${link.counters().reordered} held back`).toBeLessThan(0.1);
  });

  it('keeps send order (0 inversions) without reorder or jitter', () => {
    const link = model({ latencyMs: 10, loss: 0 });
    expect(countInversions(arrivals(link, N).map((atMs) => atMs[0]!))).toBe(0);
  });
});
