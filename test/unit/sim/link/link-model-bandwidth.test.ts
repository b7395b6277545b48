import { describe, expect, it } from 'vitest';
import { createRng, RandomStreams } from '../../../../sim/index';
import { LinkModel, type LinkImpairmentInput } from '../../../../sim/link/index';
import { relativeError } from './stats';

const SEED = 'link-bandwidth-tests';

function model(impairment: LinkImpairmentInput): LinkModel {
  return new LinkModel('edge->cloud', impairment, new RandomStreams(SEED).stream('link/edge->cloud'));
}

interface Arrival {
  atMs: number;
  bytes: number;
}

/** Kilobits per second arriving in each whole second strictly inside [first arrival, last arrival]. */
function perSecondKbps(arrivals: readonly Arrival[]): number[] {
  const firstS = Math.floor(arrivals[0]!.atMs / 1000) + 1;
  const lastS = Math.floor(arrivals[arrivals.length - 1]!.atMs / 1000) - 1;
  const bits = new Array<number>(lastS - firstS + 1).fill(0);
  for (const { atMs, bytes } of arrivals) {
    const s = Math.floor(atMs / 1000);
    if (s >= firstS && s <= lastS) bits[s - firstS]! += 8 * bytes;
  }
  return bits.map((b) => b / 1000); // bits in 1 s = bit/s; /1000 = kbit/s
}

describe('LinkModel bandwidth cap', () => {
  it('holds 1,000 kbit/s within 5% in every second of a 1.6× saturating stream of 20,000 packets of 100–1,500 B', () => {
    const link = model({ latencyMs: 5, bandwidthKbps: 1000 });
    const sizes = createRng('packet-sizes');
    const arrivals: Arrival[] = [];
    for (let i = 0; i < 20_000; i++) {
      const bytes = 100 + Math.floor(sizes.next() * 1401);
      const verdict = link.transmit({ bytes }, i * 4);
      if (verdict.kind !== 'deliver') throw new Error(`packet ${i}: ${verdict.kind}`);
      arrivals.push({ atMs: verdict.atMs[0]!, bytes });
    }
    const seconds = perSecondKbps(arrivals);
    expect(seconds.length, 'seconds of saturated link measured').toBeGreaterThan(100);
    for (const [s, kbps] of seconds.entries()) expect(relativeError(kbps, 1000), `second ${s}: ${kbps} kbit/s`).toBeLessThan(0.05);
    // Over the whole busy period the rate is exact: bits after the first packet / time after its arrival.
    const bitsAfterFirst = 8 * arrivals.slice(1).reduce((sum, a) => sum + a.bytes, 0);
    const spanMs = arrivals[arrivals.length - 1]!.atMs - arrivals[0]!.atMs;
    expect(bitsAfterFirst / spanMs).toBeCloseTo(1000, 6);
  });

  it('below the cap, each packet waits only its own serialization: 1,000 B at 1,000 kbit/s every 10 ms arrives 8 + 5 ms later', () => {
    const link = model({ latencyMs: 5, bandwidthKbps: 1000 });
    for (let i = 0; i < 1_000; i++) expect(link.transmit({ bytes: 1000 }, i * 10)).toEqual({ kind: 'deliver', atMs: [i * 10 + 13] });
  });

  it('delivers in FIFO order through the bottleneck, latency added after', () => {
    const link = model({ latencyMs: 100, bandwidthKbps: 80 }); // 80 kbit/s: 100 B takes 10 ms
    expect(link.transmit({ bytes: 100 }, 0)).toEqual({ kind: 'deliver', atMs: [110] });
    expect(link.transmit({ bytes: 50 }, 1)).toEqual({ kind: 'deliver', atMs: [115] });
    expect(link.transmit({ bytes: 0 }, 2)).toEqual({ kind: 'deliver', atMs: [115] });
  });
});

describe('LinkModel queue limit', () => {
  it('tail-drops a burst of 100 × 1,000 B behind a 10,000 B queue: exactly the first 10 pass, 8 ms apart', () => {
    const link = model({ latencyMs: 5, bandwidthKbps: 1000, queueLimitBytes: 10_000 });
    const verdicts = Array.from({ length: 100 }, () => link.transmit({ bytes: 1000 }, 0));
    expect(verdicts.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => ({ kind: 'deliver', atMs: [8 * (i + 1) + 5] })));
    expect(verdicts.slice(10).every((v) => v.kind === 'drop' && v.reason === 'queue-full')).toBe(true);
    expect(link.counters().dropped['queue-full']).toBe(90);
  });

  it('under a 2× overload of 10,000 packets drops half (± 2%), keeps the cap within 5% and the delay under 80 + 5 ms', () => {
    const link = model({ latencyMs: 5, bandwidthKbps: 1000, queueLimitBytes: 10_000 });
    const arrivals: Arrival[] = [];
    let maxDelayMs = 0;
    for (let i = 0; i < 10_000; i++) {
      const verdict = link.transmit({ bytes: 1000 }, i * 4);
      if (verdict.kind !== 'deliver') continue;
      arrivals.push({ atMs: verdict.atMs[0]!, bytes: 1000 });
      maxDelayMs = Math.max(maxDelayMs, verdict.atMs[0]! - i * 4);
    }
    const dropped = link.counters().dropped['queue-full'] / 10_000;
    expect(Math.abs(dropped - 0.5), `${(100 * dropped).toFixed(2)}% tail-dropped`).toBeLessThan(0.02);
    for (const kbps of perSecondKbps(arrivals)) expect(relativeError(kbps, 1000), `${kbps} kbit/s`).toBeLessThan(0.05);
    expect(maxDelayMs).toBeLessThanOrEqual(85 + 1e-9);
  });

  it('keeps the queue across set(): packets offered after the cap is lifted still leave behind the queued ones', () => {
    const link = model({ bandwidthKbps: 80 });
    for (let i = 0; i < 10; i++) link.transmit({ bytes: 100 }, 0); // queue busy until 100 ms
    link.set({}, 0);
    expect(link.transmit({ bytes: 100 }, 1)).toEqual({ kind: 'deliver', atMs: [100] });
  });

  it('empties the queue on a reset, so the next packet leaves at once', () => {
    const link = model({ bandwidthKbps: 80 });
    for (let i = 0; i < 10; i++) link.transmit({ bytes: 100 }, 0);
    link.set({ bandwidthKbps: 80, reset: true }, 20);
    expect(link.transmit({ bytes: 100 }, 20)).toEqual({ kind: 'deliver', atMs: [30] });
  });
});
