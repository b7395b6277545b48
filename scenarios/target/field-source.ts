import type { FieldSource } from './observe-schema';

/** Reads a field from a decoded message: a payload path, a topic level, or a constant. Undefined when absent. */
export function readField(source: FieldSource, payload: unknown, topic: string): unknown {
  if (typeof source === 'object') return source.const;
  if (source === '$topic') return topic;
  const level = /^\$topic\[(\d+)\]$/.exec(source);
  if (level) return topic.split('/')[Number(level[1])];
  let value: unknown = payload;
  for (const part of pathParts(source)) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const partsCache = new Map<string, string[]>();

/** `a.b[0].c` → a, b, 0, c. */
function pathParts(path: string): string[] {
  let parts = partsCache.get(path);
  if (!parts) partsCache.set(path, (parts = path.split(/\.|\[(\d+)\]/).filter((p): p is string => p !== undefined && p !== '')));
  return parts;
}

/** A time field as epoch ms: numbers in the declared unit, or an ISO 8601 string. */
export function toEpochMs(value: unknown, unit: 'ms' | 's' | 'iso'): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return unit === 's' ? value * 1000 : value;
  if (typeof value === 'string' && value.trim() !== '') {
    const asNumber = Number(value);
    if (unit !== 'iso' && Number.isFinite(asNumber)) return unit === 's' ? asNumber * 1000 : asNumber;
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  if (typeof value === 'bigint') return Number(value) * (unit === 's' ? 1000 : 1);
  return undefined;
}

/** Whether `value` is one of `options`, strings compared case-sensitively, numbers and booleans by value. */
export function oneOf(value: unknown, options: readonly (string | number | boolean)[]): boolean {
  return options.some((o) => o === value || (typeof value === 'string' && typeof o !== 'string' && value === String(o)));
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
