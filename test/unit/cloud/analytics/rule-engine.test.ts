import { describe, expect, it } from 'vitest';
import { DuplicateRuleError, RuleEngine, type RuleOutput } from '../../../../cloud/analytics/index';
import type { AlertEntry } from '../../../../cloud/records';
import { AlertEngine, ThresholdRuleSchema, type RuleInput } from '../../../../protocol/index';
import { rules, s, T0, transitions, windowAt } from './engine-support';

/** Feeds a series of one feature, one record a second from `fromS`; returns every output's transitions, flattened. */
function series(engine: RuleEngine, metric: string, values: number[], fromS = 0): string[] {
  return values.flatMap((v, i) => transitions(engine.onWindow(windowAt(fromS + i, { [metric]: v }))));
}

describe('RuleEngine: above rules mean what AlertEngine means', () => {
  it('gives AlertEngine\'s exact changes, message for message, over a mixed sequence of devices, sensors and metrics', () => {
    const configs = [{ above: 0.2 }, { above: 1, clearBelow: 0.5, severity: 'critical', name: 'pump rms' }, { metric: 'peak', above: 2, device: 'pump-2' }, { metric: 'crest', above: 6, sensor: 'accel' }];
    const edge = new AlertEngine(configs.map((c) => ThresholdRuleSchema.parse(c)));
    const cloud = new RuleEngine(rules(...configs));
    const where = [
      ['pump-1', 'accel', 'g'],
      ['pump-2', 'accel', 'g'],
      ['pump-2', 'velocity', 'mm/s'],
    ] as const;
    const rms = [0.1, 0.25, 0.3, 0.17, 0.15, 1.5, 0.7, 0.49, 0.2, 0.21, 0.9, 1.01, 0.05];
    let expectedCount = 0;
    rms.forEach((value, i) => {
      const [device, sensor, unit] = where[i % 3]!;
      const record: RuleInput = { device, sensor, unit, tsMs: s(i), features: { rms: value, peak: value * 3, crest: value * 12 } };
      const expected = edge.evaluate(record);
      expectedCount += expected.length;
      const out = cloud.onWindow({ site: 'plant-a', ...record });
      expect(out.changes).toEqual(expected.map((c) => ({ ...c, kind: 'alert' })));
    });
    expect(expectedCount).toBeGreaterThan(8);
  });

  it('takes ThresholdRules without a type as above rules, with the message and hysteresis of today', () => {
    const engine = new RuleEngine([ThresholdRuleSchema.parse({ above: 0.2 })]);
    const raised = engine.onWindow(windowAt(0, { rms: 0.25 }, { sensor: 'accel', unit: 'g' }));
    expect(raised.changes).toMatchObject([{ rule: 'rms above 0.2', state: 'raised', message: 'pump-1/accel rms 0.25 g exceeds 0.2' }]);
    expect(engine.onWindow(windowAt(1, { rms: 0.17 }, { sensor: 'accel', unit: 'g' })).changes).toEqual([]);
    expect(engine.onWindow(windowAt(2, { rms: 0.15 }, { sensor: 'accel', unit: 'g' })).changes).toMatchObject([
      { state: 'cleared', message: 'pump-1/accel rms 0.15 g back below 0.16' },
    ]);
  });

  it('refuses two rules with the same name, because their alerts would share ids', () => {
    expect(() => new RuleEngine(rules({ above: 0.2 }, { above: 0.2, severity: 'critical' }))).toThrow(DuplicateRuleError);
    expect(() => new RuleEngine(rules({ above: 0.2 }, { above: 0.2, severity: 'critical' }))).toThrow(/rules\[0\] and rules\[1\] are both named "rms above 0.2"/);
  });
});

