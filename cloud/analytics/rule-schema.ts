import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { RateLimitSchema, RuleActionSchema } from './action-schema';
import { unknownTypeError } from './discriminator-error';
import { WindowSpecSchema } from './window-schema';

// The `above` variant is today's ThresholdRuleSchema field for field (same defaults, same refinement and message),
// so every rule file written for it parses here unchanged and keeps its meaning.

export const RULE_TYPES = ['above', 'below', 'band', 'rate', 'for', 'absent', 'anomaly'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

const finite = () => z.number().finite();

const baseShape = (defaultName: string) => ({
  name: z.string().min(1).optional().describe(`Name carried by the alerts it raises; unique among the rules. Default ${defaultName}.`),
  device: IdSchema.optional().describe('Only watch this device. Default: every device.'),
  sensor: IdSchema.optional().describe('Only watch this sensor (e.g. accel). Default: every sensor.'),
  severity: z.enum(['warning', 'critical']).default('warning').describe('Default `warning`.'),
  then: z.array(RuleActionSchema).optional().describe('Commands sent when the alert is raised or cleared. Default none.'),
  rateLimit: RateLimitSchema.optional().describe('Token bucket on those commands, per target. Default 1 per 60 s.'),
});

const metricShape = {
  metric: z.string().min(1).default('rms').describe('Feature to watch, e.g. `rms`, `peak`, `crest`. Default `rms`.'),
  window: WindowSpecSchema.optional().describe('Evaluate on window aggregates of the feature instead of on each record. Default: each record.'),
};

const AboveRuleSchema = z
  .object({
    type: z.literal('above').default('above').describe('Alert while the feature exceeds `above`. Default `above`.'),
    ...baseShape('`<metric> above <above>`'),
    ...metricShape,
    above: finite().describe('Raise an alert when the feature exceeds this value, in the feature\'s unit.'),
    clearBelow: finite().optional().describe('Clear the alert when the feature falls below this value (hysteresis). Default 0.8 × above.'),
  })
  .strict()
  .refine((r) => r.clearBelow === undefined || r.clearBelow <= r.above, { message: 'clearBelow must not exceed above', path: ['clearBelow'] });

const BelowRuleSchema = z
  .object({
    type: z.literal('below').describe('Alert while the feature is under `below`.'),
    ...baseShape('`<metric> below <below>`'),
    ...metricShape,
    below: finite().describe('Raise an alert when the feature falls under this value, in the feature\'s unit. Required.'),
    clearAbove: finite().optional().describe('Clear the alert when the feature rises above this value (hysteresis). Default below + 0.2 × |below|.'),
  })
  .strict()
  .refine((r) => r.clearAbove === undefined || r.clearAbove >= r.below, { message: 'clearAbove must not be under below', path: ['clearAbove'] });

const BandRuleSchema = z
  .object({
    type: z.literal('band').describe('Alert while the feature is outside [low, high].'),
    ...baseShape('`<metric> outside <low>..<high>`'),
    ...metricShape,
    low: finite().describe('Lower edge of the normal band, in the feature\'s unit. Required.'),
    high: finite().describe('Upper edge of the normal band, in the feature\'s unit. Required.'),
    clearMargin: finite()
      .nonnegative()
      .optional()
      .describe('Hysteresis: clear only once the feature is back inside [low + margin, high − margin], in the feature\'s unit. Default 0.1 × (high − low).'),
  })
  .strict()
  .refine((r) => r.low < r.high, { message: 'low must be under high', path: ['high'] })
  .refine((r) => r.clearMargin === undefined || 2 * r.clearMargin < r.high - r.low, {
    message: 'clearMargin must be under half the band (high − low) / 2, or the alert could never clear',
    path: ['clearMargin'],
  });

const RateRuleSchema = z
  .object({
    type: z.literal('rate').describe('Alert while the feature changes faster than maxPerS between consecutive records (or windows).'),
    ...baseShape('`<metric> rate above <maxPerS>/s`'),
    ...metricShape,
    maxPerS: finite().positive().describe('Raise when |Δvalue| / Δt exceeds this, in the feature\'s unit per second of event time. Required.'),
    clearBelowPerS: finite()
      .nonnegative()
      .optional()
      .describe('Clear when the rate falls below this, in the feature\'s unit per second (hysteresis). Default 0.8 × maxPerS.'),
  })
  .strict()
  .refine((r) => r.clearBelowPerS === undefined || r.clearBelowPerS <= r.maxPerS, { message: 'clearBelowPerS must not exceed maxPerS', path: ['clearBelowPerS'] });

const ForRuleSchema = z
  .object({
    type: z.literal('for').describe('Alert once `above` or `below` has held continuously for forS of event time.'),
    ...baseShape('`<metric> above <above> for <forS> s` (or below)'),
    ...metricShape,
    above: finite().optional().describe('The condition: the feature exceeds this, in its unit. Give above or below.'),
    below: finite().optional().describe('The condition: the feature is under this, in its unit. Give above or below.'),
    forS: finite().positive().describe('Seconds of event time the condition must hold, unbroken, before the alert is raised. Required.'),
    clearBelow: finite().optional().describe('With above: clear when the feature falls below this. Default 0.8 × above.'),
    clearAbove: finite().optional().describe('With below: clear when the feature rises above this. Default below + 0.2 × |below|.'),
  })
  .strict()
  .refine((r) => (r.above === undefined) !== (r.below === undefined), { message: 'give exactly one condition: above or below', path: ['above'] })
  .refine((r) => r.clearBelow === undefined || (r.above !== undefined && r.clearBelow <= r.above), {
    message: 'clearBelow goes with above and must not exceed it',
    path: ['clearBelow'],
  })
  .refine((r) => r.clearAbove === undefined || (r.below !== undefined && r.clearAbove >= r.below), {
    message: 'clearAbove goes with below and must not be under it',
    path: ['clearAbove'],
  });

const AbsentRuleSchema = z
  .object({
    type: z.literal('absent').describe('Alert when a device (or one of its sensors) goes silent or offline; clear when data resumes.'),
    ...baseShape('`no data for <timeoutS> s`'),
    timeoutS: finite().positive().describe('Seconds of event time without a window before the alert is raised. Required.'),
  })
  .strict();

const AnomalyRuleSchema = z
  .object({
    type: z.literal('anomaly').describe('Alert while the anomaly score a window carries exceeds its threshold.'),
    ...baseShape('`anomaly score` (`anomaly score above <above>` with above)'),
    window: metricShape.window,
    above: finite().optional().describe('Raise when the score exceeds this. Default: the threshold of the model that scored the window.'),
    clearBelow: finite().optional().describe('Clear when the score falls below this (hysteresis). Default 0.8 × the threshold.'),
  })
  .strict()
  .refine((r) => r.clearBelow === undefined || r.above === undefined || r.clearBelow <= r.above, { message: 'clearBelow must not exceed above', path: ['clearBelow'] });

export const CloudRuleSchema = z.discriminatedUnion(
  'type',
  [AboveRuleSchema, BelowRuleSchema, BandRuleSchema, RateRuleSchema, ForRuleSchema, AbsentRuleSchema, AnomalyRuleSchema],
  { error: unknownTypeError('rule', RULE_TYPES) },
);

export type CloudRule = z.output<typeof CloudRuleSchema>;
export type CloudRuleInput = z.input<typeof CloudRuleSchema>;
export type CloudRuleOf<T extends RuleType> = Extract<CloudRule, { type: T }>;

/** A rule list: names must be unique, because an alert's identity is its rule name with device, sensor and time. */
export const CloudRulesSchema = z.array(CloudRuleSchema).superRefine((rules, ctx) => {
  const seen = new Map<string, number>();
  rules.forEach((rule, index) => {
    const name = ruleName(rule);
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `rule "${name}" is also rules[${first}]; give one of them a distinct name` });
  });
});

