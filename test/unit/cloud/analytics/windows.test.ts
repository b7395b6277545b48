import { describe, expect, it } from 'vitest';
import { WindowAggregator, WindowSpecSchema, type KeyedWindowResult, type WindowSpec } from '../../../../cloud/analytics/index';

/** 2026-01-01T00:00:00Z: a multiple of every window size used here, so windows align to whole seconds from it. */
const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;
const spec = (input: Record<string, unknown>): WindowSpec => WindowSpecSchema.parse(input);

/** Windows as [startS, endS, value, count] (plus `update` when set), seconds from T0: easy to compare with hand sums. */
const brief = (windows: KeyedWindowResult[]) =>
  windows.map((w) => [(w.startMs - T0) / 1000, (w.endMs - T0) / 1000, w.value, w.count, ...(w.update ? ['update'] : [])]);

/** Feeds [seconds, value] records for one key; returns every window emitted and the late count. */
function feed(agg: WindowAggregator, records: [number, number][], key = 'pump-1/temp') {
  const windows: KeyedWindowResult[] = [];
  let late = 0;
  for (const [t, v] of records) {
    const out = agg.add(key, s(t), v);
    windows.push(...out.windows);
    late += out.late;
  }
  return { windows: brief(windows), late };
}

describe('tumbling windows', () => {
  it('emits [0, 10) with its mean once a record at 10 s moves the watermark past its end, and the next on advance', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean' }));
    expect(feed(agg, [[1, 2], [4, 4], [9, 6]])).toEqual({ windows: [], late: 0 });
    expect(feed(agg, [[10, 10]])).toEqual({ windows: [[0, 10, 4, 3]], late: 0 });
    expect(brief(agg.advance(s(19.999)).windows)).toEqual([]);
    expect(brief(agg.advance(s(20)).windows)).toEqual([[10, 20, 10, 1]]);
  });

  it('folds a window with each aggregate: mean, min, max, last (latest event time), count, p95 (nearest rank)', () => {
    // Values 1..20 at times 0.0..1.9 s, fed in a scrambled order: the result must not depend on arrival order.
    const order = [7, 19, 0, 13, 4, 16, 1, 10, 18, 3, 12, 6, 15, 9, 2, 17, 11, 5, 14, 8];
    const results = ['mean', 'min', 'max', 'last', 'count', 'p95'].map((a) => {
      const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: a, allowedLatenessS: 5 }));
      for (const i of order) agg.add('k', s(i / 10), i + 1);
      return agg.advance(s(15)).windows[0]!.value;
    });
    // p95 of 20 values: rank ⌈0.95 × 20⌉ = 19 → 19.
    expect(results).toEqual([10.5, 1, 20, 20, 20, 19]);
  });

  it('sums in event-time order, so out-of-order arrival within lateness gives bit-identical means', () => {
    const inOrder = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean', allowedLatenessS: 10 }));
    const shuffled = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean', allowedLatenessS: 10 }));
    feed(inOrder, [[1, 0.1], [2, 0.2], [3, 0.3]]);
    feed(shuffled, [[3, 0.3], [2, 0.2], [1, 0.1]]);
    const a = inOrder.advance(s(30)).windows[0]!.value;
    const b = shuffled.advance(s(30)).windows[0]!.value;
    expect(b).toBe(a);
    expect(a).toBe((0.1 + 0.2 + 0.3) / 3);
  });

  it('waits allowedLatenessS behind the latest record, so an out-of-order record still lands in its window', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean', allowedLatenessS: 5 }));
    expect(feed(agg, [[1, 1], [12, 10]])).toEqual({ windows: [], late: 0 });
    expect(agg.watermark('pump-1/temp')).toBe(s(7));
    expect(feed(agg, [[8, 3]])).toEqual({ windows: [], late: 0 });
    expect(feed(agg, [[14.999, 11]])).toEqual({ windows: [], late: 0 });
    expect(feed(agg, [[15, 12]])).toEqual({ windows: [[0, 10, 2, 2]], late: 0 });
  });

  it('drops a record whose window already closed (late: drop), counts it, and keeps it out of later windows', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean' }));
    expect(feed(agg, [[1, 1], [12, 10]])).toEqual({ windows: [[0, 10, 1, 1]], late: 0 });
    expect(feed(agg, [[5, 100]])).toEqual({ windows: [], late: 1 });
    expect(brief(agg.advance(s(20)).windows)).toEqual([[10, 20, 10, 1]]);
  });

  it('re-emits the corrected window marked update (late: update) until updateForS past its end, then drops', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'mean', late: 'update', updateForS: 10 }));
    expect(feed(agg, [[1, 1], [12, 10]])).toEqual({ windows: [[0, 10, 1, 1]], late: 0 });
    expect(feed(agg, [[5, 100]])).toEqual({ windows: [[0, 10, 50.5, 2, 'update']], late: 0 });
    // Watermark 20 = end 10 + updateForS 10: [0, 10) is final now.
    expect(feed(agg, [[20, 0]])).toEqual({ windows: [[10, 20, 10, 1]], late: 0 });
    expect(feed(agg, [[3, 7]])).toEqual({ windows: [], late: 1 });
  });

  it('rounds lengths to whole milliseconds, so a 1.1 s window closes at exactly 1100 ms', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 1.1, agg: 'count' }));
    agg.add('k', 1000, 0);
    expect(agg.advance(1100).windows).toEqual([{ key: 'k', startMs: 0, endMs: 1100, value: 1, count: 1, update: false }]);
  });

  it('keeps a watermark per key: one device\'s records do not close another\'s window, advance does', () => {
    const agg = new WindowAggregator(spec({ type: 'tumbling', sizeS: 10, agg: 'max' }));
    agg.add('pump-1/temp', s(1), 5);
    expect(agg.add('pump-2/temp', s(100), 7).windows).toEqual([]);
    expect(agg.add('pump-1/temp', s(3), 6).late).toBe(0);
    expect(agg.advance(s(10)).windows).toEqual([{ key: 'pump-1/temp', startMs: s(0), endMs: s(10), value: 6, count: 2, update: false }]);
  });
});

