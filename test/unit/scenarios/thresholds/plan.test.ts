import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError } from '../../../../protocol/index';
import { parseScenario, skippedResult, type Scenario } from '../../../../scenarios/index';
import { planRun, TargetSchema, type Target } from '../../../../scenarios/target/index';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** One pump with a fault and a cloud rule; `expect` on lines 9–11, `thresholds` on lines 13–20. */
const SOURCE = yaml(
  'name: plan thresholds',
  'durationS: 60',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  'faults:',
  '  - { type: imbalance, device: pump-1, atS: 10, unbalanceGmm: 20000 }',
  'rules: [{ metric: rms, sensor: accel, above: 0.2 }]',
  'expect:',
  '  - { type: command, device: pump-1, action: stop }', // line 9
  '  - { type: no-loss, link: twins->edge }', // line 10
  '  - { type: no-loss, link: edge->cloud }', // line 11
  'thresholds:',
  "  detection_delay_s{kind:anomaly}: ['max<30']", // line 13
  "  qos1_lost{link:twins->edge}: ['==0']", // line 14
  "  qos1_lost{link:edge->cloud}: ['==0']", // line 15
  "  duplicates: ['==0']", // line 16
  "  bandwidth_reduction: ['>50']", // line 17
  "  action_latency_ms: ['p(99)<50']", // line 18
  "  commands_received: ['>=1']", // line 19
  "  puback_ms: ['p(99)<50', 'max<100']", // line 20
);
const scenario: Scenario = parseScenario(SOURCE, 'plan.yaml');

const target = (input: Record<string, unknown>): Target => TargetSchema.parse(input as z.input<typeof TargetSchema>);
const MQTT = { kind: 'mqtt', devices: { url: 'mqtt://127.0.0.1:1883' } } as const;
const alertTopic = { filter: 'sut/+/alarm', as: 'alert', fields: { device: 'device' } };
const unkeyedReadings = { filter: 'sut/+/features', as: 'reading', fields: { device: 'device', sensor: 'sensor' } };

