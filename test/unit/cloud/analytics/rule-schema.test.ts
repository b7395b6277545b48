import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudRuleSchema, CloudRulesSchema, ruleName } from '../../../../cloud/analytics/index';
import { ConfigError, parseYamlConfig, ThresholdRuleSchema } from '../../../../protocol/index';

const parse = (input: Record<string, unknown>) => CloudRuleSchema.parse(input);
const issuesOf = (input: unknown) => {
  const result = CloudRuleSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));
};

describe('CloudRuleSchema: today\'s threshold rules', () => {
  const thresholdRules = [
    { above: 0.2 },
    { above: 1, clearBelow: 0.5, severity: 'critical', name: 'pump rms' },
    { metric: 'peak', above: 2, device: 'pump-2', sensor: 'accel' },
    { metric: 'crest', above: 6, clearBelow: 6 },
  ];

  it('parses every ThresholdRuleSchema rule to the same fields, typed `above`', () => {
    for (const input of thresholdRules) expect(parse(input)).toEqual({ ...ThresholdRuleSchema.parse(input), type: 'above' });
  });

  it('derives the same default name, `<metric> above <above>`', () => {
    expect(ruleName(parse({ above: 0.2 }))).toBe('rms above 0.2');
    expect(ruleName(parse({ metric: 'peak', above: 2 }))).toBe('peak above 2');
    expect(ruleName(parse({ above: 1, name: 'pump rms' }))).toBe('pump rms');
  });

  it('rejects clearBelow above `above` with the same path and message as ThresholdRuleSchema', () => {
    const input = { above: 0.2, clearBelow: 0.3 };
    const before = ThresholdRuleSchema.safeParse(input).error!.issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));
    expect(issuesOf(input)).toEqual(before);
    expect(issuesOf(input)).toEqual([{ path: ['clearBelow'], message: 'clearBelow must not exceed above', code: 'custom' }]);
  });

  it('rejects an unknown key and a severity outside warning/critical, as before', () => {
    expect(issuesOf({ above: 1, abve: 2 })).toEqual([expect.objectContaining({ code: 'unrecognized_keys' })]);
    expect(issuesOf({ above: 1, severity: 'fatal' })).toEqual([expect.objectContaining({ path: ['severity'] })]);
  });
});

describe('CloudRuleSchema: rule types', () => {
  it('names a misspelt type and suggests the nearest one, listing them all', () => {
    expect(issuesOf({ type: 'belw', below: 5 })).toEqual([
      { path: ['type'], code: 'invalid_union', message: 'unknown rule type "belw" (did you mean "below"?); use one of: above, below, band, rate, for, absent, anomaly' },
    ]);
    expect(issuesOf({ type: 'threshold', above: 5 })[0]!.message).toBe('unknown rule type "threshold"; use one of: above, below, band, rate, for, absent, anomaly');
  });

  it('suggests the nearest window type for a misspelt window', () => {
    const issues = issuesOf({ above: 90, window: { type: 'tumbeling', sizeS: 10, agg: 'mean' } });
    expect(issues).toEqual([expect.objectContaining({ path: ['window', 'type'], message: expect.stringMatching(/^unknown window type "tumbeling" \(did you mean "tumbling"\?\)/) })]);
  });

  it('rejects keys that belong to another type', () => {
    expect(issuesOf({ type: 'band', low: 0, high: 1, above: 3 })).toEqual([expect.objectContaining({ code: 'unrecognized_keys', path: [] })]);
    expect(issuesOf({ type: 'absent', timeoutS: 30, window: { type: 'tumbling', sizeS: 10, agg: 'mean' } })).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys' }),
    ]);
  });

  it('fills defaults for every new type: metric rms, severity warning, and window lateness 0 with late drop', () => {
    expect(parse({ type: 'below', below: 5 })).toEqual({ type: 'below', below: 5, metric: 'rms', severity: 'warning' });
    expect(parse({ type: 'rate', metric: 'mean', maxPerS: 2, window: { type: 'hopping', sizeS: 10, hopS: 5, agg: 'p95' } })).toEqual({
      type: 'rate',
      metric: 'mean',
      maxPerS: 2,
      severity: 'warning',
      window: { type: 'hopping', sizeS: 10, hopS: 5, agg: 'p95', allowedLatenessS: 0, late: 'drop' },
    });
    expect(parse({ type: 'absent', timeoutS: 30, device: 'pump-1' })).toEqual({ type: 'absent', timeoutS: 30, device: 'pump-1', severity: 'warning' });
    expect(parse({ type: 'anomaly' })).toEqual({ type: 'anomaly', severity: 'warning' });
  });

  it('defaults an action to on: raised, sent to the device', () => {
    const rule = parse({ above: 90, then: [{ command: { action: 'slow-down', args: { speedRpm: 888 } } }], rateLimit: { max: 2, perS: 10 } });
    expect(rule.then).toEqual([{ on: 'raised', command: { to: 'device', action: 'slow-down', args: { speedRpm: 888 } } }]);
    expect(rule.rateLimit).toEqual({ max: 2, perS: 10 });
  });

  it('checks each type\'s own consistency, at the field to fix', () => {
    expect(issuesOf({ type: 'below', below: 5, clearAbove: 4 })).toEqual([expect.objectContaining({ path: ['clearAbove'] })]);
    expect(issuesOf({ type: 'band', low: 80, high: 20 })).toEqual([expect.objectContaining({ path: ['high'], message: 'low must be under high' })]);
    expect(issuesOf({ type: 'band', low: 20, high: 80, clearMargin: 30 })).toEqual([expect.objectContaining({ path: ['clearMargin'] })]);
    expect(issuesOf({ type: 'for', above: 90, below: 10, forS: 60 })).toEqual([expect.objectContaining({ path: ['above'], message: 'give exactly one condition: above or below' })]);
    expect(issuesOf({ type: 'for', forS: 60 })).toEqual([expect.objectContaining({ path: ['above'] })]);
    expect(issuesOf({ type: 'for', below: 10, clearBelow: 5, forS: 60 })).toEqual([expect.objectContaining({ path: ['clearBelow'] })]);
    expect(issuesOf({ type: 'rate', maxPerS: 0 })).toEqual([expect.objectContaining({ path: ['maxPerS'] })]);
    expect(issuesOf({ above: 1, window: { type: 'hopping', sizeS: 10, hopS: 20, agg: 'mean' } })).toEqual([expect.objectContaining({ path: ['window', 'hopS'] })]);
    expect(issuesOf({ above: 1, window: { type: 'session', sizeS: 10, agg: 'mean' } })).toEqual([
      expect.objectContaining({ path: ['window', 'gapS'] }),
      expect.objectContaining({ code: 'unrecognized_keys', path: ['window'] }),
    ]);
    expect(issuesOf({ above: 1, window: { type: 'tumbling', sizeS: 0.0001, agg: 'mean' } })).toEqual([expect.objectContaining({ path: ['window', 'sizeS'] })]);
  });

  it('derives a default name for every type', () => {
    const names = [
      { type: 'below', below: 5 },
      { type: 'band', metric: 'mean', low: 20, high: 80 },
      { type: 'rate', metric: 'mean', maxPerS: 2 },
      { type: 'for', metric: 'mean', above: 90, forS: 60 },
      { type: 'for', metric: 'mean', below: 5, forS: 30 },
      { type: 'absent', timeoutS: 30 },
      { type: 'anomaly' },
      { type: 'anomaly', above: 0.9 },
      { above: 90, metric: 'temp', window: { type: 'tumbling', sizeS: 10, agg: 'mean' } },
    ].map((r) => ruleName(parse(r)));
    expect(names).toEqual([
      'rms below 5',
      'mean outside 20..80',
      'mean rate above 2/s',
      'mean above 90 for 60 s',
      'mean below 5 for 30 s',
      'no data for 30 s',
      'anomaly score',
      'anomaly score above 0.9',
      'mean(temp) above 90',
    ]);
  });
});

