import { describe, expect, it } from 'vitest';
import { PipelineSchema, VIBRATION_PIPELINE, SLOW_PIPELINE, PER_BLOCK_PIPELINE, type PipelineConfigInput } from '../../../../gateway/index';
import { WindowAnalyzer } from '../../../../gateway/dsp/window-analyzer';
import { ConfigError } from '../../../../protocol/index';
import { featureNames, parseScenario } from '../../../../scenarios/index';
import { sensorStreams } from '../../../../scenarios/expectations/names';
import { RandomStreams } from '../../../../sim/index';
import { createMachines, TEMPLATES } from '../../../../twins/index';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** Lines 1–9: pump-1 with an imbalance at 10 s, fan-1 healthy. What follows starts on line 10. */
const HEAD = [
  'name: names',
  'durationS: 60',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: fan, id: fan-1 }',
  '  - { template: environment, id: hall }',
  'faults:',
  '  - { type: imbalance, device: pump-1, atS: 10, unbalanceGmm: 20000 }',
  '  - { type: bearing, id: outer-race, device: pump-1, component: outer, atS: 30 }',
];

/** Every problem of a scenario whose own lines start at line 10, as `line path: message`. */
function problems(...lines: string[]): string[] {
  try {
    parseScenario(yaml(...HEAD, ...lines), 's.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n').map((line) => line.replace(/^s\.yaml:/, ''));
    throw error;
  }
  return [];
}

describe('load-time name checks: rules', () => {
  it('refuses a rule metric with one wrong letter, naming line, field and the nearest feature', () => {
    expect(problems('rules:', '  - { metric: rsm, sensor: accel, above: 0.2 }')).toEqual([
      '11 rules[0].metric: no gateway pipeline computes "rsm" for accel, so this rule would never fire (did you mean "rms"?)',
    ]);
  });

  it('refuses a metric the sensor\'s pipeline does not compute, listing those it does', () => {
    // Temperatures at 1 Hz get the slow pipeline: mean, rms, peak, crest; no kurtosis.
    expect(problems('rules:', '  - { metric: kurtosis, sensor: winding-temp, above: 3 }')).toEqual([
      '11 rules[0].metric: no gateway pipeline computes "kurtosis" for winding-temp, so this rule would never fire (features: rms, peak, crest, mean)',
    ]);
    // Without a sensor, a metric that some sensor's pipeline computes is fine (accel has kurtosis).
    expect(problems('rules:', '  - { metric: kurtosis, above: 3 }')).toEqual([]);
  });

  it('derives the features from the declared pipeline: bands, peaks, envelope orders and a deadband statistic', () => {
    const gateway = [
      'gateway:',
      '  pipelines:',
      '    - sensors: [accel]',
      '      features:',
      '        bandsHz: [[10, 500]]',
      '        peaks: 2',
      '        envelope: { bandHz: [2500, 4500], bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04 }, shaftRpm: 1480 }',
      '    - sensors: [winding-temp]',
      '      deadband: { delta: 0.5, feature: std }',
    ];
    const ok = ['band10_500Hz', 'peak2Amp', 'envBpfo', 'shaftHz', 'std'];
    expect(problems(...gateway, 'rules:', ...ok.map((metric) => `  - { metric: ${metric}, above: 1 }`))).toEqual([]);
    // The default's band is gone once the pipeline is declared; the nearest declared band is suggested.
    expect(problems(...gateway, '  rules:', '    - { metric: band10_1000Hz, sensor: accel, above: 1 }')).toEqual([
      '20 gateway.rules[0].metric: no gateway pipeline computes "band10_1000Hz" for accel, so this rule would never fire (did you mean "band10_500Hz"?)',
    ]);
  });

  it('refuses a misspelt rule sensor or device, cloud and gateway alike', () => {
    expect(problems('rules:', '  - { metric: rms, sensor: acel, above: 0.2 }', 'gateway:', '  rules:', '    - { metric: rms, device: pump-2, above: 0.2 }')).toEqual([
      '11 rules[0].sensor: no twin has a sensor "acel" (did you mean "accel"?)',
      '14 gateway.rules[0].device: no twin named "pump-2" (did you mean "pump-1"?)',
    ]);
    expect(problems('rules:', '  - { metric: rms, device: hall, sensor: accel, above: 0.2 }')).toEqual([
      '11 rules[0].sensor: no twin hall has a sensor "accel" (sensors: ambient-temp, humidity)',
    ]);
  });

  it('refuses a local action on a rule that does not exist', () => {
    expect(problems('gateway:', '  rules:', '    - { name: hot, metric: peak, sensor: winding-temp, above: 90 }', '  actions:', '    - { on: hto, action: stop }', '    - { on: anomaly, action: stop }')).toEqual([
      '14 gateway.actions[0].on: no local rule named "hto" (did you mean "hot"?)',
    ]);
  });
});

