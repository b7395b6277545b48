import { describe, expect, it } from 'vitest';
import type { LinkEvidence } from '../../../../scenarios/expectations/index';
import { evidence, judge, stats, stored } from './fixture';

const link = (overrides: Partial<LinkEvidence> = {}): LinkEvidence => ({
  sent: 30_100,
  delivered: 30_104,
  lostQos0: 0,
  retransmittedQos1: 312,
  duplicated: 4,
  owed: 0,
  latencyMs: { count: 0, minMs: NaN, maxMs: NaN, meanMs: NaN, percentile: () => NaN },
  ...overrides,
});

describe('no-loss on twins->edge', () => {
  it('passes when the edge acknowledged every QoS 1 reading, with the simulated link\'s figures', () => {
    expect(judge({ type: 'no-loss', link: 'twins->edge' }, evidence({ links: { 'twins->edge': link() } }))).toEqual({
      name: 'no QoS 1 reading lost on twins->edge',
      type: 'no-loss',
      passed: true,
      detail: 'QoS 1 published 30000, acknowledged by the edge 30000, lost 0; simulated link: 30100 sent, 312 resent after a loss, 4 duplicated, 0 owed at the end',
    });
  });

  it('fails naming the stream whose readings were never acknowledged, and what the link still owed', () => {
    const result = judge({ type: 'no-loss', link: 'twins->edge' }, evidence({ published: [stats('pump-1', 15_000, 14_990), stats('pump-2', 15_000)], links: { 'twins->edge': link({ owed: 10 }) } }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      'pump-1/accel: published 15000, acknowledged by the edge 14990 (10 lost); the simulated link still owed 10 messages when the run ended ' +
        '(QoS 1 published 30000, acknowledged by the edge 29990, lost 10; simulated link: 30100 sent, 312 resent after a loss, 4 duplicated, 10 owed at the end)',
    );
  });

  it('narrows to one device, and ignores QoS 0 readings', () => {
    const published = [stats('pump-1', 15_000, 14_000), stats('pump-2', 15_000), stats('pump-2', 60, 50, 'winding-temp', 0)];
    expect(judge({ type: 'no-loss', link: 'twins->edge', device: 'pump-2' }, evidence({ published }))).toEqual({
      name: 'no QoS 1 reading lost on twins->edge from pump-2',
      type: 'no-loss',
      passed: true,
      detail: 'QoS 1 published 15000, acknowledged by the edge 15000, lost 0',
    });
  });
});

describe('no-loss on edge->cloud', () => {
  it('compares what the edge acknowledged with what was stored', () => {
    const result = judge({ type: 'no-loss', link: 'edge->cloud' }, evidence({ stored: [stored('pump-1', 15_000), stored('pump-2', 14_000)] }));
    expect(result).toEqual({
      name: 'no QoS 1 reading lost on edge->cloud',
      type: 'no-loss',
      passed: false,
      detail: 'pump-2/accel: acknowledged by the edge 15000, stored 14000 (1000 lost) (QoS 1 acknowledged by the edge 30000, stored 29000, lost 1000)',
    });
  });

  it('does not count a reading the edge never acknowledged as lost upstream', () => {
    const result = judge(
      { type: 'no-loss', link: 'edge->cloud' },
      evidence({ published: [stats('pump-1', 15_000, 14_000), stats('pump-2', 15_000)], stored: [stored('pump-1', 14_000), stored('pump-2', 15_000)] }),
    );
    expect(result).toMatchObject({ passed: true, detail: 'QoS 1 acknowledged by the edge 29000, stored 29000, lost 0' });
  });

  it('reads what was passed on upstream when there is no store', () => {
    const delivered = [
      { device: 'pump-1', sensor: 'accel', count: 15_000, minSeq: 0, maxSeq: 14_999, copies: 0, overlaps: 0 },
      { device: 'pump-2', sensor: 'accel', count: 15_000, minSeq: 0, maxSeq: 14_999, copies: 2, overlaps: 0 },
    ];
    const { stored: _none, ...rest } = evidence({ delivered });
    expect(judge({ type: 'no-loss', link: 'edge->cloud' }, rest).detail).toBe('QoS 1 acknowledged by the edge 30000, passed on 30000, lost 0');
  });
});

