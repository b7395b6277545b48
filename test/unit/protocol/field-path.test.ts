import { describe, expect, it } from 'vitest';
import { formatFieldPath } from '../../../protocol/index';

describe('formatFieldPath', () => {
  it.each([
    [[], ''],
    [['seq'], 'seq'],
    [['twins', 0, 'speedRpm'], 'twins[0].speedRpm'],
    [['values', 2], 'values[2]'],
    [['m', 0, 1], 'm[0][1]'],
    [[3, 'a'], '[3].a'],
    [['features', 'kurtosis'], 'features.kurtosis'],
  ] as const)('formats %j as %j', (path, expected) => {
    expect(formatFieldPath(path)).toBe(expected);
  });
});
