import { z } from 'zod';
import type { EventV1 } from './messages';
import { IdSchema } from './topics';

// Threshold rules are part of the contract: the cloud evaluates them on stored windows, and an edge gateway on
// the windows it computes, with the same hysteresis, so a rule means the same thing at either layer.

/** What a rule evaluates: one window of features of one device sensor. */
export interface RuleInput {
  device: string;
  sensor: string;
  unit: string;
  tsMs: number;
  features: Record<string, number>;
}

/** An alert state change, as an event without its envelope fields. */
export type AlertChange = Omit<EventV1, 'type' | 'v' | 'kind' | 'origin'>;

export const ThresholdRuleSchema = z
  .object({
    name: z.string().min(1).optional().describe('Name carried by the alerts it raises. Default `<metric> above <above>`.'),
    metric: z.string().min(1).default('rms').describe('Feature to watch, e.g. `rms`, `peak`, `crest`. Default `rms`.'),
    above: z.number().finite().describe('Raise an alert when the feature exceeds this value, in the feature\'s unit.'),
    clearBelow: z.number().finite().optional().describe('Clear the alert when the feature falls below this value (hysteresis). Default 0.8 × above.'),
    device: IdSchema.optional().describe('Only watch this device. Default: every device.'),
    sensor: IdSchema.optional().describe('Only watch this sensor (e.g. accel). Default: every sensor.'),
    severity: z.enum(['warning', 'critical']).default('warning').describe('Default `warning`.'),
  })
  .strict()
  .refine((r) => r.clearBelow === undefined || r.clearBelow <= r.above, { message: 'clearBelow must not exceed above', path: ['clearBelow'] });

export type ThresholdRule = z.output<typeof ThresholdRuleSchema>;

/** Threshold rules with hysteresis: one alert when a feature crosses `above`, one clear when it drops below `clearBelow`. */
export class AlertEngine {
  readonly #rules: readonly ThresholdRule[];
  readonly #active = new Set<string>();

  constructor(rules: readonly ThresholdRule[]) {
    this.#rules = rules;
  }

  /** State changes caused by one record, in rule order. */
  evaluate(record: RuleInput): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const rule of this.#rules) {
      if ((rule.device && rule.device !== record.device) || (rule.sensor && rule.sensor !== record.sensor)) continue;
      const value = record.features[rule.metric];
      if (value === undefined) continue;
      const name = rule.name ?? `${rule.metric} above ${rule.above}`;
      const key = `${name}\u0000${record.device}\u0000${record.sensor}`;
      const active = this.#active.has(key);
      const clearBelow = rule.clearBelow ?? 0.8 * rule.above;
      const base = { device: record.device, sensor: record.sensor, rule: name, severity: rule.severity, tsMs: record.tsMs, value };
      const unit = DIMENSIONLESS.has(rule.metric) ? '' : ` ${record.unit}`;
      if (!active && value > rule.above) {
        this.#active.add(key);
        const message = `${record.device}/${record.sensor} ${rule.metric} ${format(value)}${unit} exceeds ${format(rule.above)}`;
        changes.push({ ...base, state: 'raised', threshold: rule.above, message });
      } else if (active && value < clearBelow) {
        this.#active.delete(key);
        const message = `${record.device}/${record.sensor} ${rule.metric} ${format(value)}${unit} back below ${format(clearBelow)}`;
        changes.push({ ...base, state: 'cleared', threshold: clearBelow, message });
      }
    }
    return changes;
  }
}

/** Features that are ratios, so the block's unit does not apply to them. */
const DIMENSIONLESS: ReadonlySet<string> = new Set(['crest', 'kurtosis', 'skewness']);

function format(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
