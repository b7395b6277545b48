import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError } from '../../../../protocol';
import { parseScenario, type Scenario } from '../../../../scenarios';
import { planRun, TargetSchema, type Target } from '../../../../scenarios/target';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** Two pumps with a fault on pump-1 and a cloud rule; `expect` starts on line 15, each entry two lines long. */
const SOURCE = yaml(
  'name: plan',
  'durationS: 120',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: pump, id: pump-2 }',
  'faults:',
  '  - { type: imbalance, device: pump-1, atS: 60, unbalanceGmm: 20000 }',
  'rules:',
  '  - { metric: rms, sensor: accel, above: 0.2 }',
  'links:',
  '  - { link: twins->edge, atS: 0, latencyMs: 5 }',
  '  - { link: edge->cloud, atS: 10, forS: 20, partition: true }',
  '',
  'expect:',
  '  - type: alert', //      line 15, expect[0]
  '    device: pump-1',
  '  - type: alert', //      line 17, expect[1]
  '    device: pump-2',
  '  - type: no-alert', //   line 19, expect[2]
  '    kind: anomaly',
  '  - type: stored-exactly-once', // line 21, expect[3]
);
const scenario: Scenario = parseScenario(SOURCE, 'plan.yaml');

const MQTT = { kind: 'mqtt', devices: { url: 'mqtt://127.0.0.1:1883' } } as const;
const target = (input: Record<string, unknown>): Target => TargetSchema.parse(input as z.input<typeof TargetSchema>);
const alertTopic = (fields: Record<string, unknown> = { device: 'device', kind: 'kind' }) => ({ filter: 'sut/+/alarm', as: 'alert', fields });
const readingTopic = (fields: Record<string, unknown> = { device: 'device', sensor: 'sensor', seq: 'seq' }) => ({ filter: 'sut/+/features/+', as: 'reading', fields });