describe('RuleEngine: rule types', () => {
  it('below: raises under `below` and clears above below + 20 % by default', () => {
    const engine = new RuleEngine(rules({ type: 'below', metric: 'mean', below: 5 }));
    expect(series(engine, 'mean', [6, 4.9, 5.5, 5.9, 6.1, 4])).toEqual(['mean below 5:raised@1', 'mean below 5:cleared@4', 'mean below 5:raised@5']);
    const engine2 = new RuleEngine(rules({ type: 'below', metric: 'mean', below: 5 }));
    const [raised] = engine2.onWindow(windowAt(0, { mean: 4.9 })).changes;
    expect(raised).toMatchObject({ value: 4.9, threshold: 5, message: 'pump-1/temp-bearing mean 4.9 degC is below 5', kind: 'alert' });
    expect(engine2.onWindow(windowAt(1, { mean: 6.1 })).changes).toMatchObject([{ threshold: 6, message: 'pump-1/temp-bearing mean 6.1 degC back above 6' }]);
  });

  it('band: raises outside [low, high], stays raised while outside on either side, clears inside the margin', () => {
    const engine = new RuleEngine(rules({ type: 'band', metric: 'mean', low: 20, high: 80 }));
    const outs = [50, 81, 75, 10, 73.9].map((v, i) => engine.onWindow(windowAt(i, { mean: v })).changes);
    expect(outs.map((c) => c.map((x) => x.state))).toEqual([[], ['raised'], [], [], ['cleared']]);
    expect(outs[1]![0]).toMatchObject({ threshold: 80, message: 'pump-1/temp-bearing mean 81 degC outside 20..80' });
    // Default margin 0.1 × (80 − 20) = 6: back inside 26..74; raised on the high side, so 74 is the threshold crossed.
    expect(outs[4]![0]).toMatchObject({ threshold: 74, message: 'pump-1/temp-bearing mean 73.9 degC back inside 26..74' });
  });

  it('rate: raises when |Δvalue|/Δt between consecutive records exceeds maxPerS, and ignores a record older than the last', () => {
    const engine = new RuleEngine(rules({ type: 'rate', metric: 'mean', maxPerS: 2 }));
    expect(engine.onWindow(windowAt(0, { mean: 50 })).changes).toEqual([]);
    expect(engine.onWindow(windowAt(1, { mean: 51 })).changes).toEqual([]);
    const raised = engine.onWindow(windowAt(2, { mean: 54 }));
    expect(raised.changes).toEqual([
      {
        device: 'pump-1',
        sensor: 'temp-bearing',
        rule: 'mean rate above 2/s',
        severity: 'warning',
        tsMs: s(2),
        value: 3,
        state: 'raised',
        threshold: 2,
        message: 'pump-1/temp-bearing mean changing 3 degC/s exceeds 2',
        kind: 'alert',
      },
    ]);
    expect(engine.onWindow(windowAt(1.5, { mean: 0 }))).toEqual({ changes: [], commands: [], late: 1 });
    // 54 → 55 over 2 s: 0.5/s, under the default clear level 0.8 × 2 = 1.6.
    expect(engine.onWindow(windowAt(4, { mean: 55 })).changes).toMatchObject([{ state: 'cleared', value: 0.5, threshold: 1.6 }]);
  });

  it('for: raises only after the condition held unbroken for forS, and ignores a record older than the last', () => {
    const engine = new RuleEngine(rules({ type: 'for', metric: 'mean', above: 90, forS: 60 }));
    for (const t of [0, 10, 20, 30, 40, 50]) expect(engine.onWindow(windowAt(t, { mean: 95 })).changes).toEqual([]);
    const out = engine.onWindow(windowAt(60, { mean: 96 }));
    expect(out.changes).toMatchObject([{ state: 'raised', tsMs: s(60), value: 96, threshold: 90, message: 'pump-1/temp-bearing mean 96 degC exceeds 90 for 60 s' }]);
    expect(engine.onWindow(windowAt(80, { mean: 80 })).changes).toEqual([]);
    // Older than the last record: a duration rule cannot use it, and says so.
    expect(engine.onWindow(windowAt(75, { mean: 10 }))).toEqual({ changes: [], commands: [], late: 1 });
    expect(engine.onWindow(windowAt(90, { mean: 71 })).changes).toMatchObject([{ state: 'cleared', threshold: 72, message: 'pump-1/temp-bearing mean 71 degC back below 72' }]);
  });

  it('for: a break in the condition restarts the clock, and advance raises once the duration is reached', () => {
    const engine = new RuleEngine(rules({ type: 'for', metric: 'mean', above: 90, forS: 60 }));
    engine.onWindow(windowAt(0, { mean: 95 }));
    engine.onWindow(windowAt(30, { mean: 85 }));
    engine.onWindow(windowAt(40, { mean: 95 }));
    expect(engine.advance(s(99.999)).changes).toEqual([]);
    expect(transitions(engine.advance(s(130)))).toEqual(['mean above 90 for 60 s:raised@100']);
    expect(engine.advance(s(200)).changes).toEqual([]);
  });

  it('for with below: raises after the value stayed under `below` for forS', () => {
    const engine = new RuleEngine(rules({ type: 'for', metric: 'mean', below: 5, forS: 10 }));
    expect(series(engine, 'mean', [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4.5])).toEqual(['mean below 5 for 10 s:raised@10']);
  });

  it('absent: raises once a device has been silent for timeoutS, stamped when the timeout ran out, and clears on data', () => {
    const engine = new RuleEngine(rules({ type: 'absent', timeoutS: 30 }));
    engine.onWindow(windowAt(0, { mean: 1 }));
    engine.onWindow(windowAt(10, { mean: 1 }));
    expect(engine.advance(s(39.999)).changes).toEqual([]);
    expect(engine.advance(s(45)).changes).toEqual([
      { device: 'pump-1', rule: 'no data for 30 s', severity: 'warning', tsMs: s(40), value: 30, state: 'raised', threshold: 30, message: 'pump-1 no data for 30 s', kind: 'absent' },
    ]);
    expect(engine.advance(s(50)).changes).toEqual([]);
    expect(engine.onWindow(windowAt(55, { mean: 1 })).changes).toMatchObject([{ state: 'cleared', value: 45, tsMs: s(55), message: 'pump-1 data resumed after 45 s' }]);
  });

  it('absent: watches a named device from the first event time seen, so one that never sends is caught', () => {
    const engine = new RuleEngine(rules({ type: 'absent', timeoutS: 30, device: 'pump-9' }));
    engine.onWindow(windowAt(0, { mean: 1 }));
    expect(transitions(engine.advance(s(31)))).toEqual(['no data for 30 s:raised@30']);
    expect(engine.advance(s(31)).changes).toEqual([]);
  });

  it('absent with a sensor: only that sensor\'s windows keep it quiet', () => {
    const engine = new RuleEngine(rules({ type: 'absent', timeoutS: 30, sensor: 'temp-bearing' }));
    engine.onWindow(windowAt(0, { mean: 1 }));
    engine.onWindow(windowAt(20, { rms: 1 }, { sensor: 'accel', unit: 'g' }));
    expect(engine.advance(s(30)).changes).toMatchObject([{ device: 'pump-1', sensor: 'temp-bearing', tsMs: s(30), message: 'pump-1/temp-bearing no data for 30 s' }]);
  });

  it('absent: a gateway\'s last will raises for every device heard through it; coming online clears nothing, data does', () => {
    const engine = new RuleEngine(rules({ type: 'absent', timeoutS: 300 }));
    engine.onWindow(windowAt(0, { mean: 1 }, { device: 'pump-1', gateway: 'gw-1' }));
    engine.onWindow(windowAt(1, { mean: 1 }, { device: 'pump-2', gateway: 'gw-1' }));
    engine.onWindow(windowAt(2, { mean: 1 }, { device: 'pump-3', gateway: 'gw-2' }));
    const offline = engine.onPresence({ device: 'gw-1', online: false, tsMs: s(10) });
    expect(offline.changes.map((c) => [c.device, c.state, c.tsMs, c.value, c.message])).toEqual([
      ['pump-1', 'raised', s(10), 10, 'pump-1 went offline (gateway gw-1)'],
      ['pump-2', 'raised', s(10), 9, 'pump-2 went offline (gateway gw-1)'],
    ]);
    expect(engine.onPresence({ device: 'gw-1', online: true, tsMs: s(20) }).changes).toEqual([]);
    expect(engine.onPresence({ device: 'pump-3', online: false, tsMs: s(20) }).changes).toMatchObject([{ device: 'pump-3', message: 'pump-3 went offline' }]);
    expect(transitions(engine.onWindow(windowAt(25, { mean: 1 }, { device: 'pump-2', gateway: 'gw-1' })))).toEqual(['no data for 300 s:cleared@25']);
  });

  it('anomaly: raises when the score exceeds the model\'s threshold carried with it, or an explicit `above`', () => {
    const engine = new RuleEngine(rules({ type: 'anomaly', sensor: 'accel' }, { type: 'anomaly', above: 0.95, severity: 'critical' }));
    const at = (t: number, score: number | undefined) =>
      engine.onWindow(windowAt(t, { rms: 0.1 }, { sensor: 'accel', unit: 'g', ...(score !== undefined ? { score, scoreThreshold: 0.7 } : {}) }));
    expect(at(0, 0.5).changes).toEqual([]);
    expect(at(1, 0.9).changes).toEqual([
      { device: 'pump-1', sensor: 'accel', rule: 'anomaly score', severity: 'warning', tsMs: s(1), value: 0.9, state: 'raised', threshold: 0.7, message: 'pump-1/accel anomaly score 0.9 exceeds 0.7', kind: 'anomaly' },
    ]);
    expect(at(2, undefined).changes).toEqual([]);
    expect(transitions(at(3, 0.96))).toEqual(['anomaly score above 0.95:raised@3']);
    // 0.8 × 0.7 = 0.56 for the first rule; 0.8 × 0.95 = 0.76 for the second.
    expect(at(4, 0.6).changes.map((c) => `${c.rule}:${c.state}:${c.threshold}`)).toEqual(['anomaly score above 0.95:cleared:0.76']);
    expect(transitions(at(5, 0.5))).toEqual(['anomaly score:cleared@5']);
  });
});

