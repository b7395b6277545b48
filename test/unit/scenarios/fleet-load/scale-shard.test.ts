import { describe, expect, it } from 'vitest';
import { FleetLoadError, parseShard, scaledId, scaleFleet, shardRange, sliceFleet } from '../../../../scenarios/index';
import { FaultSchema, MachineSchema, type FleetDefinition } from '../../../../twins/index';

const fleet: FleetDefinition = {
  twins: [MachineSchema.parse({ template: 'pump', id: 'pump-1' }), MachineSchema.parse({ template: 'environment', id: 'hall' }), MachineSchema.parse({ template: 'fan', id: 'fan-1' })],
  faults: [
    FaultSchema.parse({ type: 'imbalance', device: 'pump-1', atS: 10, unbalanceGmm: 5000 }),
    FaultSchema.parse({ type: 'drift', device: 'hall', sensor: 'ambient-temp', atS: 5, ratePerS: 0.01 }),
    FaultSchema.parse({ type: 'stuck', device: 'hall', sensor: 'humidity', atS: 1, forS: 2 }),
  ],
  startTime: '2026-01-01T00:00:00Z',
};

describe('scaled device ids', () => {
  it('are suffixed with the copy number, zero-padded to the width of the scale', () => {
    expect(scaledId('pump-1', 1, 8)).toBe('pump-1-1');
    expect(scaledId('pump-1', 8, 8)).toBe('pump-1-8');
    expect(scaledId('pump-1', 1, 10)).toBe('pump-1-01');
    expect(scaledId('pump-1', 10, 10)).toBe('pump-1-10');
    expect(scaledId('pump-1', 7, 1000)).toBe('pump-1-0007');
    expect(scaledId('pump-1', 1000, 1000)).toBe('pump-1-1000');
    expect(scaledId('pump-1', 42, 10_000)).toBe('pump-1-00042');
  });

  it('stay as written at scale 1', () => {
    expect(scaledId('pump-1', 1, 1)).toBe('pump-1');
    expect(scaleFleet(fleet, 1).twins.map((t) => t.id)).toEqual(['pump-1', 'hall', 'fan-1']);
  });

  it('are refused, naming --scale, when a copy would pass 64 characters', () => {
    const long = { ...fleet, twins: [MachineSchema.parse({ template: 'pump', id: `p${'x'.repeat(58)}` })], faults: [] };
    expect(() => scaleFleet(long, 9)).not.toThrow(); // 59 + "-9" = 61
    expect(() => scaleFleet(long, 100_000)).toThrow(FleetLoadError);
    expect(() => scaleFleet(long, 100_000)).toThrow(/--scale 100000 makes twin id "px+" into "px+-100000", 66 characters; ids are at most 64/);
  });
});

describe('scaleFleet', () => {
  const scaled = scaleFleet(fleet, 3);

  it('lists copy by copy, every twin of a copy together, with its template and parameters', () => {
    expect(scaled.twins.map((t) => t.id)).toEqual(['pump-1-1', 'hall-1', 'fan-1-1', 'pump-1-2', 'hall-2', 'fan-1-2', 'pump-1-3', 'hall-3', 'fan-1-3']);
    expect(scaled.twins.map((t) => t.template)).toEqual(['pump', 'environment', 'fan', 'pump', 'environment', 'fan', 'pump', 'environment', 'fan']);
    expect(scaled.twins[3]).toEqual({ ...fleet.twins[0], id: 'pump-1-2' });
  });

  it('gives every copy its own copy of the faults on its twin', () => {
    for (const copy of [1, 2, 3]) {
      expect(scaled.faults.filter((f) => f.device === `pump-1-${copy}`)).toEqual([{ ...fleet.faults[0], device: `pump-1-${copy}` }]);
      expect(scaled.faults.filter((f) => f.device === `hall-${copy}`)).toEqual([
        { ...fleet.faults[1], device: `hall-${copy}` },
        { ...fleet.faults[2], device: `hall-${copy}` },
      ]);
    }
    expect(scaled.faults).toHaveLength(9);
    expect(scaled.startTime).toBe(fleet.startTime);
  });
});

describe('shards', () => {
  it('read i/n, 1-based, and refuse what is not a shard of n', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
    expect(() => parseShard('5/4')).toThrow('the shard i must be between 1 and 4, got 5');
    expect(() => parseShard('0/4')).toThrow('the shard i must be between 1 and 4, got 0');
    expect(() => parseShard('1/0')).toThrow('the shard count n must be at least 1, got 0');
    expect(() => parseShard('2')).toThrow('expected i/n, e.g. 2/4, got "2"');
    expect(() => parseShard('a/b')).toThrow('expected i/n');
  });

  it('split a list as Playwright does: contiguous, sizes within one, larger slices first', () => {
    expect([1, 2, 3, 4].map((index) => shardRange(10, { index, total: 4 }))).toEqual([
      { from: 0, to: 3 },
      { from: 3, to: 6 },
      { from: 6, to: 8 },
      { from: 8, to: 10 },
    ]);
    expect([1, 2, 3].map((index) => shardRange(2, { index, total: 3 }))).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 2 },
    ]);
  });

  it('together take every device of the scaled fleet exactly once, at its place in the whole list', () => {
    for (const [scale, total] of [[1, 1], [1, 2], [3, 4], [8, 4], [7, 5], [10, 3]] as const) {
      const whole = scaleFleet(fleet, scale);
      const slices = Array.from({ length: total }, (_, i) => sliceFleet(fleet, { scale, shard: { index: i + 1, total } }));
      expect(slices.flatMap((s) => s.definition.twins)).toEqual(whole.twins);
      expect(slices.flatMap((s) => s.definition.faults).sort(byDevice)).toEqual([...whole.faults].sort(byDevice));
      for (const slice of slices) {
        expect(slice.total).toBe(whole.twins.length);
        slice.definition.twins.forEach((twin, i) => expect(slice.indexOf(twin.id)).toBe(slice.from + i));
        for (const fault of slice.definition.faults) expect(slice.definition.twins.some((t) => t.id === fault.device)).toBe(true);
      }
    }
  });

  it('know only their own devices', () => {
    const slice = sliceFleet(fleet, { scale: 4, shard: { index: 2, total: 2 } });
    expect(slice.indexOf('pump-1-3')).toBe(6);
    expect(() => slice.indexOf('pump-1-1')).toThrow('device "pump-1-1" is not in this slice of the fleet');
  });
});

function byDevice(a: { device: string; type: string }, b: { device: string; type: string }): number {
  return a.device.localeCompare(b.device) || a.type.localeCompare(b.type);
}
