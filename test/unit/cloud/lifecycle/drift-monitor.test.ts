import { describe, expect, it } from 'vitest';
import { binFractions, buildDriftReference, DriftMonitor, DriftPolicySchema, psi, type DriftUpdate } from '../../../../cloud/lifecycle';

// Reference: rms and crest each 0 … 99, so the decile edges sit at 9.9·i and bin k holds k·10 … k·10 + 9.
const REFERENCE = buildDriftReference(
  Array.from({ length: 100 }, (_, i) => ({ rms: i, crest: i })),
  ['rms', 'crest'],
);
const T0 = Date.UTC(2026, 0, 1);

/** 100 rms values like the reference, but with `moved` of bin 0's ten values moved to 95 (bin 9). */
function batch(moved: number): number[] {
  return Array.from({ length: 100 }, (_, i) => (i < moved ? 95 : i));
}

/** Moving mass m from one decile to another gives PSI = (−m)·ln((0.1 − m)/0.1) + m·ln((0.1 + m)/0.1) = m·ln((0.1 + m)/(0.1 − m)). */
const movedPsi = (m: number) => m * Math.log((0.1 + m) / (0.1 - m));

function feed(monitor: DriftMonitor, values: number[], device = 'pump-1', startMs = T0): DriftUpdate[] {
  return values.map((rms, i) => monitor.observe({ device, tsMs: startMs + i * 1000, features: { rms, crest: i % 100 } }));
}

describe('DriftMonitor', () => {
  it('evaluates first when windowCount windows are held, then every `every` windows, per device', () => {
    const monitor = new DriftMonitor(REFERENCE, { windowCount: 100, every: 20 });
    const updates = feed(monitor, Array.from({ length: 160 }, (_, i) => i % 100));
    expect(updates.flatMap((u, i) => (u.report ? [i + 1] : []))).toEqual([100, 120, 140, 160]);
    // Another device has its own windows: nothing is due for it yet.
    expect(feed(monitor, [1, 2, 3], 'pump-2').some((u) => u.report)).toBe(false);
  });

  it('compares exactly the latest windowCount windows: the report\'s PSI is that of the last 100 values fed', () => {
    const monitor = new DriftMonitor(REFERENCE, { windowCount: 100, every: 30 });
    const values = [...batch(0), ...Array.from({ length: 30 }, (_, i) => (i < 9 ? 95 : 50))];
    const report = feed(monitor, values).at(-1)!.report!;
    expect(report.windows).toBe(100);
    expect(report.fromMs).toBe(T0 + 30_000);
    expect(report.toMs).toBe(T0 + 129_000);
    const rms = REFERENCE.features.rms!;
    expect(report.features[0]).toMatchObject({ feature: 'rms', psi: psi(rms.expected, binFractions(values.slice(-100), rms.edges)) });
    expect(report.features[0]!.psi).toBeGreaterThan(0);
  });

  it('raises above psiRaise, stays raised through the moderate band, and clears below psiClear (hysteresis)', () => {
    const monitor = new DriftMonitor(REFERENCE, { windowCount: 100, every: 100 });
    const evaluate = (moved: number, n: number) => feed(monitor, batch(moved), 'pump-1', T0 + n * 100_000).at(-1)!;

    expect(evaluate(0, 0)).toEqual({ report: expect.objectContaining({ worst: expect.objectContaining({ feature: 'rms', psi: 0 }) }) });
    // 0.08 moved: 0.08·ln 9 ≈ 0.176, moderate, so no raise.
    const moderate = evaluate(8, 1);
    expect(moderate.report!.worst.psi).toBeCloseTo(movedPsi(0.08), 12);
    expect(moderate.change).toBeUndefined();

    // 0.09 moved: 0.09·ln 19 ≈ 0.265 > 0.25.
    const raised = evaluate(9, 2);
    expect(raised.change).toEqual({
      device: 'pump-1',
      tsMs: T0 + 299_000,
      state: 'raised',
      feature: 'rms',
      psi: raised.report!.worst.psi,
      ks: raised.report!.worst.ks,
      threshold: 0.25,
    });
    expect(raised.change!.psi).toBeCloseTo(0.09 * Math.log(19), 12);
    expect(raised.change!.ks.d).toBeCloseTo(0.09, 12);
    expect(raised.retrain).toBeUndefined();
    expect(monitor.drifting('pump-1')).toBe(true);

    expect(evaluate(8, 3).change).toBeUndefined();
    expect(monitor.drifting('pump-1')).toBe(true);

    // 0.05 moved: 0.05·ln 3 ≈ 0.055 < 0.1.
    const cleared = evaluate(5, 4).change!;
    expect(cleared).toMatchObject({ state: 'cleared', feature: 'rms', threshold: 0.1 });
    expect(cleared.psi).toBeCloseTo(movedPsi(0.05), 12);
    expect(monitor.drifting('pump-1')).toBe(false);
  });

  it('with onDrift retrain, asks for a model trained on the drifted windows\' time range', () => {
    const monitor = new DriftMonitor(REFERENCE, { windowCount: 100, every: 100, onDrift: 'retrain' });
    feed(monitor, batch(0));
    const update = feed(monitor, batch(10), 'pump-1', T0 + 100_000).at(-1)!;
    expect(update.change?.state).toBe('raised');
    expect(update.retrain).toEqual({
      devices: ['pump-1'],
      fromMs: T0 + 100_000,
      toMs: T0 + 199_000,
      reason: expect.stringMatching(/^drift on pump-1: rms PSI 0\.759 > 0\.25 \(KS D 0\.1, p [\d.e-]+\) over 100 windows$/),
    });
  });

  it('takes a stricter raise bound from the policy, and refuses psiClear above psiRaise', () => {
    const monitor = new DriftMonitor(REFERENCE, { windowCount: 100, every: 100, psiRaise: 0.15, psiClear: 0.05 });
    expect(feed(monitor, batch(8)).at(-1)!.change?.state).toBe('raised');
    expect(DriftPolicySchema.safeParse({ psiRaise: 0.1, psiClear: 0.2 }).success).toBe(false);
    expect(() => new DriftMonitor(REFERENCE, { every: 0 })).toThrow(/drift policy every: /);
    expect(DriftPolicySchema.parse({})).toEqual({ psiRaise: 0.25, psiClear: 0.1, windowCount: 300, every: 60, onDrift: 'alert', fleetShare: 0.5, settleS: 60, trainS: 120 });
  });
});