describe('hopping windows', () => {
  it('puts each record in size/hop overlapping windows and emits them in start order', () => {
    const agg = new WindowAggregator(spec({ type: 'hopping', sizeS: 10, hopS: 5, agg: 'mean' }));
    // t=1 → [-5,5) [0,10); t=6 → [0,10) [5,15); t=11 → [5,15) [10,20).
    expect(feed(agg, [[1, 2], [6, 4]])).toEqual({ windows: [[-5, 5, 2, 1]], late: 0 });
    expect(feed(agg, [[11, 6]])).toEqual({ windows: [[0, 10, 3, 2]], late: 0 });
    expect(brief(agg.advance(s(30)).windows)).toEqual([
      [5, 15, 5, 2],
      [10, 20, 6, 1],
    ]);
  });

  it('takes a late record into its still-open window while the closed one misses it (counted late)', () => {
    const agg = new WindowAggregator(spec({ type: 'hopping', sizeS: 10, hopS: 5, agg: 'count' }));
    feed(agg, [[1, 0], [10, 0]]);
    // Watermark 10: [0,10) closed; t=7 also belongs to [5,15), still open.
    expect(feed(agg, [[7, 0]])).toEqual({ windows: [], late: 1 });
    expect(brief(agg.advance(s(15)).windows)).toEqual([[5, 15, 2, 2]]);
  });
});

