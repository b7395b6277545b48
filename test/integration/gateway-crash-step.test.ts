import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, planRun, runScenario, TargetSchema } from '../../scenarios';
import { ROOT } from '../support/twinbed-process';

describe('a gateway crash step in an uplink partition (scenarios/library/gateway-crash-partition.yaml)', () => {
  it('kills the embedded gateway as SIGKILL would and restarts it; the edge alert and every QoS 1 reading still arrive once', async () => {
    const result = await runScenario(await loadScenario(`${ROOT}/scenarios/library/gateway-crash-partition.yaml`));
    expect(result.timeline.steps).toEqual([{ device: 'gateway', action: 'crash', atS: 160, outcome: 'killed, restarted after 300 ms of wall time (crash 1)' }]);
    expect(result.expectations.map((e) => [e.type, e.passed])).toEqual([
      ['alert', true],
      ['no-alert', true],
      ['stored-exactly-once', true],
    ]);
    // 2 pumps × 300 s: 7,500 accel blocks (40 ms) and 30 blocks of each of two RTDs (10 s), each stored once.
    expect(result.stats.qos1).toEqual({ published: 15_120, stored: 15_120 });
    // The alert was raised at the edge during the partition and crossed only after it healed at 280 s.
    expect(result.timeline.alerts.find((a) => a.device === 'pump-1' && a.state === 'raised')?.atS).toBeGreaterThanOrEqual(100);
  });

  it('refuses a gateway step against an external target, naming the step', () => {
    const text = ['name: s', 'durationS: 10', 'twins: [{ template: pump, id: pump-1 }]', 'steps:', '  - { atS: 5, device: gateway, action: crash }', ''].join('\n');
    const target = { kind: 'mqtt', devices: { url: 'mqtt://h:1' }, observe: { topics: [{ filter: 'a/#', as: 'alert', fields: { device: 'd' } }] } };
    const scenario = parseScenario(text, 's.yaml');
    expect(() => planRun(scenario, TargetSchema.parse(target), { targetName: 't.yaml', file: 's.yaml', source: text })).toThrow(
      /s\.yaml:5 steps\[0\]\.device: t\.yaml is not twinbed's gateway: a gateway step runs only against the embedded target/,
    );
    expect(() => parseScenario(text.replace('action: crash', 'action: reboot'), 's.yaml')).toThrow(/steps\[0\]\.action: the gateway takes the step action "crash", not "reboot"/);
  });
});