describe('CloudRulesSchema', () => {
  it('rejects two rules with the same name, derived names included, at the second one', () => {
    const result = CloudRulesSchema.safeParse([{ above: 0.2 }, { type: 'below', below: 1 }, { above: 0.2, severity: 'critical' }]);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ path: [2, 'name'], message: 'rule "rms above 0.2" is also rules[0]; give one of them a distinct name' }),
    ]);
    expect(CloudRulesSchema.safeParse([{ above: 0.2 }, { above: 0.2, name: 'rms high' }]).success).toBe(true);
  });
});

describe('CloudRuleSchema in a YAML file', () => {
  const errorOf = (text: string) => {
    try {
      parseYamlConfig(text, 'rules.yaml', z.object({ rules: CloudRulesSchema }).strict());
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('reports a misspelt type and a misspelt field of a typed rule with file, line and suggestion', () => {
    expect(errorOf('rules:\n  - above: 0.2\n  - type: belw\n    below: 5\n')).toBe(
      'rules.yaml:3 rules[1].type: unknown rule type "belw" (did you mean "below"?); use one of: above, below, band, rate, for, absent, anomaly',
    );
    expect(errorOf('rules:\n  - type: for\n    above: 90\n    forS: 60\n    fors: 30\n')).toBe('rules.yaml:5 rules[0].fors: unknown field (did you mean "forS"?)');
  });
});

describe('CloudRuleSchema as JSON Schema', () => {
  it('gives every field of every rule type a description, for editors that autocomplete rule files', () => {
    const schema = z.toJSONSchema(CloudRuleSchema, { io: 'input', unrepresentable: 'any' }) as { oneOf: JsonObject[] };
    expect(schema.oneOf).toHaveLength(7);
    const undocumented: string[] = [];
    const visit = (node: JsonObject, path: string) => {
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonObject>)) {
        if (typeof child.description !== 'string' || child.description.length < 8) undocumented.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      for (const option of (node.oneOf ?? node.anyOf ?? []) as JsonObject[]) visit(option, path);
      if (node.items) visit(node.items as JsonObject, `${path}[]`);
    };
    schema.oneOf.forEach((option, i) => visit(option, `oneOf[${i}]`));
    expect(undocumented).toEqual([]);
    const forRule = schema.oneOf.find((o) => (o.properties as Record<string, JsonObject>).type!.const === 'for')!;
    expect((forRule.properties as Record<string, JsonObject>).forS!.description).toMatch(/^Seconds of event time/);
  });
});

type JsonObject = Record<string, unknown>;