describe('sliding windows', () => {
  it('emits one window per record over the trailing size (t − 10 s, t]', () => {
    const agg = new WindowAggregator(spec({ type: 'sliding', sizeS: 10, agg: 'max' }));
    expect(feed(agg, [[0, 5], [4, 3], [9, 1], [12, 2], [20, 0]]).windows).toEqual([
      [-10, 0, 5, 1],
      [-6, 4, 5, 2],
      [-1, 9, 5, 3],
      [2, 12, 3, 3],
      [10, 20, 2, 2],
    ]);
  });

  it('holds windows until the watermark reaches them, so an out-of-order record counts in a window emitted after it', () => {
    const agg = new WindowAggregator(spec({ type: 'sliding', sizeS: 10, agg: 'max', allowedLatenessS: 2 }));
    expect(feed(agg, [[0, 1], [3, 2]]).windows).toEqual([[-10, 0, 1, 1]]);
    expect(feed(agg, [[2, 10]]).windows).toEqual([]);
    expect(feed(agg, [[5, 0]]).windows).toEqual([
      [-8, 2, 10, 2],
      [-7, 3, 10, 3],
    ]);
  });

  it('drops a record behind the watermark, or with late: update re-emits each window it belongs to', () => {
    const drop = new WindowAggregator(spec({ type: 'sliding', sizeS: 10, agg: 'max' }));
    feed(drop, [[0, 1], [4, 2], [8, 3]]);
    expect(feed(drop, [[3, 9]])).toEqual({ windows: [], late: 1 });

    const update = new WindowAggregator(spec({ type: 'sliding', sizeS: 10, agg: 'max', late: 'update' }));
    feed(update, [[0, 1], [4, 2], [8, 3]]);
    // Its own window (−7, 3] and the emitted ones it falls in, (−6, 4] and (−2, 8]; not (−10, 0].
    expect(feed(update, [[3, 9]])).toEqual({
      windows: [
        [-7, 3, 9, 2, 'update'],
        [-6, 4, 9, 3, 'update'],
        [-2, 8, 9, 4, 'update'],
      ],
      late: 0,
    });
  });
});

describe('session windows', () => {
  it('groups records closer than the gap and ends a session a gap after its last record', () => {
    const agg = new WindowAggregator(spec({ type: 'session', gapS: 5, agg: 'mean' }));
    expect(feed(agg, [[0, 1], [2, 2], [4, 6], [20, 10]]).windows).toEqual([[0, 9, 3, 3]]);
    expect(feed(agg, [[24.9, 20]]).windows).toEqual([]);
    expect(brief(agg.advance(s(29.9)).windows)).toEqual([[20, 29.9, 15, 2]]);
  });

  it('merges two sessions when an out-of-order record bridges them', () => {
    const agg = new WindowAggregator(spec({ type: 'session', gapS: 5, agg: 'count', allowedLatenessS: 10 }));
    feed(agg, [[0, 0], [8, 0]]);
    expect(feed(agg, [[4, 0]]).windows).toEqual([]);
    expect(brief(agg.advance(s(22.999)).windows)).toEqual([]);
    expect(brief(agg.advance(s(23)).windows)).toEqual([[0, 13, 3, 3]]);
  });

  it('drops a record that would extend an emitted session, or with late: update re-emits the extended session within updateForS', () => {
    const drop = new WindowAggregator(spec({ type: 'session', gapS: 5, agg: 'count' }));
    expect(feed(drop, [[0, 0], [2, 0], [20, 0]]).windows).toEqual([[0, 7, 2, 2]]);
    expect(feed(drop, [[4, 0]])).toEqual({ windows: [], late: 1 });

    const update = new WindowAggregator(spec({ type: 'session', gapS: 5, agg: 'count', late: 'update', updateForS: 20 }));
    feed(update, [[0, 0], [2, 0], [20, 0]]);
    expect(feed(update, [[4, 0]])).toEqual({ windows: [[0, 9, 3, 3, 'update']], late: 0 });

    // By default corrections are taken for one gap (5 s) past the end: the extended end 9 + 5 is behind watermark 20.
    const byDefault = new WindowAggregator(spec({ type: 'session', gapS: 5, agg: 'count', late: 'update' }));
    feed(byDefault, [[0, 0], [2, 0], [20, 0]]);
    expect(feed(byDefault, [[4, 0]])).toEqual({ windows: [], late: 1 });
  });
});