/** The name a rule's alerts carry: its own, or one derived from its fields (for `above`, exactly as AlertEngine derives it). */
export function ruleName(rule: CloudRule): string {
  if (rule.name !== undefined) return rule.name;
  const label = rule.type === 'absent' ? '' : valueLabel(rule);
  switch (rule.type) {
    case 'above':
      return `${label} above ${rule.above}`;
    case 'below':
      return `${label} below ${rule.below}`;
    case 'band':
      return `${label} outside ${rule.low}..${rule.high}`;
    case 'rate':
      return `${label} rate above ${rule.maxPerS}/s`;
    case 'for':
      return rule.above !== undefined ? `${label} above ${rule.above} for ${rule.forS} s` : `${label} below ${rule.below} for ${rule.forS} s`;
    case 'absent':
      return `no data for ${rule.timeoutS} s`;
    case 'anomaly':
      return rule.above !== undefined ? `anomaly ${label} above ${rule.above}` : `anomaly ${label}`;
  }
}

/** What the rule watches as written in names and messages: `rms`, or `mean(rms)` over a window. */
export function valueLabel(rule: Exclude<CloudRule, { type: 'absent' }>): string {
  const metric = rule.type === 'anomaly' ? 'score' : rule.metric;
  return rule.window ? `${rule.window.agg}(${metric})` : metric;
}
