import { describe, expect, it } from 'vitest';
import { RandomStreams, Scheduler, VirtualClock } from '../../../../sim/index';
import { LinkError, LinkModel, NO_IMPAIRMENT, planLinkChanges, scheduleLinkChanges, type LinkImpairment, type LinkImpairmentInput } from '../../../../sim/link/index';

const T0 = 1_700_000_000_000;

function resolved(input: LinkImpairmentInput): LinkImpairment {
  return new LinkModel('probe', input, new RandomStreams('x').stream('l')).impairment;
}

describe('scheduleLinkChanges', () => {
  it('takes the link down for { atS: 10, forS: 5, partition: true } exactly in [10 s, 15 s), then restores the previous impairment', async () => {
    const clock = new VirtualClock(T0);
    const model = new LinkModel('edge->cloud', { latencyMs: 20, loss: 0 }, new RandomStreams('s').stream('l'));
    const before = model.impairment;
    const changes: number[] = [];
    model.onChange((_impairment, nowMs) => void changes.push(nowMs - T0));
    scheduleLinkChanges([{ link: 'edge->cloud', atS: 10, forS: 5, partition: true }], new Map([['edge->cloud', model]]), new Scheduler(clock), T0);
    const probes: Array<[number, string]> = [];
    for (const ms of [0, 9_999, 9_999.999, 10_000, 12_500, 14_999.999, 15_000, 20_000]) {
      clock.schedule(T0 + ms, (nowMs) => void probes.push([ms, model.transmit({ bytes: 1 }, nowMs).kind]));
    }
    await clock.runUntil(T0 + 30_000);
    expect(probes).toEqual([
      [0, 'deliver'],
      [9_999, 'deliver'],
      [9_999.999, 'deliver'],
      [10_000, 'down'],
      [12_500, 'down'],
      [14_999.999, 'down'],
      [15_000, 'deliver'],
      [20_000, 'deliver'],
    ]);
    expect(changes).toEqual([10_000, 15_000]);
    expect(model.impairment).toEqual(before);
  });

  it('makes a permanent change for an entry without forS, from the start of the run', async () => {
    const clock = new VirtualClock(T0);
    const model = new LinkModel('twins->edge', {}, new RandomStreams('s').stream('l'));
    const schedule = scheduleLinkChanges([{ link: 'twins->edge', atS: 0, latencyMs: 20, loss: 0.01 }], new Map([['twins->edge', model]]), new Scheduler(clock), T0);
    expect(schedule.changes).toEqual([{ link: 'twins->edge', atMs: T0, impairment: resolved({ latencyMs: 20, loss: 0.01 }) }]);
    await clock.runUntil(T0 + 1);
    expect(model.impairment).toEqual(resolved({ latencyMs: 20, loss: 0.01 }));
  });

  it('cancel() stops the changes not yet made', async () => {
    const clock = new VirtualClock(T0);
    const model = new LinkModel('a->b', {}, new RandomStreams('s').stream('l'));
    const schedule = scheduleLinkChanges([{ link: 'a->b', atS: 1, partition: true }], new Map([['a->b', model]]), new Scheduler(clock), T0);
    schedule.cancel();
    await clock.runUntil(T0 + 5_000);
    expect(model.impairment.partition).toBe(false);
  });
});

