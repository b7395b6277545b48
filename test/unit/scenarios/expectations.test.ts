import { describe, expect, it } from 'vitest';
import type { AlertRecord, SequenceSummary } from '../../../cloud/index';
import { evaluate, ExpectationSchema, ScenarioSchema, type RunEvidence } from '../../../scenarios/index';
import type { DeviceStats } from '../../../twins/index';

const START_MS = Date.UTC(2026, 0, 1);

/** smoke.yaml in miniature: pump-1's unbalance begins at 240 s; one RMS rule at 0.2 g. */
const scenario = ScenarioSchema.parse({
  name: 'unit',
  durationS: 600,
  twins: [
    { template: 'pump', id: 'pump-1' },
    { template: 'pump', id: 'pump-2' },
  ],
  faults: [{ type: 'imbalance', device: 'pump-1', atS: 240, rampS: 30, unbalanceGmm: 20_000 }],
  rules: [{ metric: 'rms', sensor: 'accel', above: 0.2 }],
});

/** An alert state change `atS` seconds into the run. */
function alertAt(atS: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    device: 'pump-1',
    sensor: 'accel',
    rule: 'rms above 0.2',
    state: 'raised',
    severity: 'warning',
    tsMs: START_MS + atS * 1000,
    value: 0.31,
    threshold: 0.2,
    message: 'pump-1/accel rms 0.31 g exceeds 0.2',
    ...overrides,
  };
}

const stats = (device: string, sent: number, acked = sent, sensor = 'accel', qos: 0 | 1 = 1): DeviceStats => ({
  device,
  sensor,
  qos,
  sent,
  acked,
  failed: sent - acked,
  dropped: 0,
  bytes: sent * 100,
});
const stored = (device: string, count: number, minSeq = 0, maxSeq = count - 1, sensor = 'accel'): SequenceSummary => ({ device, sensor, count, minSeq, maxSeq });

function evidence(overrides: Partial<RunEvidence> = {}): RunEvidence {
  return {
    scenario,
    startMs: START_MS,
    alerts: [],
    published: [stats('pump-1', 15_000), stats('pump-2', 15_000)],
    stored: [stored('pump-1', 15_000), stored('pump-2', 15_000)],
    duplicatesDropped: 0,
    // Temperatures are far above the accel rule's 0.2: a peak quoted for it must be the accel one.
    peaks: new Map([
      ['pump-1/accel', { rms: 0.1234, peak: 0.2 }],
      ['pump-1/winding-temp', { rms: 61.2, peak: 61.5 }],
      ['pump-2/accel', { rms: 0.0837, peak: 0.12 }],
      ['pump-2/bearing-temp', { rms: 44.1, peak: 44.3 }],
    ]),
    ...overrides,
  };
}

const judge = (expectation: unknown, runEvidence: RunEvidence) => evaluate(ExpectationSchema.parse(expectation), runEvidence);

