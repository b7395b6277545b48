import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from '../../scenarios';

// A scenario's steps are the test's own hand on the machines: timed commands, carried out at their simulated time.

const scenario = (steps: string) =>
  parseScenario(
    [
      'name: steps',
      'durationS: 20',
      'twins:',
      '  - { template: pump, id: pump-1, speedRpm: 1480 }',
      'faults:',
      '  - { type: imbalance, device: pump-1, atS: 0, unbalanceGmm: 20000 }',
      'rules:',
      '  - { metric: rms, sensor: accel, above: 5 }',
      steps,
      '',
    ].join('\n'),
    'steps.yaml',
  );

describe('scenario steps', () => {
  it('carries out each step at its time and records what the device did; a slowed pump vibrates less', async () => {
    const still = await runScenario(scenario('steps: []'));
    const slowed = await runScenario(scenario('steps:\n  - { atS: 2, device: pump-1, action: slow-down, args: { speedRpm: 500, rampS: 1 } }\n  - { atS: 4, device: pump-1, action: jump }'));
    expect(slowed.timeline.steps).toEqual([
      { device: 'pump-1', action: 'slow-down', atS: 2, outcome: 'slowing to 500 rpm over 1 s' },
      { device: 'pump-1', action: 'jump', atS: 4, outcome: 'not supported by this device' },
    ]);
    // Steps are the test's, not the system's: they are not counted as commands the system sent.
    expect(slowed.stats.commandsReceived).toBe(0);
    // Imbalance vibration goes with ω²: at a third of the speed the late windows' RMS is far below the unslowed ones.
    const late = (r: typeof still) => r.timeline.series.find((s) => s.device === 'pump-1' && s.metric === 'rms')!.points.filter(([atS]) => atS >= 10).map(([, v]) => v);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(late(slowed))).toBeLessThan(0.5 * mean(late(still)));
  });

  it('refuses a step on an unknown device or after the end of the run, naming the field', () => {
    expect(() => scenario('steps:\n  - { atS: 2, device: pump-9, action: stop }')).toThrow(/steps\[0\]\.device: no twin named "pump-9"/);
    expect(() => scenario('steps:\n  - { atS: 25, device: pump-1, action: stop }')).toThrow(/steps\[0\]\.atS: 25 s is not before the end of the run/);
  });
});