describe('planLinkChanges', () => {
  const bases = new Map([
    ['edge->cloud', resolved({ latencyMs: 20 })],
    ['cloud->edge', NO_IMPAIRMENT],
  ]);
  const at = (s: number) => T0 + s * 1000;

  it('lets the later of overlapping windows win field by field, and ending each brings back what it covered', () => {
    const changes = planLinkChanges(
      [
        { link: 'edge->cloud', atS: 10, forS: 20, latencyMs: 100 },
        { link: 'edge->cloud', atS: 15, forS: 5, latencyMs: 300, loss: 0.1 },
      ],
      bases,
      T0,
    );
    expect(changes.map((c) => [c.atMs, c.impairment.latencyMs, c.impairment.loss])).toEqual([
      [at(10), 100, 0],
      [at(15), 300, 0.1],
      [at(20), 100, 0],
      [at(30), 20, 0],
    ]);
  });

  it('breaks a tie in start time by list order, and makes one change per instant', () => {
    const changes = planLinkChanges(
      [
        { link: 'edge->cloud', atS: 5, forS: 5, latencyMs: 50 },
        { link: 'edge->cloud', atS: 5, forS: 10, latencyMs: 70, duplicate: 0.1 },
        { link: 'edge->cloud', atS: 10, partition: true },
      ],
      bases,
      T0,
    );
    expect(changes.map((c) => [c.atMs, c.impairment.latencyMs, c.impairment.duplicate, c.impairment.partition])).toEqual([
      [at(5), 70, 0.1, false],
      [at(10), 70, 0.1, true],
      [at(15), 20, 0, true],
    ]);
  });

  it('fires reset only at its entry start, never when its window ends or another change follows', () => {
    const changes = planLinkChanges([{ link: 'cloud->edge', atS: 5, forS: 2, reset: true, latencyMs: 50 }, { link: 'cloud->edge', atS: 6, loss: 0.2 }], bases, T0);
    expect(changes.map((c) => [c.atMs, c.impairment.reset, c.impairment.latencyMs])).toEqual([
      [at(5), true, 50],
      [at(6), false, 50],
      [at(7), false, 0],
    ]);
  });

  it('replaces bursty loss by an entry that sets loss, and brings it back after', () => {
    const ge = { pGoodToBad: 0.01, pBadToGood: 0.5 };
    const changes = planLinkChanges(
      [
        { link: 'cloud->edge', atS: 0, gilbertElliott: ge },
        { link: 'cloud->edge', atS: 10, forS: 10, loss: 0.3 },
      ],
      bases,
      T0,
    );
    expect(changes.map((c) => [c.impairment.loss, c.impairment.gilbertElliott?.pBadToGood])).toEqual([
      [0, 0.5],
      [0.3, undefined],
      [0, 0.5],
    ]);
  });

  it('lifts an optional impairment with null, and rejects a combination that ends up invalid before the run', () => {
    const capped = new Map([['a->b', resolved({ bandwidthKbps: 100, queueLimitBytes: 5_000 })]]);
    const lifted = planLinkChanges([{ link: 'a->b', atS: 1, forS: 1, bandwidthKbps: null, queueLimitBytes: null }], capped, T0);
    expect(lifted.map((c) => c.impairment.bandwidthKbps)).toEqual([undefined, 100]);
    expect(() => planLinkChanges([{ link: 'a->b', atS: 3, bandwidthKbps: null }], capped, T0)).toThrow(
      /^link a->b at 3 s \(schedule\) queueLimitBytes: a queue only fills behind a bottleneck/,
    );
  });

  it('rejects an unknown link with E_LINK_UNKNOWN, suggesting the near name and listing the known ones', () => {
    let error: unknown;
    try {
      planLinkChanges([{ link: 'edge->clod', atS: 1, partition: true }], bases, T0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LinkError);
    expect(error).toMatchObject({
      code: 'E_LINK_UNKNOWN',
      message: 'link schedule[0].link: no link named "edge->clod" (did you mean "edge->cloud"?); known links: edge->cloud, cloud->edge',
    });
  });

  it('rejects an invalid entry with E_LINK_CONFIG naming its index and field', () => {
    expect(() => planLinkChanges([{ link: 'edge->cloud', atS: 1 }, { link: 'edge->cloud', atS: 2, loss: 1.5 }], bases, T0)).toThrow(
      /^link schedule\[1\]\.loss: /,
    );
    expect(() => planLinkChanges([{ link: 'edge->cloud', atS: 1, latency: 5 } as never], bases, T0)).toThrow(/schedule\[0\]/);
  });
});