describe('load-time name checks: expectations', () => {
  it('refuses a fault id with one wrong letter, and a fault of another device', () => {
    expect(
      problems(
        'rules:',
        '  - { metric: rms, sensor: accel, above: 0.2 }',
        'expect:',
        '  - { type: alert, device: pump-1, fault: outer-rase, withinS: 10 }',
        '  - { type: alert, device: fan-1, fault: pump-1/imbalance }',
      ),
    ).toEqual(['13 expect[0].fault: no fault with id "outer-rase" (did you mean "outer-race"?)', '14 expect[1].fault: fault "pump-1/imbalance" is on pump-1, not fan-1']);
  });

  it('refuses a command expectation on a misspelt device, and withinS with nothing to count from', () => {
    expect(problems('expect:', '  - { type: command, device: pump1, action: stop }', '  - { type: command, device: fan-1, action: stop, withinS: 5 }')).toEqual([
      '11 expect[0].device: no twin named "pump1" (did you mean "pump-1"?)',
      '12 expect[1].withinS: withinS counts from a fault onset, but "fan-1" has no fault; give fromS (seconds into the run) to count from, or drop withinS',
    ]);
    expect(problems('expect:', '  - { type: command, device: pump-1, action: stop, fault: outer-race, fromS: 3 }')).toEqual([
      '11 expect[0].fromS: give fault or fromS, not both: withinS counts from one of them',
    ]);
  });

  it('refuses a misspelt link in no-loss', () => {
    expect(problems('expect:', '  - { type: no-loss, link: edge->clud }')).toEqual(['11 expect[0].link: unknown link "edge->clud" (did you mean "edge->cloud"?)']);
  });

  it('refuses a misspelt twin in layout:, where the page would silently lay it out elsewhere', () => {
    expect(problems('layout:', '  pump-1: { x: 4, z: -2 }', '  fan1: { x: 0, z: 3, rotationDeg: 90 }')).toEqual(['12 layout.fan1: no twin named "fan1" (did you mean "fan-1"?)']);
    expect(parseScenario(yaml(...HEAD, 'layout:', '  pump-1: { x: 4, z: -2 }')).layout).toEqual({ 'pump-1': { x: 4, z: -2, rotationDeg: 0 } });
  });
});

describe('load-time name checks: replies and rollouts', () => {
  /** pump-1 and fan-1 under gw-a, hall under gw-b: lines 10–13; what follows starts on line 14. */
  const FLEET = ['gateways:', '  - { id: gw-a, devices: [pump-1, fan-1] }', '  - { id: gw-b, devices: [hall] }', 'expect:'];

  it('refuses a reply from a misspelt gateway, naming the nearest gateway', () => {
    expect(problems(...FLEET, '  - { type: reply, device: gw-aa, action: model.stage, ok: false, code: E_MODEL_SIGNATURE }')).toEqual([
      '14 expect[0].device: no gateway or twin named "gw-aa" (did you mean "gw-a"?)',
    ]);
    // Without gateways: the one gateway is gw-1.
    expect(problems('expect:', '  - { type: reply, device: gw1, action: model.stage, ok: true }')).toEqual(['11 expect[0].device: no gateway or twin named "gw1" (did you mean "gw-1"?)']);
  });

  it('takes a reply from a gateway or a twin, and lists both when no name is close', () => {
    expect(problems(...FLEET, '  - { type: reply, device: gw-b, action: model.activate, ok: true }', '  - { type: reply, device: pump-1, action: stop, ok: true }')).toEqual([]);
    expect(problems('expect:', '  - { type: reply, device: edge-box, action: model.stage, ok: true }')).toEqual([
      '11 expect[0].device: no gateway or twin named "edge-box" (gateways and twins: gw-1, pump-1, fan-1, hall)',
    ]);
  });

  it('refuses a rollout expectation on a misspelt gateway, at its key', () => {
    expect(problems(...FLEET, '  - type: rollout', '    id: r2', '    state: paused', '    gateways: { gw-a: rolled-back, gw-c: pending }')).toEqual([
      '17 expect[0].gateways.gw-c: no gateway named "gw-c" (did you mean "gw-a"?)',
    ]);
  });

  it('refuses a gateway of the drift rollout\'s groups that the scenario does not have', () => {
    expect(problems('cloud:', '  models: true', '  drift:', '    onDrift: retrain', '    rollout: { groups: [{ gateways: [gw-2] }] }')).toEqual([
      '14 cloud.drift.rollout.groups[0].gateways[0]: no gateway named "gw-2" (did you mean "gw-1"?)',
    ]);
  });
});

