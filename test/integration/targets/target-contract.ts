import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, runScenario, type LoadedTarget, type RunResult, type Scenario } from '../../../scenarios';

// The contract every target implementation keeps (CONTRIBUTING.md#conformance-suites): the same scenario, judged by the same assertions,
// whether twinbed's own stack is the system under test or a gateway it only reaches over MQTT.

/** A system under test, started for one run: the target a run aims at, and how to take it down. */
export interface SystemUnderTest {
  target: LoadedTarget;
  stop(): Promise<void>;
}

/** Starts a system under test for `scenario` (its `gateway:` section configures the gateway, wherever it runs). */
export type SutFactory = (scenario: Scenario) => Promise<SystemUnderTest>;

/** Simulated seconds at which pump-1's imbalance starts; it reaches full severity 10 s later. */
export const ONSET_S = 60;

/**
 * Two pumps for three simulated minutes at virtual time. pump-1's imbalance (20,000 g·mm) lifts its accel RMS far
 * above the gateway's 0.2 g rule, whose local action stops it; pump-2 stays healthy.
 */
export const CONTRACT_SCENARIO: Scenario = parseScenario(
  [
    'name: target contract',
    'seed: 11',
    'durationS: 180',
    'timeScale: max',
    'site: contract',
    'twins:',
    '  - { template: pump, id: pump-1, speedRpm: 1480 }',
    '  - { template: pump, id: pump-2, speedRpm: 1480 }',
    'faults:',
    `  - { type: imbalance, device: pump-1, atS: ${ONSET_S}, rampS: 10, unbalanceGmm: 20000 }`,
    'gateway:',
    '  rules:',
    '    - { name: accel-rms-high, metric: rms, sensor: accel, above: 0.2 }',
    '  actions:',
    '    - { on: accel-rms-high, action: stop }',
    'expect:',
    '  - { type: alert, device: pump-1, kind: alert, withinS: 60 }',
    `  - { type: no-alert, beforeS: ${ONSET_S} }`,
    '  - { type: no-alert, device: pump-2 }',
    '  - { type: no-alert, kind: anomaly }',
    '  - { type: stored-exactly-once }',
    '',
  ].join('\n'),
  'target-contract.yaml',
);

/** 180 s of a pump: 4,500 accel blocks of 40 ms and 18 blocks of 10 s from each of its two RTDs. */
const BLOCKS_PER_PUMP = 4_500 + 2 * 18;

export function targetContract(name: string, startSut: SutFactory): void {
  describe(`target contract: ${name}`, () => {
    let result: RunResult;

    beforeAll(async () => {
      const sut = await startSut(CONTRACT_SCENARIO);
      try {
        result = await runScenario(CONTRACT_SCENARIO, { target: sut.target, file: 'target-contract.yaml' });
      } finally {
        await sut.stop();
      }
    }, 180_000);

    it('connects every twin, with no connection error', () => {
      expect(result.stats.devices).toMatchObject({ connected: 2, failed: 0, errors: {} });
    });

    it('observes the alert the fault raises, on pump-1, as a threshold alert, after the onset and within 60 s', () => {
      const [alert, quietBefore, quietPump2, noAnomaly] = result.expectations;
      expect(alert).toMatchObject({ type: 'alert', passed: true, name: 'alert on pump-1 within 60 s of its imbalance onset' });
      const at = /^raised at ([\d.]+) s \(accel-rms-high/.exec(alert!.detail);
      expect(at, alert!.detail).not.toBeNull();
      expect(Number(at![1])).toBeGreaterThanOrEqual(ONSET_S);
      expect(Number(at![1])).toBeLessThanOrEqual(ONSET_S + 60);
      // Not on any device before the fault, never on the healthy pump, never mistaken for an anomaly.
      expect([quietBefore, quietPump2, noAnomaly].map((e) => [e!.name, e!.passed])).toEqual([
        [`no alert on any device before ${ONSET_S} s`, true],
        ['no alert on pump-2', true],
        ['no anomaly on any device', true],
      ]);
      // Raised once; every observed message was readable by the mapping.
      expect(result.stats.alerts).toBe(1);
      expect(result.stats.observed.unmapped).toEqual({});
    });

    it('carries the gateway\'s local command to the twin that raised the alert', () => {
      expect(result.stats.commandsReceived).toBe(1);
    });

    it('counts every reading exactly once', () => {
      const published = 2 * BLOCKS_PER_PUMP;
      expect(result.expectations[4]).toMatchObject({ type: 'stored-exactly-once', passed: true });
      expect(result.stats).toMatchObject({ published, acked: published, duplicatesDropped: 0, qos1: { published, stored: published } });
      expect(result.passed).toBe(true);
    });
  });
}
