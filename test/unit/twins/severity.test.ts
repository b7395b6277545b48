import { describe, expect, it } from 'vitest';
import { fullSeverityAtS, severityAt, type FaultTiming } from '../../../twins/index';

describe('fullSeverityAtS', () => {
  const cases: [string, FaultTiming, number][] = [
    ['a step, at its onset', { atS: 100, severity: 0.4 }, 100],
    ['a ramp, at its end', { atS: 100, rampS: 30, severity: 0.4 }, 130],
    ['exponential growth, 5τ after the onset', { atS: 100, timeConstantS: 20, severity: 0.4 }, 200],
  ];
  it.each(cases)('is when %s reaches its declared severity, and not a moment before', (_name, fault, expected) => {
    expect(fullSeverityAtS(fault)).toBe(expected);
    expect(severityAt(expected, fault)).toBeCloseTo(0.4, 12);
    if (expected > fault.atS) expect(severityAt(expected - 0.5, fault)).toBeLessThan(0.4);
  });
});
