import { CloudRuleSchema, type CloudRule, type RuleOutput, type WindowInput } from '../../../../cloud/analytics/index';

/** 2026-01-01T00:00:00Z, ms since the Unix epoch; aligned to every window size used in these tests. */
export const T0 = Date.UTC(2026, 0, 1);

/** Event time `seconds` after T0, in ms. */
export const s = (seconds: number) => T0 + seconds * 1000;

export const rules = (...inputs: Record<string, unknown>[]): CloudRule[] => inputs.map((r) => CloudRuleSchema.parse(r));

/** A window of pump-1/temp-bearing in degC at `seconds`, unless `where` says otherwise. */
export function windowAt(seconds: number, features: Record<string, number>, where: Partial<WindowInput> = {}): WindowInput {
  return { site: 'plant-a', device: 'pump-1', sensor: 'temp-bearing', unit: 'degC', tsMs: s(seconds), features, ...where };
}

/** Alert changes as `<rule>:<state>@<seconds>` for compact sequences. */
export const transitions = (out: RuleOutput) => out.changes.map((c) => `${c.rule}:${c.state}@${(c.tsMs - T0) / 1000}`);
