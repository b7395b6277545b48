import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../../sim/index';
import { DRAWS_PER_PACKET, LinkError, LinkModel, NO_IMPAIRMENT, type LinkChange, type LinkImpairment, type LinkImpairmentInput, type LinkVerdict } from '../../../../sim/link/index';

const RICH: LinkImpairmentInput = {
  latencyMs: 20,
  jitter: { dist: 'pareto', scaleMs: 5, shape: 2.5 },
  gilbertElliott: { pGoodToBad: 0.01, pBadToGood: 0.3, lossGood: 0.001 },
  duplicate: 0.02,
  reorder: { probability: 0.05, extraDelayMs: 7 },
  bandwidthKbps: 2_000, // offered 1,600 kbit/s: under the cap, so the queue stays short
  queueLimitBytes: 20_000,
};

function verdicts(seed: string, impairment: LinkImpairmentInput, count = 10_000): LinkVerdict[] {
  const model = new LinkModel('edge->cloud', impairment, new RandomStreams(seed).stream('link/edge->cloud'));
  return Array.from({ length: count }, (_, i) => model.transmit({ bytes: 200 + (i % 7) * 100 }, i * 2.5));
}

describe('LinkModel determinism', () => {
  it('gives identical verdict sequences for 10,000 packets under the same seed', () => {
    expect(verdicts('seed-A', RICH)).toEqual(verdicts('seed-A', RICH));
  });

  it('gives a different sequence under a different seed', () => {
    const a = verdicts('seed-A', RICH);
    const b = verdicts('seed-B', RICH);
    const differing = a.filter((v, i) => JSON.stringify(v) !== JSON.stringify(b[i])).length;
    // Pareto jitter makes almost every arrival time differ.
    expect(differing).toBeGreaterThan(9_000);
  });

  it(`takes exactly ${DRAWS_PER_PACKET} draws per packet, so adding duplication changes no loss, jitter or reorder decision`, () => {
    const base = verdicts('seed-A', { latencyMs: 10, jitter: { dist: 'normal', sdMs: 3 }, loss: 0.1, reorder: { probability: 0.1, extraDelayMs: 5 } });
    const withDup = verdicts('seed-A', { latencyMs: 10, jitter: { dist: 'normal', sdMs: 3 }, loss: 0.1, reorder: { probability: 0.1, extraDelayMs: 5 }, duplicate: 0.3 });
    const firstCopy = (v: LinkVerdict) => (v.kind === 'deliver' ? v.atMs[0] : v.kind);
    expect(withDup.map(firstCopy)).toEqual(base.map(firstCopy));
    expect(withDup.filter((v) => v.kind === 'deliver' && v.atMs.length === 2).length).toBeGreaterThan(2_000);
  });

  it('spends the same draws on packets refused by a partition: packet k decides alike whatever came before', () => {
    const streams = (seed: string) => new RandomStreams(seed).stream('l');
    const up = new LinkModel('a->b', { loss: 0.3 }, streams('s'));
    const cut = new LinkModel('a->b', { loss: 0.3, partition: true }, streams('s'));
    for (let i = 0; i < 100; i++) {
      up.transmit({ bytes: 1 }, i);
      expect(cut.transmit({ bytes: 1 }, i)).toEqual({ kind: 'down', reason: 'partition' });
    }
    cut.set({ loss: 0.3 }, 100);
    for (let i = 100; i < 1_100; i++) expect(cut.transmit({ bytes: 1 }, i)).toEqual(up.transmit({ bytes: 1 }, i));
  });
});

describe('LinkModel partition, stall and set()', () => {
  it('refuses every packet while partitioned (partition wins over stall) or stalled, and counts them by reason', () => {
    const model = new LinkModel('a->b', { partition: true, stall: true }, new RandomStreams('x').stream('l'));
    expect(model.transmit({ bytes: 10 }, 0)).toEqual({ kind: 'down', reason: 'partition' });
    model.set({ stall: true }, 1);
    expect(model.transmit({ bytes: 10 }, 1)).toEqual({ kind: 'down', reason: 'stall' });
    expect(model.transmit({ bytes: 10 }, 2)).toEqual({ kind: 'down', reason: 'stall' });
    model.set({ latencyMs: 4 }, 3);
    expect(model.transmit({ bytes: 10 }, 3)).toEqual({ kind: 'deliver', atMs: [7] });
    const counters = model.counters();
    expect(counters.down).toEqual({ partition: 1, stall: 2 });
    expect(counters).toMatchObject({ seen: 4, delivered: 1, bytes: { seen: 40, delivered: 10 } });
  });

  it('tells listeners the new impairment, the time, the reason and the previous impairment; unsubscribe stops it', () => {
    const model = new LinkModel('a->b', { latencyMs: 5 }, new RandomStreams('x').stream('l'));
    const heard: Array<[LinkImpairment, number, LinkChange]> = [];
    const off = model.onChange((impairment, nowMs, change) => void heard.push([impairment, nowMs, change]));
    model.set({ partition: true }, 100);
    model.set({ reset: true }, 200);
    off();
    model.set({}, 300);
    expect(heard.map(([impairment, nowMs, change]) => [impairment.partition, nowMs, change.reason, change.previous.latencyMs])).toEqual([
      [true, 100, 'set', 5],
      [false, 200, 'reset', 0],
    ]);
    expect(model.counters().resets).toBe(1);
  });

  it('still tells every listener when one throws, then rethrows its error', () => {
    const model = new LinkModel('a->b', {}, new RandomStreams('x').stream('l'));
    let second = 0;
    model.onChange(() => {
      throw new Error('listener failed');
    });
    model.onChange(() => void second++);
    expect(() => model.set({ latencyMs: 1 }, 0)).toThrow('listener failed');
    expect(second).toBe(1);
    expect(model.impairment.latencyMs).toBe(1);
  });

  it('resolves defaults, and exposes a frozen impairment', () => {
    const model = new LinkModel('a->b', { loss: 0.1 }, new RandomStreams('x').stream('l'));
    expect(model.impairment).toEqual({ ...NO_IMPAIRMENT, loss: 0.1 });
    expect(Object.isFrozen(model.impairment)).toBe(true);
  });

  it('rejects an invalid impairment in set() with E_LINK_CONFIG naming the link and field, and keeps the old one', () => {
    const model = new LinkModel('edge->cloud', { latencyMs: 5 }, new RandomStreams('x').stream('l'));
    const error = catchError(() => model.set({ latencyMs: 5, jitter: { dist: 'pareto', scaleMs: 1, shape: 0.5 } }, 0));
    expect(error).toBeInstanceOf(LinkError);
    expect(error).toMatchObject({ code: 'E_LINK_CONFIG' });
    expect((error as Error).message).toMatch(/^link edge->cloud jitter\.shape: /);
    expect(model.impairment.latencyMs).toBe(5);
  });

  it('rejects negative or non-finite packet sizes and times with E_LINK_PACKET', () => {
    const model = new LinkModel('a->b', {}, new RandomStreams('x').stream('l'));
    expect(catchError(() => model.transmit({ bytes: -1 }, 0))).toMatchObject({ code: 'E_LINK_PACKET' });
    expect(catchError(() => model.transmit({ bytes: NaN }, 0))).toMatchObject({ code: 'E_LINK_PACKET' });
    expect(catchError(() => model.transmit({ bytes: 1 }, Infinity))).toMatchObject({ code: 'E_LINK_PACKET' });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