describe('load-time name checks: thresholds', () => {
  it('refuses a threshold metric with one wrong letter, and lists the metrics when nothing is close', () => {
    expect(problems('thresholds:', "  qos1_lots: ['==0']", "  latency: ['p(95)<1']")).toEqual([
      '11 thresholds.qos1_lots: unknown metric "qos1_lots" (did you mean "qos1_lost"?)',
      '12 thresholds.latency: unknown metric "latency" (metrics: detection_delay_s, false_alarms_per_hour, alerts_raised, commands_received, qos1_lost, qos0_lost, duplicates, bandwidth_reduction, puback_ms, connect_ms, action_latency_ms, link_latency_ms, edge_to_cloud_latency_ms)',
    ]);
  });

  it('refuses unknown tag names and values: devices, sensors, links, kinds, fault ids', () => {
    expect(
      problems(
        'thresholds:',
        "  detection_delay_s{devise:pump-1}: ['max<30']",
        "  detection_delay_s{device:pump-l}: ['max<30']",
        "  qos1_lost{sensor:acel,link:edge-cloud}: ['==0']",
        "  alerts_raised{kind:anomalie}: ['==0']",
        "  detection_delay_s{fault:outer_race}: ['max<30']",
        "  detection_delay_s{device:fan-1,fault:outer-race}: ['max<30']",
        "  bandwidth_reduction{device:pump-1}: ['>50']",
        "  alerts_raised{device:hall,sensor:accel}: ['==0']",
      ),
    ).toEqual([
      '11 thresholds.detection_delay_s{devise:pump-1}: detection_delay_s has no tag "devise" (did you mean "device"?)',
      '12 thresholds.detection_delay_s{device:pump-l}: no twin named "pump-l" (did you mean "pump-1"?)',
      '13 thresholds.qos1_lost{sensor:acel,link:edge-cloud}: no twin has a sensor "acel" (did you mean "accel"?)',
      '13 thresholds.qos1_lost{sensor:acel,link:edge-cloud}: unknown link "edge-cloud" (did you mean "edge->cloud"?)',
      '14 thresholds.alerts_raised{kind:anomalie}: unknown kind "anomalie" (did you mean "anomaly"?)',
      '15 thresholds.detection_delay_s{fault:outer_race}: no fault with id "outer_race" (did you mean "outer-race"?)',
      '16 thresholds.detection_delay_s{device:fan-1,fault:outer-race}: fault "outer-race" is on pump-1, not fan-1',
      '17 thresholds.bandwidth_reduction{device:pump-1}: bandwidth_reduction takes no tags',
      '18 thresholds.alerts_raised{device:hall,sensor:accel}: no twin hall has a sensor "accel" (sensors: ambient-temp, humidity)',
    ]);
  });

  it('refuses conditions that do not fit the metric, at the condition\'s line', () => {
    expect(
      problems(
        'thresholds:',
        '  detection_delay_s:',
        "    - 'max<30'",
        "    - '<30'",
        "    - 'p(101)<30'",
        "    - 'max=30'",
        "  false_alarms_per_hour: ['avg<0.1']",
        "  puback_ms: ['p(95)<50']",
      ),
    ).toEqual([
      "13 thresholds.detection_delay_s[1]: detection_delay_s is a distribution: say which aggregation, e.g. 'p(95)<30' or 'max<30' (p(N), avg, min, max, med, count)",
      '14 thresholds.detection_delay_s[2]: "p(101)<30": a percentile is between 0 and 100',
      '15 thresholds.detection_delay_s[3]: "max=30" is not a condition: write an aggregation, an operator and a number, e.g. p(95)<200, max<30, or <0.1 for a single value',
      "16 thresholds.false_alarms_per_hour[0]: false_alarms_per_hour is a single value, not a distribution: write the operator and the number alone, e.g. '<0.1'",
      '17 thresholds.puback_ms[0]: puback_ms keeps only avg, min, max, med, count, p(50), p(90), p(99), not p(95)',
    ]);
  });

  it('refuses a latency on a link the scenario does not simulate', () => {
    expect(problems('links:', '  - { link: twins->edge, atS: 0, latencyMs: 5 }', 'thresholds:', "  link_latency_ms{link:edge->cloud}: ['p(95)<50']", "  edge_to_cloud_latency_ms: ['p(95)<50']", "  link_latency_ms: ['max<50']")).toEqual([
      '13 thresholds.link_latency_ms{link:edge->cloud}: edge->cloud is not simulated in this scenario (no links: entry for it), so it has no latency to measure; add one, e.g. { link: edge->cloud, atS: 0, latencyMs: 20 }',
      '14 thresholds.edge_to_cloud_latency_ms: edge_to_cloud_latency_ms is the delay drawn on the simulated edge->cloud link, and this scenario does not simulate it; add { link: edge->cloud, atS: 0, latencyMs: 20 } under links:',
    ]);
  });

  it('accepts the issue\'s example thresholds', () => {
    expect(
      problems(
        'links:',
        '  - { link: edge->cloud, atS: 0, latencyMs: 20 }',
        'rules:',
        '  - { metric: rms, sensor: accel, above: 0.2 }',
        'thresholds:',
        "  detection_delay_s{device:pump-1}: ['max<30']",
        "  action_latency_ms: ['p(99)<50']",
        "  false_alarms_per_hour: ['<0.1']",
        "  qos1_lost: ['==0']",
        "  bandwidth_reduction: ['>50']",
        "  edge_to_cloud_latency_ms: ['p(95)<200']",
      ),
    ).toEqual([]);
  });
});

