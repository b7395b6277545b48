import { describe, expect, it } from 'vitest';
import { AlertEngine, ThresholdRuleSchema, type FeatureRecord } from '../../../cloud/index';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;

/** A reading of pump-1/accel with the given features, each one 40 ms after the last. */
function reading(features: Record<string, number>, where: { device?: string; sensor?: string } = {}): FeatureRecord {
  const n = seq++;
  return { device: 'pump-1', sensor: 'accel', seq: n, tsMs: T0 + n * 40, windowMs: 40, unit: 'g', features, receivedMs: T0 + n * 40, ...where };
}

const rule = (input: Record<string, unknown>) => ThresholdRuleSchema.parse(input);
/** Feeds rms values through the engine; returns the state changes as "index:state". */
function transitions(engine: AlertEngine, values: number[], where?: { device?: string; sensor?: string }): string[] {
  return values.flatMap((rms, i) => engine.evaluate(reading({ rms }, where)).map((a) => `${i}:${a.state}`));
}

describe('AlertEngine threshold rules', () => {
  it('raises once when the metric crosses above, describing the reading, and stays quiet while it stays above', () => {
    const engine = new AlertEngine([rule({ above: 0.2 })]);
    expect(engine.evaluate(reading({ rms: 0.1 }))).toEqual([]);
    const crossing = reading({ rms: 0.25 });
    expect(engine.evaluate(crossing)).toEqual([
      {
        device: 'pump-1',
        sensor: 'accel',
        rule: 'rms above 0.2',
        severity: 'warning',
        tsMs: crossing.tsMs,
        value: 0.25,
        state: 'raised',
        threshold: 0.2,
        message: 'pump-1/accel rms 0.25 g exceeds 0.2',
      },
    ]);
    expect(transitions(engine, [0.3, 0.21, 0.9, 0.2])).toEqual([]);
  });

  it('does not raise at exactly the threshold: above means strictly greater', () => {
    expect(transitions(new AlertEngine([rule({ above: 0.2 })]), [0.2, 0.2, 0.2000001])).toEqual(['2:raised']);
  });

  it('clears only below the default clearBelow of 0.8 × above (hysteresis)', () => {
    const engine = new AlertEngine([rule({ above: 0.2 })]);
    expect(transitions(engine, [0.25, 0.19, 0.17, 0.161])).toEqual(['0:raised']);
    const [cleared] = engine.evaluate(reading({ rms: 0.15 }));
    expect(cleared).toMatchObject({ state: 'cleared', value: 0.15, threshold: 0.8 * 0.2 });
    expect(cleared!.threshold).toBeCloseTo(0.16, 12);
    expect(cleared!.message).toMatch(/^pump-1\/accel rms 0\.15 g back below 0\.16/);
  });

  it('uses an explicit clearBelow and raises again after clearing', () => {
    const engine = new AlertEngine([rule({ above: 1, clearBelow: 0.5, severity: 'critical', name: 'pump rms' })]);
    expect(transitions(engine, [1.5, 0.7, 0.6, 0.49, 0.9, 1.01, 0.1])).toEqual(['0:raised', '3:cleared', '5:raised', '6:cleared']);
    const [raised] = new AlertEngine([rule({ above: 1, severity: 'critical', name: 'pump rms' })]).evaluate(reading({ rms: 2 }));
    expect(raised).toMatchObject({ rule: 'pump rms', severity: 'critical' });
  });

  it('watches only its device when device is set', () => {
    const engine = new AlertEngine([rule({ above: 0.2, device: 'pump-2' })]);
    expect(transitions(engine, [0.5], { device: 'pump-1' })).toEqual([]);
    expect(transitions(engine, [0.5], { device: 'pump-2' })).toEqual(['0:raised']);
  });

  it('ignores a record that lacks the rule metric, neither raising nor clearing', () => {
    const engine = new AlertEngine([rule({ metric: 'peak', above: 1 })]);
    expect(engine.evaluate(reading({ rms: 5 }))).toEqual([]);
    expect(engine.evaluate(reading({ peak: 2 }))).toMatchObject([{ state: 'raised', rule: 'peak above 1', value: 2 }]);
    expect(engine.evaluate(reading({ rms: 0 }))).toEqual([]);
    expect(engine.evaluate(reading({ peak: 0.5 }))).toMatchObject([{ state: 'cleared' }]);
  });

  it('keeps state per (device, sensor): one alert active does not suppress or clear another', () => {
    const engine = new AlertEngine([rule({ above: 0.2 })]);
    expect(transitions(engine, [0.5], { device: 'pump-1', sensor: 'accel' })).toEqual(['0:raised']);
    expect(transitions(engine, [0.5], { device: 'pump-1', sensor: 'accel-2' })).toEqual(['0:raised']);
    expect(transitions(engine, [0.5], { device: 'pump-2', sensor: 'accel' })).toEqual(['0:raised']);
    expect(transitions(engine, [0.01], { device: 'pump-2', sensor: 'accel' })).toEqual(['0:cleared']);
    expect(transitions(engine, [0.5], { device: 'pump-1', sensor: 'accel' })).toEqual([]);
    expect(transitions(engine, [0.01], { device: 'pump-1', sensor: 'accel-2' })).toEqual(['0:cleared']);
  });

  it('reports the changes of several rules on one record in rule order', () => {
    const engine = new AlertEngine([rule({ above: 0.5, severity: 'critical' }), rule({ above: 0.2 })]);
    expect(engine.evaluate(reading({ rms: 0.6 })).map((a) => `${a.rule}:${a.severity}`)).toEqual(['rms above 0.5:critical', 'rms above 0.2:warning']);
  });
});

describe('ThresholdRuleSchema', () => {
  it('defaults metric to rms and severity to warning, and leaves clearBelow unset', () => {
    expect(rule({ above: 0.2 })).toEqual({ metric: 'rms', above: 0.2, severity: 'warning' });
  });

  it('rejects clearBelow above `above`, at the path clearBelow', () => {
    const result = ThresholdRuleSchema.safeParse({ above: 0.2, clearBelow: 0.3 });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['clearBelow'], message: 'clearBelow must not exceed above' })]);
    expect(ThresholdRuleSchema.safeParse({ above: 0.2, clearBelow: 0.2 }).success).toBe(true);
  });

  it('rejects an unknown key and a severity outside warning/critical', () => {
    expect(ThresholdRuleSchema.safeParse({ above: 1, abve: 2 }).success).toBe(false);
    expect(ThresholdRuleSchema.safeParse({ above: 1, severity: 'fatal' }).success).toBe(false);
  });
});
