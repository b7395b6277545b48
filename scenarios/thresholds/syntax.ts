// The k6 threshold grammar: a metric key `name{tag:value,…}` and conditions such as `p(95)<200`, `max<30`, `<0.1`.
// Platform-free: the scenario schema checks thresholds at load with it.

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** What a condition reads off a metric: an aggregation of a distribution, or a single value (`value`, or nothing). */
export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'value' | `p(${number})`;

/** A metric key as written, split into its name and tags. */
export interface MetricKey {
  metric: string;
  tags: Record<string, string>;
}

/** One condition of a threshold, e.g. `p(99)<50`. */
export interface Condition {
  /** As written in the scenario. */
  source: string;
  aggregation: Aggregation;
  /** The percentile of `p(N)`, 0–100. */
  p?: number;
  op: Operator;
  limit: number;
}

const KEY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\{([^{}]*)\})?\s*$/;
const CONDITION = /^\s*(?:(p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)|avg|min|max|med|count|value)\s*)?(<=|>=|==|!=|<|>)\s*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*$/;

/** Splits `name{tag:value,tag:value}`; a tag value runs to the next comma, so it may hold `:`, `/`, `->` or `#`. */
export function parseMetricKey(key: string): MetricKey | { error: string } {
  const match = KEY.exec(key);
  if (!match) return { error: `"${key}" is not a metric key: write name or name{tag:value,…}, e.g. detection_delay_s{device:pump-1}` };
  const tags: Record<string, string> = {};
  for (const part of (match[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const colon = part.indexOf(':');
    const name = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (colon < 0 || !name || !value) return { error: `tag "${part.trim()}" of "${key}" is not tag:value` };
    if (name in tags) return { error: `tag "${name}" appears twice in "${key}"` };
    tags[name] = value;
  }
  return { metric: match[1]!, tags };
}

/** Parses `p(95)<200`, `max<30`, `count>=1`, `<0.1`, `value==0`. */
export function parseCondition(text: string): Condition | { error: string } {
  const match = CONDITION.exec(text);
  if (!match) return { error: `"${text}" is not a condition: write an aggregation, an operator and a number, e.g. p(95)<200, max<30, or <0.1 for a single value` };
  const limit = Number(match[4]);
  const op = match[3] as Operator;
  if (match[2] !== undefined) {
    const p = Number(match[2]);
    if (p > 100) return { error: `"${text}": a percentile is between 0 and 100` };
    return { source: text.trim(), aggregation: `p(${p})`, p, op, limit };
  }
  return { source: text.trim(), aggregation: (match[1] ?? 'value') as Aggregation, op, limit };
}

/** Whether `observed op limit` holds. NaN (no data) never holds. */
export function holds(observed: number, op: Operator, limit: number): boolean {
  if (Number.isNaN(observed)) return false;
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}