describe('what the name checks know about the gateway and the twins', () => {
  const pipelines: PipelineConfigInput[] = [
    VIBRATION_PIPELINE,
    SLOW_PIPELINE,
    PER_BLOCK_PIPELINE,
    {
      sensors: ['*'],
      window: { seconds: 1 },
      features: { stats: ['mean', 'std', 'kurtosis'], bandsHz: [[10, 500], [500, 2000]], peaks: 4, envelope: { bandHz: [2500, 4500], bearing: { balls: 9, ballDiameterMm: 7.94, pitchDiameterMm: 39.04 }, shaftRpmFrom: 'peak' } },
      deadband: { delta: 0.1, feature: 'skewness' },
    },
  ];

  it.each(pipelines.map((p, i) => [i, p] as const))('featureNames(pipeline %i) are exactly the keys the gateway\'s WindowAnalyzer writes', (_i, input) => {
    const pipeline = PipelineSchema.parse(input);
    const analyzer = new WindowAnalyzer(pipeline.features, pipeline.window.function);
    const x = Float64Array.from({ length: 25_600 }, (_, k) => Math.sin(k / 7) + 0.1 * Math.sin(k / 3));
    const written = Object.keys(analyzer.analyze(x, x.length, 25_600, pipeline.deadband?.feature));
    expect([...featureNames(pipeline)].sort()).toEqual(written.sort());
  });

  it('knows the unit and rate of every template\'s sensors as the twins publish them', async () => {
    const twins = TEMPLATES.map((template) => ({ template, id: `${template}-1` }));
    // With every optional sensor on (the motor's power meter), so each one's unit is checked too.
    const metered = new Set(['pump', 'fan', 'conveyor']);
    const scenario = parseScenario(
      yaml('name: all', 'durationS: 1', 'twins:', ...twins.map((t) => `  - { template: ${t.template}, id: ${t.id}${metered.has(t.template) ? ', sensors: { power: { enabled: true } }' : ''} }`)),
    );
    const machines = await createMachines(scenario, new RandomStreams(1));
    for (const [i, twin] of scenario.twins.entries()) {
      const real = machines[i]!.channels.map((c) => ({ sensor: c.sensor, unit: c.unit, rateHz: c.rateHz }));
      expect(sensorStreams(twin), twin.template).toEqual(real);
    }
  });
});