describe('RuleEngine: rules on windows', () => {
  const windowed = (late: 'drop' | 'update' = 'drop') =>
    new RuleEngine(rules({ metric: 'temp', above: 90, sensor: 'temp-bearing', window: { type: 'tumbling', sizeS: 10, agg: 'mean', late } }));

  it('judges the window mean when the window closes, not each record, stamped with the window end', () => {
    const engine = windowed();
    expect(engine.onWindow(windowAt(1, { temp: 88 })).changes).toEqual([]);
    expect(engine.onWindow(windowAt(5, { temp: 96 })).changes).toEqual([]);
    const out = engine.onWindow(windowAt(11, { temp: 70 }));
    expect(out.changes).toEqual([
      { device: 'pump-1', sensor: 'temp-bearing', rule: 'mean(temp) above 90', severity: 'warning', tsMs: s(10), value: 92, state: 'raised', threshold: 90, message: 'pump-1/temp-bearing mean(temp) 92 degC exceeds 90', kind: 'alert' },
    ]);
    expect(transitions(engine.advance(s(20)))).toEqual(['mean(temp) above 90:cleared@20']);
  });

  it('counts a record dropped from a closed window as late in the output', () => {
    const engine = windowed();
    engine.onWindow(windowAt(1, { temp: 88 }));
    engine.onWindow(windowAt(11, { temp: 88 }));
    expect(engine.onWindow(windowAt(3, { temp: 200 }))).toEqual({ changes: [], commands: [], late: 1 });
  });

  it('re-judges a corrected latest window (late: update), but not a correction of an older one', () => {
    const engine = windowed('update');
    engine.onWindow(windowAt(1, { temp: 88 }));
    expect(engine.onWindow(windowAt(11, { temp: 70 })).changes).toEqual([]);
    // [0, 10) is now (88 + 100) / 2 = 94: the latest judged window, corrected → raised at its end.
    expect(engine.onWindow(windowAt(3, { temp: 100 })).changes).toMatchObject([{ state: 'raised', tsMs: s(10), value: 94 }]);
    expect(engine.onWindow(windowAt(21, { temp: 80 })).changes).toMatchObject([{ state: 'cleared', tsMs: s(20), value: 70 }]);
    // A correction of [0, 10) now, after [10, 20) was judged, cannot change the present state.
    expect(engine.onWindow(windowAt(4, { temp: 500 })).changes).toEqual([]);
  });

  it('computes a rate rule\'s Δt between window ends', () => {
    const engine = new RuleEngine(rules({ type: 'rate', metric: 'temp', maxPerS: 0.5, window: { type: 'tumbling', sizeS: 10, agg: 'max' } }));
    engine.onWindow(windowAt(1, { temp: 50 }));
    engine.onWindow(windowAt(12, { temp: 54 }));
    // max 50 at end 10, max 60 at end 20: 10 degC / 10 s = 1/s.
    engine.onWindow(windowAt(15, { temp: 60 }));
    expect(engine.advance(s(20)).changes).toMatchObject([{ state: 'raised', tsMs: s(20), value: 1, message: 'pump-1/temp-bearing max(temp) changing 1 degC/s exceeds 0.5' }]);
  });
});

