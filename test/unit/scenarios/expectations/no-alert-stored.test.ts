import { describe, expect, it } from 'vitest';
import { alertAt, evidence, judge, stats, stored } from './fixture';

describe('no alert before S', () => {
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

describe('no alert of a rule, in a window of run seconds', () => {
  const drift = (atS: number, device: string) => alertAt(atS, { device, rule: 'drift kurtosis', message: `${device}: kurtosis drifted (PSI 0.31 > 0.25)` });

  it('counts only the rule\'s alerts raised at or after afterS (and before beforeS)', () => {
    const expectation = { type: 'no-alert', rule: 'drift', afterS: 300 };
    expect(judge(expectation, evidence({ alerts: [drift(250, 'pump-2'), alertAt(400)] }))).toEqual({
      name: 'no "drift" alert on any device after 300 s',
      type: 'no-alert',
      passed: true,
      detail: 'no "drift" alert on any device in 300–600 s',
    });
    expect(judge(expectation, evidence({ alerts: [drift(350, 'pump-2')] }))).toMatchObject({ passed: false, detail: 'pump-2 raised "drift kurtosis" at 350 s: pump-2: kurtosis drifted (PSI 0.31 > 0.25)' });
    const window = judge({ type: 'no-alert', device: 'pump-2', afterS: 100, beforeS: 300 }, evidence({ alerts: [drift(300, 'pump-2'), drift(99, 'pump-2')] }));
    expect(window).toMatchObject({ name: 'no alert on pump-2 in 100–300 s', passed: true, detail: 'no alert on pump-2 in 100–300 s' });
  });
});

describe('stored exactly once', () => {
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