describe('evaluate: alert within a window after the fault onset', () => {
  const withinOneMinute = { type: 'alert', device: 'pump-1', withinS: 60 };

  it('passes for an alert inside the window, giving its delay after the onset', () => {
    const result = judge(withinOneMinute, evidence({ alerts: [alertAt(262.5)] }));
    expect(result).toEqual({
      name: 'alert on pump-1 within 60 s of its imbalance onset',
      type: 'alert',
      passed: true,
      detail: 'raised at 262.5 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2), 22.5 s after the onset at 240 s',
    });
  });

  it('counts both ends of the window: the onset itself and onset + withinS', () => {
    expect(judge(withinOneMinute, evidence({ alerts: [alertAt(240)] })).passed).toBe(true);
    expect(judge(withinOneMinute, evidence({ alerts: [alertAt(300)] })).passed).toBe(true);
  });

  it('fails for an alert after the window, saying how long after the onset it came and the limit', () => {
    const result = judge(withinOneMinute, evidence({ alerts: [alertAt(330)] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      'first alert after the onset at 240 s came 90 s later, 30 s past the 60 s limit: raised at 330 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2)',
    );
  });

  it('fails with no alert at all, quoting the peak of the rule\'s sensor and the threshold', () => {
    const result = judge(withinOneMinute, evidence());
    expect(result.passed).toBe(false);
    expect(result.detail).toBe('no alert on pump-1 from the onset at 240 s to the end of the run; peak accel rms 0.1234 against a threshold of 0.2');
  });

  it('does not count an alert raised before the onset, a cleared state, or another device', () => {
    const alerts = [alertAt(100), alertAt(250, { state: 'cleared' }), alertAt(250, { device: 'pump-2' })];
    const result = judge(withinOneMinute, evidence({ alerts }));
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^no alert on pump-1 from the onset at 240 s/);
  });

  it('says that nothing was stored when the device has no peaks on the rule\'s sensor', () => {
    const result = judge(withinOneMinute, evidence({ peaks: new Map() }));
    expect(result.detail).toBe('no alert on pump-1 from the onset at 240 s to the end of the run; no accel readings from it were stored');
    const onlyTemperature = judge(withinOneMinute, evidence({ peaks: new Map([['pump-1/winding-temp', { rms: 61.2 }]]) }));
    expect(onlyTemperature.detail).toBe('no alert on pump-1 from the onset at 240 s to the end of the run; no accel readings from it were stored');
  });

  it('uses the name given in the scenario', () => {
    expect(judge({ ...withinOneMinute, name: 'pump-1 alarm' }, evidence({ alerts: [alertAt(250)] })).name).toBe('pump-1 alarm');
  });
});

describe('evaluate: anomaly events and full severity', () => {
  const anomalyAt = (atS: number) => alertAt(atS, { kind: 'anomaly', rule: 'anomaly', message: 'pump-1/accel anomaly score 4.1 exceeds 3.04' });

  it('counts from the end of the ramp with from: full-severity, and an anomaly found while the fault grew still passes', () => {
    const expectation = { type: 'alert', device: 'pump-1', withinS: 60, from: 'full-severity', kind: 'anomaly' };
    // Ramp 240 → 270 s: 325 s is 55 s after full severity, past 60 s from the onset.
    const late = judge(expectation, evidence({ alerts: [anomalyAt(325)] }));
    expect(late.name).toBe('anomaly on pump-1 within 60 s of its imbalance reaching full severity');
    expect(late.passed).toBe(true);
    expect(late.detail).toMatch(/55 s after the fault reached full severity at 270 s$/);
    expect(judge(expectation, evidence({ alerts: [anomalyAt(250)] })).detail).toMatch(/20 s before the fault reached full severity at 270 s, 10 s after its onset$/);
    expect(judge(expectation, evidence({ alerts: [anomalyAt(250)] })).passed).toBe(true);
    const tooLate = judge(expectation, evidence({ alerts: [anomalyAt(331)] }));
    expect(tooLate.passed).toBe(false);
    expect(tooLate.detail).toMatch(/^first anomaly after the fault reached full severity at 270 s came 61 s later, 1 s past the 60 s limit/);
  });

  it('kind: anomaly ignores threshold alerts, and kind: alert ignores anomalies', () => {
    const anomaly = { type: 'alert', device: 'pump-1', withinS: 60, kind: 'anomaly' };
    expect(judge(anomaly, evidence({ alerts: [alertAt(250)] })).passed).toBe(false);
    expect(judge(anomaly, evidence({ alerts: [anomalyAt(250)] })).passed).toBe(true);
    expect(judge({ type: 'alert', device: 'pump-1', kind: 'alert' }, evidence({ alerts: [anomalyAt(250)] })).passed).toBe(false);
    expect(judge({ type: 'no-alert', kind: 'anomaly' }, evidence({ alerts: [alertAt(100)] })).passed).toBe(true);
    expect(judge({ type: 'no-alert', kind: 'anomaly' }, evidence({ alerts: [anomalyAt(100)] })).passed).toBe(false);
  });
});

describe('evaluate: alert at any time', () => {
  it('passes on the first raised alert and fails without one, quoting the peak', () => {
    const pass = judge({ type: 'alert', device: 'pump-1' }, evidence({ alerts: [alertAt(10), alertAt(500)] }));
    expect(pass).toMatchObject({ name: 'alert on pump-1', passed: true, detail: 'raised at 10 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2)' });
    const fail = judge({ type: 'alert', device: 'pump-2' }, evidence({ alerts: [alertAt(10)] }));
    expect(fail).toMatchObject({ passed: false, detail: 'no alert on pump-2 during the 600 s run; peak accel rms 0.0837 against a threshold of 0.2' });
  });
});

describe('evaluate: no alert before S', () => {
  it('passes when the first alert comes at or after beforeS', () => {
    const result = judge({ type: 'no-alert', beforeS: 240 }, evidence({ alerts: [alertAt(240), alertAt(250)] }));
    expect(result).toEqual({ name: 'no alert on any device before 240 s', type: 'no-alert', passed: true, detail: 'no alert on any device in 0–240 s' });
  });

  it('fails on an alert before beforeS, naming the device, rule and time', () => {
    const result = judge({ type: 'no-alert', beforeS: 240 }, evidence({ alerts: [alertAt(239.9, { device: 'pump-2', message: 'pump-2/accel rms 0.21 g exceeds 0.2' })] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe('pump-2 raised "rms above 0.2" at 239.9 s: pump-2/accel rms 0.21 g exceeds 0.2');
  });

  it('ignores cleared states and, with a device, other devices', () => {
    const alerts = [alertAt(5, { state: 'cleared' }), alertAt(6, { device: 'pump-2' })];
    expect(judge({ type: 'no-alert', beforeS: 240 }, evidence({ alerts: [alerts[0]!] })).passed).toBe(true);
    const scoped = judge({ type: 'no-alert', device: 'pump-1' }, evidence({ alerts }));
    expect(scoped).toMatchObject({ name: 'no alert on pump-1', passed: true, detail: 'no alert on pump-1 in 0–600 s' });
    expect(judge({ type: 'no-alert' }, evidence({ alerts })).passed).toBe(false);
  });
});

describe('evaluate: stored exactly once', () => {
  const once = { type: 'stored-exactly-once' };

  it('passes when every device stored as many readings as it sent, with seq 0…sent−1', () => {
    expect(judge(once, evidence({ duplicatesDropped: 3 }))).toEqual({
      name: 'every QoS 1 reading stored exactly once',
      type: 'stored-exactly-once',
      passed: true,
      detail: 'QoS 1 published 30000, stored 30000, duplicates dropped 3',
    });
  });

  it('fails naming the device when a reading is missing', () => {
    const result = judge(once, evidence({ stored: [stored('pump-1', 15_000), stored('pump-2', 14_999, 0, 14_999)] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe('pump-2/accel: published 15000, stored 14999, seq 0–14999 (QoS 1 published 30000, stored 29999, duplicates dropped 0)');
  });

  it('fails when the count matches but the seq range does not (a reading stored under a wrong seq)', () => {
    const result = judge(once, evidence({ stored: [stored('pump-1', 15_000, 1, 15_000), stored('pump-2', 15_000)] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^pump-1\/accel: published 15000, stored 15000, seq 1–15000 \(/);
  });

  it('judges each (device, sensor) on its own: a missing temperature block, or readings under a sensor nobody published, fail naming it', () => {
    const published = [stats('pump-1', 15_000), stats('pump-1', 60, 60, 'winding-temp'), stats('pump-2', 15_000)];
    const complete = [stored('pump-1', 15_000), stored('pump-1', 60, 0, 59, 'winding-temp'), stored('pump-2', 15_000)];
    expect(judge(once, evidence({ published, stored: complete }))).toMatchObject({ passed: true, detail: 'QoS 1 published 30060, stored 30060, duplicates dropped 0' });

    const missing = judge(once, evidence({ published, stored: [stored('pump-1', 15_000), stored('pump-1', 59, 0, 59, 'winding-temp'), stored('pump-2', 15_000)] }));
    expect(missing.passed).toBe(false);
    expect(missing.detail).toBe('pump-1/winding-temp: published 60, stored 59, seq 0–59 (QoS 1 published 30060, stored 30059, duplicates dropped 0)');

    const misfiled = judge(once, evidence({ published, stored: [stored('pump-1', 15_000), stored('pump-1', 60, 0, 59, 'bearing-temp'), stored('pump-2', 15_000)] }));
    expect(misfiled.passed).toBe(false);
    expect(misfiled.detail).toBe(
      'pump-1/winding-temp: published 60, stored 0; pump-1/bearing-temp: stored 60 readings that no twin published (QoS 1 published 30060, stored 30000, duplicates dropped 0)',
    );
  });

  it('fails when a device stored nothing', () => {
    const result = judge(once, evidence({ stored: [stored('pump-1', 15_000)] }));
    expect(result.detail).toMatch(/^pump-2\/accel: published 15000, stored 0 \(/);
  });

  it('fails naming the device when readings were never acknowledged', () => {
    const result = judge(once, evidence({ published: [stats('pump-1', 15_000, 14_998), stats('pump-2', 15_000)] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe('pump-1/accel: 2 of 15000 published readings were never acknowledged (QoS 1 published 30000, stored 30000, duplicates dropped 0)');
  });
});
