import type { CloudRule } from './rule-schema';

// Same wording and number format as protocol's AlertEngine, so an `above` rule reads the same at edge and cloud.

/** Features that are ratios, so the block's unit does not apply to them. */
const DIMENSIONLESS: ReadonlySet<string> = new Set(['crest', 'kurtosis', 'skewness']);

/** Four significant digits, without trailing zeros: 0.25, 92.1, 1234. */
export function formatValue(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** ` g` after a value in the record's unit; nothing for ratios, counts and scores. */
export function unitSuffix(rule: Exclude<CloudRule, { type: 'absent' }>, unit: string): string {
  if (rule.type === 'anomaly' || rule.window?.agg === 'count' || DIMENSIONLESS.has(rule.metric)) return '';
  return ` ${unit}`;
}

/** `pump-1/accel`, or `pump-1` for a whole device. */
export function where(device: string, sensor: string | undefined): string {
  return sensor === undefined ? device : `${device}/${sensor}`;
}

export function stateKey(device: string, sensor: string | undefined): string {
  return `${device}\u0000${sensor ?? ''}`;
}