describe('RuleEngine: restarts and order', () => {
  const openEntry = (overrides: Partial<AlertEntry>): AlertEntry => ({
    id: 'al-1',
    rule: 'rms above 0.2',
    device: 'pump-1',
    sensor: 'accel',
    kind: 'alert',
    origin: 'cloud',
    severity: 'warning',
    state: 'raised',
    raisedMs: T0,
    updatedMs: T0,
    value: 0.3,
    threshold: 0.2,
    message: 'm',
    history: [],
    ...overrides,
  });
  const accel = (t: number, rms: number) => windowAt(t, { rms }, { sensor: 'accel', unit: 'g' });

  it('does not raise again an alert a previous run left open (any open state), and clears it when due', () => {
    for (const state of ['raised', 'acknowledged', 'shelved'] as const) {
      const engine = new RuleEngine(rules({ above: 0.2 }));
      engine.restore([openEntry({ state })]);
      expect(engine.onWindow(accel(1, 0.5)).changes).toEqual([]);
      expect(transitions(engine.onWindow(accel(2, 0.1)))).toEqual(['rms above 0.2:cleared@2']);
    }
  });

  it('ignores edge alerts, cleared ones and other devices when restoring', () => {
    const engine = new RuleEngine(rules({ above: 0.2 }));
    engine.restore([openEntry({ origin: 'edge' }), openEntry({ state: 'cleared' }), openEntry({ device: 'pump-2' })]);
    expect(transitions(engine.onWindow(accel(1, 0.5)))).toEqual(['rms above 0.2:raised@1']);
  });

  it('restores absent, for and rate alerts too, so each clears instead of raising twice', () => {
    const engine = new RuleEngine(
      rules({ type: 'absent', timeoutS: 30 }, { type: 'for', metric: 'mean', above: 90, forS: 10 }, { type: 'rate', metric: 'mean', maxPerS: 10 }),
    );
    engine.restore([
      openEntry({ rule: 'no data for 30 s', sensor: undefined, kind: 'absent', raisedMs: s(-20) }),
      openEntry({ rule: 'mean above 90 for 10 s', sensor: 'temp-bearing' }),
      openEntry({ rule: 'mean rate above 10/s', sensor: 'temp-bearing' }),
    ]);
    expect(transitions(engine.onWindow(windowAt(0, { mean: 95 })))).toEqual(['no data for 30 s:cleared@0']);
    // 95 → 100 over 20 s is 0.25/s, under 0.8 × 10: the restored rate alert clears; the restored for alert, still above 90, stays.
    expect(transitions(engine.onWindow(windowAt(20, { mean: 100 })))).toEqual(['mean rate above 10/s:cleared@20']);
    expect(transitions(engine.onWindow(windowAt(30, { mean: 50 })))).toEqual(['mean above 90 for 10 s:cleared@30']);
  });

  it('restores a band alert on the side its value was, so it clears at that side\'s level', () => {
    const engine = new RuleEngine(rules({ type: 'band', metric: 'mean', low: 20, high: 80 }));
    engine.restore([openEntry({ rule: 'mean outside 20..80', sensor: 'temp-bearing', value: 10, threshold: 20 })]);
    expect(engine.onWindow(windowAt(0, { mean: 5 })).changes).toEqual([]);
    expect(engine.onWindow(windowAt(1, { mean: 30 })).changes).toMatchObject([{ state: 'cleared', threshold: 26 }]);
  });

  it('reports one record\'s changes in rule order, and the same inputs give the same outputs', () => {
    const config = rules({ above: 0.5, severity: 'critical' }, { type: 'absent', timeoutS: 5 }, { above: 0.2 }, { type: 'rate', maxPerS: 0.01 });
    const run = () => {
      const engine = new RuleEngine(config);
      const outputs: RuleOutput[] = [engine.onWindow(accel(0, 0.1)), engine.advance(s(10)), engine.onWindow(accel(11, 0.6))];
      return outputs.flatMap(transitions);
    };
    expect(run()).toEqual(['no data for 5 s:raised@5', 'rms above 0.5:raised@11', 'no data for 5 s:cleared@11', 'rms above 0.2:raised@11', 'rms rate above 0.01/s:raised@11']);
    expect(run()).toEqual(run());
  });
});