function refusalOf(s: Scenario, t: Target): ConfigError {
  try {
    planRun(s, t, { targetName: 'sut.yaml', file: 'plan.yaml', source: SOURCE });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected planRun to refuse');
}

const hint = (metric: string) => `; list it under skip: in the target (expectation: threshold, metric: ${metric}), with a reason, to run without it`;

describe('planRun: thresholds and the new expectations against an mqtt target', () => {
  it('refuses what the target cannot measure, at each threshold\'s line, and no-loss on edge->cloud', () => {
    const error = refusalOf(scenario, target({ ...MQTT, observe: { topics: [alertTopic, unkeyedReadings] } }));
    expect(error.issues).toEqual([
      {
        line: 11,
        path: 'expect[2].link',
        message:
          'sut.yaml cannot judge "no-loss": edge->cloud runs inside the system under test, where twinbed neither simulates the link nor sees what the edge acknowledged; list it under skip: in the target, with a reason, to run without it',
      },
      { line: 13, path: 'thresholds.detection_delay_s{kind:anomaly}', message: `sut.yaml cannot measure detection_delay_s: it cannot tell alerts from anomalies: observe topic "sut/+/alarm" has no fields.kind${hint('detection_delay_s')}` },
      {
        line: 15,
        path: 'thresholds.qos1_lost{link:edge->cloud}',
        message: `sut.yaml cannot measure qos1_lost: edge->cloud runs inside the system under test, where twinbed neither simulates the link nor sees what the edge acknowledged${hint('qos1_lost')}`,
      },
      { line: 16, path: 'thresholds.duplicates', message: `sut.yaml cannot measure duplicates: observe topic "sut/+/features" has no fields.seq, so a copy cannot be told from a new reading${hint('duplicates')}` },
      {
        line: 18,
        path: 'thresholds.action_latency_ms',
        message: `sut.yaml cannot measure action_latency_ms: action_latency_ms is measured on the embedded target only (the embedded gateway's local event to the command it sends, wall ms (it reports p(50) and p(99)))${hint('action_latency_ms')}`,
      },
    ]);
  });

  it('refuses bandwidth_reduction when nothing upstream is observed as readings', () => {
    const error = refusalOf(scenario, target({ ...MQTT, observe: { topics: [alertTopic] }, skip: [{ expectation: 'threshold', metric: 'detection_delay_s', reason: 'no kind field' }] }));
    expect(error.issues.map((i) => i.path)).toContain('thresholds.bandwidth_reduction');
    expect(error.issues.find((i) => i.path === 'thresholds.bandwidth_reduction')!.message).toBe(
      `sut.yaml cannot measure bandwidth_reduction: its observe: section maps no topic \`as: reading\`, so nothing upstream is counted${hint('bandwidth_reduction')}`,
    );
  });

  it('plans every threshold condition after the expectations, skipping those the target lists with a reason', () => {
    const skip = [
      { expectation: 'no-loss', reason: 'inside the pipeline' },
      { expectation: 'threshold', metric: 'detection_delay_s', reason: 'alarms carry no kind' },
      { expectation: 'threshold', metric: 'qos1_lost', reason: 'no store to count' },
      { expectation: 'threshold', metric: 'duplicates', reason: 'no seq in features' },
      { expectation: 'threshold', metric: 'action_latency_ms', reason: 'not our gateway' },
    ];
    const planned = planRun(scenario, target({ ...MQTT, observe: { topics: [alertTopic, unkeyedReadings] }, skip }), { targetName: 'sut.yaml' });
    expect(planned.map((p) => [p.index, p.expectation.type, 'key' in p.expectation ? `${p.expectation.key} ${p.expectation.condition.source}` : '', p.skipped])).toEqual([
      [0, 'command', '', undefined],
      [1, 'no-loss', '', 'inside the pipeline'],
      [2, 'no-loss', '', 'inside the pipeline'],
      [0, 'threshold', 'detection_delay_s{kind:anomaly} max<30', 'alarms carry no kind'],
      [1, 'threshold', 'qos1_lost{link:twins->edge} ==0', 'no store to count'],
      [2, 'threshold', 'qos1_lost{link:edge->cloud} ==0', 'no store to count'],
      [3, 'threshold', 'duplicates ==0', 'no seq in features'],
      [4, 'threshold', 'bandwidth_reduction >50', undefined],
      [5, 'threshold', 'action_latency_ms p(99)<50', 'not our gateway'],
      [6, 'threshold', 'commands_received >=1', undefined],
      [7, 'threshold', 'puback_ms p(99)<50', undefined],
      [8, 'threshold', 'puback_ms max<100', undefined],
    ]);
    expect(skippedResult(planned[5]!.expectation, planned[5]!.skipped!)).toEqual({
      name: 'qos1_lost{link:edge->cloud} ==0',
      type: 'threshold',
      passed: false,
      detail: 'skipped: no store to count',
      skipped: 'no store to count',
    });
  });

  it('judges loss on twins->edge on the twins\' own acknowledgements: no store or readings needed', () => {
    const s = parseScenario(yaml('name: t', 'durationS: 10', 'twins: [{ template: pump, id: pump-1 }]', 'expect: [{ type: no-loss, link: twins->edge }]', 'thresholds:', "  qos1_lost{link:twins->edge}: ['==0']"));
    expect(planRun(s, target({ ...MQTT, observe: { topics: [alertTopic] } }), { targetName: 'sut.yaml' }).map((p) => p.skipped)).toEqual([undefined, undefined]);
  });
});

describe('planRun: thresholds against the embedded target', () => {
  it('refuses an alert metric when the scenario has no rule or model', () => {
    const s = parseScenario(yaml('name: t', 'durationS: 10', 'twins: [{ template: pump, id: pump-1 }]', 'thresholds:', "  alerts_raised: ['==0']", "  qos1_lost: ['==0']"), 'e.yaml');
    let error: unknown;
    try {
      planRun(s, target({ kind: 'embedded' }), { targetName: 'embedded', file: 'e.yaml' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).issues).toEqual([{ path: 'thresholds.alerts_raised', message: 'alerts_raised needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)' }]);
  });

  it('plans every metric of the issue\'s example', () => {
    const s = parseScenario(
      yaml(
        'name: t',
        'durationS: 10',
        'twins: [{ template: pump, id: pump-1 }]',
        'faults: [{ type: imbalance, device: pump-1, atS: 1, unbalanceGmm: 20000 }]',
        'links: [{ link: edge->cloud, atS: 0, latencyMs: 20 }]',
        'rules: [{ metric: rms, sensor: accel, above: 0.2 }]',
        'thresholds:',
        "  detection_delay_s{device:pump-1}: ['max<30']",
        "  action_latency_ms: ['p(99)<50']",
        "  false_alarms_per_hour: ['<0.1']",
        "  qos1_lost: ['==0']",
        "  bandwidth_reduction: ['>50']",
        "  edge_to_cloud_latency_ms: ['p(95)<200']",
      ),
    );
    expect(planRun(s, target({ kind: 'embedded' }), { targetName: 'embedded' })).toHaveLength(6);
  });
});
