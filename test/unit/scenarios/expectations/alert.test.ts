import { describe, expect, it } from 'vitest';
import { alertAt, evidence, evidenceFor, judge } from './fixture';

describe('alert within a window after the fault onset', () => {
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

  it("fails with no alert at all, quoting the peak of the rule's sensor and the threshold", () => {
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

  it("says that nothing was stored when the device has no peaks on the rule's sensor", () => {
    const result = judge(withinOneMinute, evidence({ peaks: new Map() }));
    expect(result.detail).toBe('no alert on pump-1 from the onset at 240 s to the end of the run; no accel readings from it were stored');
    const onlyTemperature = judge(withinOneMinute, evidence({ peaks: new Map([['pump-1/winding-temp', { rms: 61.2 }]]) }));
    expect(onlyTemperature.detail).toBe('no alert on pump-1 from the onset at 240 s to the end of the run; no accel readings from it were stored');
  });

  it('uses the name given in the scenario', () => {
    expect(judge({ ...withinOneMinute, name: 'pump-1 alarm' }, evidence({ alerts: [alertAt(250)] })).name).toBe('pump-1 alarm');
  });
});

describe('alert on a device with several faults', () => {
  // pump-1: imbalance at 240 s, then a bearing defect (id outer-race) at 400 s.
  const twoFaults = {
    faults: [
      { type: 'imbalance' as const, device: 'pump-1', atS: 240, rampS: 30, unbalanceGmm: 20_000 },
      { type: 'bearing' as const, id: 'outer-race', device: 'pump-1', component: 'outer' as const, atS: 400 },
    ],
  };

  it('without fault:, passes when any fault is detected in its own window, naming that fault', () => {
    // Nothing within 60 s of the imbalance; 410 s is 10 s after the bearing defect's onset.
    const result = judge({ type: 'alert', device: 'pump-1', withinS: 60 }, evidenceFor(twoFaults, { alerts: [alertAt(410)] }));
    expect(result).toEqual({
      name: 'alert on pump-1 within 60 s of any of its 2 faults starting',
      type: 'alert',
      passed: true,
      detail: 'raised at 410 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2), 10 s after the onset of outer-race at 400 s',
    });
  });

  it('without fault:, fails naming every fault it looked at', () => {
    const result = judge({ type: 'alert', device: 'pump-1', withinS: 60 }, evidenceFor(twoFaults, { alerts: [alertAt(470)] }));
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      'first alert after the onset of pump-1/imbalance at 240 s came 230 s later, 170 s past the 60 s limit: raised at 470 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2); ' +
        'first alert after the onset of outer-race at 400 s came 70 s later, 10 s past the 60 s limit: raised at 470 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2)',
    );
  });

  it('with fault:, counts only from that fault: an alert for the first fault does not pass for the second', () => {
    const expectation = { type: 'alert', device: 'pump-1', fault: 'outer-race', withinS: 60 };
    const early = judge(expectation, evidenceFor(twoFaults, { alerts: [alertAt(250)] }));
    expect(early).toEqual({
      name: 'alert on pump-1 within 60 s of its bearing onset (outer-race)',
      type: 'alert',
      passed: false,
      detail: 'no alert on pump-1 from the onset of outer-race at 400 s to the end of the run; peak accel rms 0.1234 against a threshold of 0.2',
    });
    expect(judge(expectation, evidenceFor(twoFaults, { alerts: [alertAt(250), alertAt(455)] }))).toMatchObject({
      passed: true,
      detail: 'raised at 455 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2), 55 s after the onset of outer-race at 400 s',
    });
  });

  it('with fault: and no withinS, counts any alert at or after that onset', () => {
    const expectation = { type: 'alert', device: 'pump-1', fault: 'outer-race' };
    expect(judge(expectation, evidenceFor(twoFaults, { alerts: [alertAt(300)] }))).toEqual({
      name: 'alert on pump-1 after the onset of outer-race',
      type: 'alert',
      passed: false,
      detail: 'no alert on pump-1 from the onset of outer-race at 400 s to the end of the run (1 raised before it, not counted); peak accel rms 0.1234 against a threshold of 0.2',
    });
    expect(judge(expectation, evidenceFor(twoFaults, { alerts: [alertAt(300), alertAt(590)] })).detail).toBe(
      'raised at 590 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2), 190 s after the onset of outer-race at 400 s',
    );
  });
});

describe('anomaly events and full severity', () => {
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

describe('alert at any time', () => {
  it('counts only alerts at or after the onset of the device\'s fault, quoting how long after it', () => {
    const pass = judge({ type: 'alert', device: 'pump-1' }, evidence({ alerts: [alertAt(10), alertAt(500)] }));
    expect(pass).toEqual({ name: 'alert on pump-1', type: 'alert', passed: true, detail: 'raised at 500 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2), 260 s after the onset at 240 s' });
    const onlyEarly = judge({ type: 'alert', device: 'pump-1' }, evidence({ alerts: [alertAt(10)] }));
    expect(onlyEarly).toMatchObject({
      passed: false,
      detail: 'no alert on pump-1 from the onset at 240 s to the end of the run (1 raised before it, not counted); peak accel rms 0.1234 against a threshold of 0.2',
    });
  });

  it('takes any alert on a device without a fault, and fails without one, quoting the peak', () => {
    const pass = judge({ type: 'alert', device: 'pump-2' }, evidence({ alerts: [alertAt(10, { device: 'pump-2' })] }));
    expect(pass).toMatchObject({ name: 'alert on pump-2', passed: true, detail: 'raised at 10 s (rms above 0.2: pump-1/accel rms 0.31 g exceeds 0.2)' });
    const fail = judge({ type: 'alert', device: 'pump-2' }, evidence({ alerts: [alertAt(10)] }));
    expect(fail).toMatchObject({ passed: false, detail: 'no alert on pump-2 during the 600 s run; peak accel rms 0.0837 against a threshold of 0.2' });
  });
});

describe('alert of a rule, and in a window of run seconds', () => {
  const drift = (atS: number, device = 'pump-1') =>
    alertAt(atS, { device, rule: 'drift kurtosis', message: `${device}: kurtosis drifted from model 1.0.0's training data (PSI 0.412 > 0.25)` });

  it('rule: drift matches the cloud\'s "drift <feature>" alerts, not other rules nor a rule that merely starts with the letters', () => {
    const pass = judge({ type: 'alert', device: 'pump-1', rule: 'drift' }, evidence({ alerts: [alertAt(250), drift(300)] }));
    expect(pass).toEqual({
      name: '"drift" alert on pump-1',
      type: 'alert',
      passed: true,
      detail: "raised at 300 s (drift kurtosis: pump-1: kurtosis drifted from model 1.0.0's training data (PSI 0.412 > 0.25)), 60 s after the onset at 240 s",
    });
    const fail = judge({ type: 'alert', device: 'pump-1', rule: 'drift' }, evidence({ alerts: [alertAt(250), alertAt(260, { rule: 'driftwood rms' })] }));
    expect(fail).toMatchObject({
      passed: false,
      detail: 'no "drift" alert on pump-1 from the onset at 240 s to the end of the run; it raised "rms above 0.2" at 250 s, "driftwood rms" at 260 s',
    });
    expect(judge({ type: 'alert', device: 'pump-1', rule: 'rms above 0.2' }, evidence({ alerts: [alertAt(250)] })).passed).toBe(true);
  });

  it('afterS and beforeS replace the fault onset: an alert raised in the window counts, on a device with or without a fault', () => {
    const window = { type: 'alert', device: 'pump-2', rule: 'drift', afterS: 100, beforeS: 200 };
    expect(judge(window, evidence({ alerts: [drift(150, 'pump-2')] }))).toMatchObject({ name: '"drift" alert on pump-2 in 100–200 s', passed: true, detail: expect.stringMatching(/^raised at 150 s \(drift kurtosis/) });
    expect(judge(window, evidence({ alerts: [drift(250, 'pump-2')] }))).toMatchObject({
      passed: false,
      detail: 'no "drift" alert on pump-2 in 100–200 s (1 raised outside it, not counted); it raised "drift kurtosis" at 250 s',
    });
    // pump-1's fault starts at 240 s; the window, not the onset, decides.
    expect(judge({ type: 'alert', device: 'pump-1', beforeS: 100 }, evidence({ alerts: [alertAt(10)] }))).toMatchObject({ name: 'alert on pump-1 before 100 s', passed: true });
    expect(judge({ type: 'alert', device: 'pump-1', afterS: 300 }, evidence({ alerts: [alertAt(250)] }))).toMatchObject({
      name: 'alert on pump-1 after 300 s',
      passed: false,
      detail: 'no alert on pump-1 in 300–600 s (1 raised outside it, not counted); peak accel rms 0.1234 against a threshold of 0.2',
    });
  });
});
