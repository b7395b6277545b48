import { describe, expect, it } from 'vitest';
import { holds, parseCondition, parseMetricKey } from '../../../../scenarios/thresholds/index';
import { LatencyHistogram } from '../../../../sim/index';
import { histogramDistribution, sampleDistribution, summaryDistribution } from '../../../../scenarios/thresholds/index';

describe('metric keys, as k6 writes them', () => {
  it('splits a name from its tags; a tag value may hold ->, / and #', () => {
    expect(parseMetricKey('qos1_lost')).toEqual({ metric: 'qos1_lost', tags: {} });
    expect(parseMetricKey('detection_delay_s{device:pump-1}')).toEqual({ metric: 'detection_delay_s', tags: { device: 'pump-1' } });
    expect(parseMetricKey('qos1_lost{ link: edge->cloud , device:pump-1 }')).toEqual({ metric: 'qos1_lost', tags: { link: 'edge->cloud', device: 'pump-1' } });
    expect(parseMetricKey('detection_delay_s{fault:pump-1/bearing#2}')).toEqual({ metric: 'detection_delay_s', tags: { fault: 'pump-1/bearing#2' } });
  });

  it('refuses a malformed key, a tag without a value and a tag given twice', () => {
    expect(parseMetricKey('qos1 lost')).toEqual({ error: '"qos1 lost" is not a metric key: write name or name{tag:value,…}, e.g. detection_delay_s{device:pump-1}' });
    expect(parseMetricKey('qos1_lost{device}')).toEqual({ error: 'tag "device" of "qos1_lost{device}" is not tag:value' });
    expect(parseMetricKey('qos1_lost{device:a,device:b}')).toEqual({ error: 'tag "device" appears twice in "qos1_lost{device:a,device:b}"' });
  });
});

describe('conditions', () => {
  it('reads p(N), avg, min, max, med, count and a bare single value, with every operator', () => {
    expect(parseCondition('p(99)<50')).toEqual({ source: 'p(99)<50', aggregation: 'p(99)', p: 99, op: '<', limit: 50 });
    expect(parseCondition(' p( 99.9 ) <= 1e3 ')).toEqual({ source: 'p( 99.9 ) <= 1e3', aggregation: 'p(99.9)', p: 99.9, op: '<=', limit: 1000 });
    expect(parseCondition('max<30')).toMatchObject({ aggregation: 'max', op: '<', limit: 30 });
    expect(parseCondition('avg>=2.5')).toMatchObject({ aggregation: 'avg', op: '>=', limit: 2.5 });
    expect(parseCondition('min>-1')).toMatchObject({ aggregation: 'min', op: '>', limit: -1 });
    expect(parseCondition('med!=0')).toMatchObject({ aggregation: 'med', op: '!=', limit: 0 });
    expect(parseCondition('count==3')).toMatchObject({ aggregation: 'count', op: '==', limit: 3 });
    expect(parseCondition('<0.1')).toMatchObject({ aggregation: 'value', op: '<', limit: 0.1 });
    expect(parseCondition('value>50')).toMatchObject({ aggregation: 'value', op: '>', limit: 50 });
  });

  it('refuses what is not a condition', () => {
    for (const text of ['max=30', 'p99<5', 'rate<0.1', 'max<', '<abc', 'max < 30 s']) expect(parseCondition(text)).toHaveProperty('error');
    expect(parseCondition('p(100.5)<1')).toEqual({ error: '"p(100.5)<1": a percentile is between 0 and 100' });
  });

  it('compares with each operator, edges included, and never holds on no data', () => {
    const table: [number, Parameters<typeof holds>[1], number, boolean][] = [
      [29.9, '<', 30, true],
      [30, '<', 30, false],
      [30, '<=', 30, true],
      [30.1, '<=', 30, false],
      [50.1, '>', 50, true],
      [50, '>', 50, false],
      [50, '>=', 50, true],
      [49.9, '>=', 50, false],
      [0, '==', 0, true],
      [1, '==', 0, false],
      [1, '!=', 0, true],
      [0, '!=', 0, false],
      [Infinity, '<', 30, false],
      [Infinity, '>', 50, true],
    ];
    for (const [observed, op, limit, expected] of table) expect(holds(observed, op, limit), `${observed} ${op} ${limit}`).toBe(expected);
    for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) expect(holds(NaN, op, 0)).toBe(false);
  });
});

describe('distributions', () => {
  it('aggregates exact samples by nearest rank, as the latency histogram does', () => {
    const d = sampleDistribution([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
    expect(['count', 'min', 'max', 'avg', 'med', 'p(90)', 'p(91)', 'p(0)', 'p(100)'].map((a) => d.aggregate(a as never))).toEqual([10, 1, 10, 5.5, 5, 9, 10, 1, 10]);
    const never = sampleDistribution([3, Infinity]);
    expect([never.aggregate('max'), never.aggregate('min'), never.aggregate('avg')]).toEqual([Infinity, 3, Infinity]);
    const empty = sampleDistribution([]);
    expect([empty.aggregate('count'), empty.aggregate('max'), empty.aggregate('p(95)')]).toEqual([0, NaN, NaN]);
  });

  it('reads a latency histogram for any percentile', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    const d = histogramDistribution(h);
    expect(d.aggregate('count')).toBe(100);
    expect(d.aggregate('min')).toBe(1);
    expect(d.aggregate('max')).toBe(100);
    expect(d.aggregate('avg')).toBe(50.5);
    expect(d.aggregate('p(95)')).toBeCloseTo(95, 0);
    expect(d.aggregate('med')).toBe(h.percentile(50));
  });

  it('gives a summary\'s kept figures only, med and p(50) being one', () => {
    const d = summaryDistribution(20, { 'p(50)': 3, 'p(99)': 9 });
    expect([d.aggregate('med'), d.aggregate('p(50)'), d.aggregate('p(99)'), d.aggregate('p(95)'), d.aggregate('count')]).toEqual([3, 3, 9, undefined, 20]);
    expect(summaryDistribution(0, { 'p(99)': 0 }).aggregate('p(99)')).toBeNaN();
  });
});
