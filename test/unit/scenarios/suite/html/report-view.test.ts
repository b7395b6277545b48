import { describe, expect, it } from 'vitest';
import { readReport } from '../../../../../web/report/report-view';

// The page reads whatever JSON a report carries; every shape must come out drawable, never as an exception.

describe('the report page reads its data defensively', () => {
  it('turns any value into an empty, drawable report that says what it could not read', () => {
    for (const raw of [undefined, null, 0, 'x', [], {}, { results: 'x' }, { results: [null, 1, 'x', []] }, { v: 2 }]) {
      const report = readReport(raw);
      expect(report.title).toBe('twinbed test report');
      expect(Array.isArray(report.tests)).toBe(true);
    }
    expect(readReport(undefined).problems).toEqual(['The report carries no readable data.']);
    expect(readReport({ v: 2, results: [] }).problems[0]).toMatch(/version 2/);
  });

  it('infers what is missing: a status from the last attempt, a title from the result, times from the points', () => {
    const report = readReport({
      v: 1,
      results: [
        { attempts: [{ result: { scenario: 'bare', passed: false, expectations: [{ name: 'x', passed: true, skipped: 'no store' }, { type: 'alert' }] } }] },
        { test: { title: 'errored' }, attempts: [{ status: 'errored', error: 'plain string' }] },
        { test: { title: 'never' }, status: 'interrupted', attempts: 'none' },
        {
          test: { id: 'p.yaml', title: 'points' },
          status: 'passed',
          attempts: [{ status: 'passed', result: { simulatedS: 5, timeline: { faults: [{ atS: 2, fullAtS: 1 }, { device: 'x' }], alerts: [{ atS: 3, state: 'weird' }], series: [{ points: [[4, 1], [1], ['a', 2], [2, 3], [3, null], [9, 4]], thresholds: [1, 'x'] }, {}] } } }],
        },
      ],
    });
    const [bare, errored, never, points] = report.tests;
    expect(bare!.title).toBe('bare');
    expect(bare!.status).toBe('failed');
    expect(bare!.attempts[0]!.result!.expectations.map((e) => e.state)).toEqual(['skipped', 'failed']);
    expect(bare!.attempts[0]!.result!.timeline).toBeUndefined();
    expect(errored!.status).toBe('errored');
    expect(errored!.attempts[0]!.error!.message).toBe('plain string');
    expect(never!.attempts).toEqual([]);
    const timeline = points!.attempts[0]!.result!.timeline!;
    // Points sorted, unreadable ones dropped; a fault's full severity never before its onset; the end covers it all.
    expect(timeline.series[0]!.xs).toEqual([2, 4, 9]);
    expect(timeline.series[0]!.ys).toEqual([3, 1, 4]);
    expect(timeline.series[0]!.thresholds).toEqual([1]);
    expect(timeline.series[1]!.xs).toEqual([]);
    expect(timeline.faults).toEqual([{ id: '/', device: '', type: '', atS: 2, fullAtS: 2 }]);
    expect(timeline.alerts[0]!.state).toBe('raised');
    expect(timeline.endS).toBe(9);
    expect(report.counts).toMatchObject({ failed: 1, errored: 1, interrupted: 1, passed: 1 });
  });
});
