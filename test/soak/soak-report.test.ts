import { describe, expect, it } from 'vitest';
import { formatCurve, formatGrowth, growthOf, type SoakSample } from './soak-report';
import { StoredWindows } from './stored-windows';

const sample = (atMin: number, rssMiB: number, fds = 50): SoakSample => ({
  atMin,
  wallS: atMin,
  rssBytes: rssMiB * 1024 * 1024,
  heapBytes: 50 * 1024 * 1024,
  externalBytes: 0,
  fds,
  cloudStoreBytes: 6 * 1024 * 1024,
  cloudDataBytes: 1024 * 1024,
  gatewayStoreBytes: 5 * 1024 * 1024,
  outbox: 0,
  windows: 0,
  uplink: 'up',
  busy: 0.5,
  owed: 0,
});

describe('soak growth', () => {
  // 0 … 20 min in cycles of 3: RSS swings 100–110 MiB (its peak at minutes 1, 4, 7, …) and one peak reaches 115 at 19;
  // warm-up ends at 6, so its last cycle is 4 … 6; the last quarter is 15 … 20.
  const rssAt = (m: number) => (m === 19 ? 115 : m % 3 === 1 ? 110 : 100);
  const samples = Array.from({ length: 21 }, (_, m) => sample(m, rssAt(m), m === 2 ? 99 : 50));

  it('compares peaks with peaks: a cycle swinging 100–110 MiB whose peak reaches 115 grew 4.5%, not the 15% over its trough at 6 min', () => {
    const rss = growthOf(samples, 6, 20, 3).find((g) => g.measure === 'rssBytes')!;
    expect(rss.baseline).toBe(110 * 1024 * 1024);
    expect(rss.lastQuarterMax).toBe(115 * 1024 * 1024);
    expect(rss.growth).toBeCloseTo(5 / 110, 10);
  });

  it('ignores what happened before warm-up\'s last cycle: 99 fds at 2 min count for nothing, 50 against 50 is 0%', () => {
    expect(growthOf(samples, 6, 20, 3).find((g) => g.measure === 'fds')!.growth).toBe(0);
  });

  it('refuses samples that do not reach the last quarter', () => {
    expect(() => growthOf(samples.slice(0, 10), 6, 20, 3)).toThrow('growthOf needs a sample in (3, 6] min and one from 15 min on; got 10 samples');
  });

  it('prints every k-th sample, the end of warm-up marked * and the last quarter marked >, and one table line a measure', () => {
    const curve = formatCurve(samples, 6, 20, 1, 5).split('\n');
    expect(curve.slice(1).map((line) => [line[0], Number(line.slice(1, 8))])).toEqual([[' ', 0], [' ', 5], ['*', 6], [' ', 10], ['>', 15], ['>', 20]]);
    const table = formatGrowth(growthOf(samples, 6, 20, 3), 0.1).split('\n');
    expect(table).toHaveLength(7);
    expect(table[1]).toMatch(/^RSS +110\.0 MiB +115\.0 MiB +4\.5% +ok$/);
    expect(formatGrowth(growthOf(samples, 6, 20, 3), 0.04).split('\n')[1]).toMatch(/4\.5% +FAIL \(limit 4%\)$/);
    expect(table[5]).toMatch(/^cloud data .* shown, not judged$/);
  });
});

describe('the blocks stored windows cover', () => {
  it('covers seq 0 … n−1 once from windows in order, whatever their size', () => {
    const stored = new StoredWindows();
    stored.add({ device: 'pump-1', sensor: 'accel', seq: 0 });
    stored.add({ device: 'pump-1', sensor: 'accel', seq: 1, blocks: 25 });
    stored.add({ device: 'pump-1', sensor: 'accel', seq: 26, blocks: 4 });
    expect(stored.sequences()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 30, minSeq: 0, maxSeq: 29 }]);
    expect(stored.problems()).toEqual([]);
  });

  it('holds a window ahead of a gap until the gap fills, and names the gap while it is open', () => {
    const stored = new StoredWindows();
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 0, blocks: 2 });
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 5, blocks: 2 });
    expect(stored.problems()).toEqual(['fan-1/accel: blocks 2 … 4 missing before 1 stored ranges']);
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 2, blocks: 3 });
    expect(stored.problems()).toEqual([]);
    expect(stored.blocks()).toBe(7);
  });

  it('counts a window that covers a block already covered as a duplicate, behind the watermark or ahead of it', () => {
    const stored = new StoredWindows();
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 0, blocks: 3 });
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 2 });
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 6, blocks: 2 });
    stored.add({ device: 'fan-1', sensor: 'accel', seq: 7 });
    expect(stored.problems()).toEqual(['fan-1/accel: 2 windows stored a block already stored', 'fan-1/accel: blocks 3 … 5 missing before 1 stored ranges']);
    expect(stored.sequences()[0]!.count).toBe(7);
  });
});