function refusalOf(s: Scenario, t: Target, where: { source?: string } = { source: SOURCE }): ConfigError {
  try {
    planRun(s, t, { targetName: 'sut.yaml', file: 'plan.yaml', ...where });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected planRun to refuse');
}

const NO_EDGE_CLOUD = { ...scenario, links: scenario.links.filter((l) => l.link === 'twins->edge') };
const SKIP_HINT = 'list it under skip: in the target, with a reason, to run without it';

describe('planRun against an mqtt target', () => {
  it('plans every expectation when the observe mapping can judge them all, and lets twins->edge links through', () => {
    const planned = planRun(NO_EDGE_CLOUD, target({ ...MQTT, observe: { topics: [alertTopic(), readingTopic()] } }), { targetName: 'sut.yaml' });
    expect(planned.map((p) => [p.index, p.expectation.type, p.skipped])).toEqual([
      [0, 'alert', undefined],
      [1, 'alert', undefined],
      [2, 'no-alert', undefined],
      [3, 'stored-exactly-once', undefined],
    ]);
  });

  it('refuses alert expectations when nothing is mapped as an alert, at each one\'s line', () => {
    const error = refusalOf(NO_EDGE_CLOUD, target({ ...MQTT, observe: { topics: [readingTopic()] } }));
    const message = `sut.yaml cannot judge "alert": its observe: section maps no topic \`as: alert\`; ${SKIP_HINT}`;
    expect(error.issues).toEqual([
      { line: 15, path: 'expect[0].type', message },
      { line: 17, path: 'expect[1].type', message },
      { line: 19, path: 'expect[2].type', message: message.replace('"alert"', '"no-alert"') },
    ]);
    expect(error.message.split('\n')[0]).toBe(`plan.yaml:15 expect[0].type: ${message}`);
  });

  it('refuses an expectation on a kind when an alert topic has no fields.kind, naming that topic, at the kind\'s line', () => {
    const t = target({ ...MQTT, observe: { topics: [alertTopic({ device: 'device' }), readingTopic()] } });
    const error = refusalOf(NO_EDGE_CLOUD, t);
    expect(error.issues).toEqual([
      { line: 20, path: 'expect[2].kind', message: `sut.yaml cannot judge "no-alert": it cannot tell alerts from anomalies: observe topic "sut/+/alarm" has no fields.kind; ${SKIP_HINT}` },
    ]);
  });

  it('refuses stored-exactly-once without a store query or a topic mapped as a reading', () => {
    const error = refusalOf(NO_EDGE_CLOUD, target({ ...MQTT, observe: { topics: [alertTopic()] } }));
    expect(error.issues).toEqual([
      { line: 21, path: 'expect[3].type', message: `sut.yaml cannot judge "stored-exactly-once": it declares no store: query and its observe: section maps no topic \`as: reading\`; ${SKIP_HINT}` },
    ]);
  });

  it('refuses stored-exactly-once when a reading topic has no fields.seq, since copies and gaps look alike', () => {
    const error = refusalOf(NO_EDGE_CLOUD, target({ ...MQTT, observe: { topics: [alertTopic(), readingTopic({ device: 'device', sensor: 'sensor' })] } }));
    expect(error.issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [21, 'expect[3].type', `sut.yaml cannot judge "stored-exactly-once": observe topic "sut/+/features/+" has no fields.seq, so copies and gaps cannot be told apart, and it declares no store: query; ${SKIP_HINT}`],
    ]);
  });

  it('judges stored-exactly-once by a store query even when no reading topic is observed', () => {
    const t = target({ ...MQTT, observe: { topics: [alertTopic()] }, store: { kind: 'sqlite', path: 'sut.db', query: 'SELECT device, sensor, count(*) AS count FROM readings GROUP BY 1, 2' } });
    expect(planRun(NO_EDGE_CLOUD, t, { targetName: 'sut.yaml' }).map((p) => p.skipped)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('refuses an edge->cloud link, which runs inside the system under test, at its line', () => {
    const error = refusalOf(scenario, target({ ...MQTT, observe: { topics: [alertTopic(), readingTopic()] } }));
    expect(error.issues).toEqual([
      {
        line: 12,
        path: 'links[1].link',
        message: 'edge->cloud runs inside the system under test (sut.yaml); only twins->edge is simulated here. Impair its uplink with `twinbed proxy` in front of its upstream broker',
      },
    ]);
  });

  it('reports every refusal at once, and without the scenario text names dotted paths without lines', () => {
    const error = refusalOf(scenario, target({ ...MQTT, observe: { topics: [readingTopic({ device: 'device', sensor: 'sensor' })] } }), {});
    expect(error.issues.map((i) => [i.line, i.path])).toEqual([
      [undefined, 'expect.0.type'],
      [undefined, 'expect.1.type'],
      [undefined, 'expect.2.type'],
      [undefined, 'expect.3.type'],
      [undefined, 'links.1.link'],
    ]);
    expect(error.file).toBe('plan.yaml');
  });
});

describe('planRun skip entries', () => {
  it('skips every expectation of a type with the target\'s reason instead of refusing it', () => {
    const t = target({ ...MQTT, observe: { topics: [readingTopic()] }, skip: [{ expectation: 'alert', reason: 'the SUT raises no alarms over MQTT' }, { expectation: 'no-alert', reason: 'same' }] });
    expect(planRun(NO_EDGE_CLOUD, t, { targetName: 'sut.yaml' }).map((p) => [p.expectation.type, p.skipped])).toEqual([
      ['alert', 'the SUT raises no alarms over MQTT'],
      ['alert', 'the SUT raises no alarms over MQTT'],
      ['no-alert', 'same'],
      ['stored-exactly-once', undefined],
    ]);
  });

  it('skips only the named device\'s expectations with a device filter, and still refuses the others', () => {
    const skip = [{ expectation: 'alert', device: 'pump-2', reason: 'pump-2 is not wired to the alarm system' }];
    const error = refusalOf(NO_EDGE_CLOUD, target({ ...MQTT, observe: { topics: [readingTopic()] }, skip: [...skip, { expectation: 'no-alert', reason: 'n/a here' }] }));
    expect(error.issues.map((i) => i.path)).toEqual(['expect[0].type']);

    const observed = target({ ...MQTT, observe: { topics: [alertTopic(), readingTopic()] }, skip });
    expect(planRun(NO_EDGE_CLOUD, observed, { targetName: 'sut.yaml' }).map((p) => p.skipped)).toEqual([undefined, 'pump-2 is not wired to the alarm system', undefined, undefined]);
  });

  it('does not apply a device filter to an expectation that names no device', () => {
    const t = target({ ...MQTT, observe: { topics: [alertTopic({ device: 'device' }), readingTopic()] }, skip: [{ expectation: 'no-alert', device: 'pump-1', reason: 'only pump-1' }] });
    expect(refusalOf(NO_EDGE_CLOUD, t).issues.map((i) => i.path)).toEqual(['expect[2].kind']);
  });
});

describe('planRun against the embedded target', () => {
  it('refuses alert expectations in a scenario without any rule or anomaly model, without naming a target', () => {
    const source = yaml('name: no rules', 'durationS: 60', 'twins:', '  - { template: pump, id: pump-1 }', 'expect:', '  - { type: alert, device: pump-1 }', '  - { type: stored-exactly-once }');
    const error = refusalOf(parseScenario(source, 'plan.yaml'), target({ kind: 'embedded' }), { source });
    expect(error.issues).toEqual([{ line: 6, path: 'expect[0].type', message: '"alert" needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)' }]);
  });

  it('judges every expectation of a scenario with rules, edge->cloud links included, unless skipped', () => {
    const t = target({ kind: 'embedded', skip: [{ expectation: 'stored-exactly-once', reason: 'measured elsewhere' }] });
    expect(planRun(scenario, t, { targetName: 'embedded' }).map((p) => p.skipped)).toEqual([undefined, undefined, undefined, 'measured elsewhere']);
  });
});

describe('planRun of the model-lifecycle expectations', () => {
  /** One pump and a cloud rule; `expect` starts on line 7, one line each. */
  const lifecycle = (...lines: string[]) =>
    yaml('name: lifecycle', 'durationS: 600', 'twins:', '  - { template: pump, id: pump-1 }', 'rules: [{ metric: rms, sensor: accel, above: 0.2 }]', ...lines);
  const EXPECT = [
    'expect:',
    '  - { type: rollout, id: drift-1-1-0, state: finished }', // line 7
    '  - { type: reply, device: gw-1, action: model.stage, ok: false, code: E_MODEL_SIGNATURE }', // line 8
    '  - { type: alert, device: pump-1, rule: drift }', // line 9
  ];

  it('refuses a rollout expectation on the embedded target without cloud.models, and judges it with', () => {
    const source = lifecycle(...EXPECT);
    const error = refusalOf(parseScenario(source, 'plan.yaml'), target({ kind: 'embedded' }), { source });
    expect(error.issues).toEqual([{ line: 7, path: 'expect[0].type', message: '"rollout" needs cloud: { models: true }: without it the embedded cloud trains and rolls out no model' }]);
    const withModels = lifecycle('cloud: { models: true }', ...EXPECT);
    expect(planRun(parseScenario(withModels, 'plan.yaml'), target({ kind: 'embedded' }), { targetName: 'embedded' }).map((p) => [p.expectation.type, p.skipped])).toEqual([
      ['rollout', undefined],
      ['reply', undefined],
      ['alert', undefined],
    ]);
  });

  it('refuses rollouts, replies and an alert rule on an mqtt target that does not map them, and plans them when it does', () => {
    const source = lifecycle(...EXPECT);
    const s = parseScenario(source, 'plan.yaml');
    const error = refusalOf(s, target({ ...MQTT, observe: { topics: [alertTopic()] } }), { source });
    expect(error.issues).toEqual([
      { line: 7, path: 'expect[0].type', message: `sut.yaml cannot judge "rollout": its observe: section maps no topic \`as: rollout\` (a twinbed cloud publishes them on twinbed-cloud/v1/rollout/+); ${SKIP_HINT}` },
      { line: 8, path: 'expect[1].type', message: `sut.yaml cannot judge "reply": its observe: section maps no topic \`as: reply\`; ${SKIP_HINT}` },
      { line: 9, path: 'expect[2].rule', message: `sut.yaml cannot judge "alert": observe topic "sut/+/alarm" has no fields.rule, so its alerts carry no rule to match; ${SKIP_HINT}` },
    ]);
    const mapped = target({
      ...MQTT,
      observe: { topics: [alertTopic({ device: 'device', kind: 'kind', rule: 'rule' }), { filter: 'twinbed-cloud/v1/rollout/+', as: 'rollout' }, { filter: 'twinbed/v1/+/+/reply', as: 'reply' }] },
    });
    expect(planRun(s, mapped, { targetName: 'sut.yaml' }).map((p) => p.skipped)).toEqual([undefined, undefined, undefined]);
  });
});
