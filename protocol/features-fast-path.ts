import type { FeaturesV2 } from './messages';
import { isId } from './topics';

// Feature windows are the cloud's hot path: the schema's parse copies every window (1.3 µs and a garbage object
// each). This check accepts only windows the schema accepts unchanged, and returns the decoded object itself; anything
// it does not recognise goes to the schema, which decides and names the wrong field. Keep it a subset of
// FeaturesV2Schema: test/unit/protocol/features-fast-path.test.ts checks the keys agree and the subset holds.

/** The keys of FeaturesV2Schema, each with whether it must be present. */
export const FEATURES_V2_KEYS: Readonly<Record<string, boolean>> = {
  type: true,
  v: true,
  device: true,
  sensor: true,
  seq: true,
  blocks: false,
  tsMs: true,
  windowMs: true,
  unit: true,
  features: true,
  gateway: false,
  model: false,
};
const REQUIRED = Object.keys(FEATURES_V2_KEYS).filter((key) => FEATURES_V2_KEYS[key]).length;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
export const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A message's stream and position as IdSchema and `z.number().int().nonnegative()` take them. */
export const isStreamSeq = (device: unknown, sensor: unknown, seq: unknown): boolean =>
  typeof device === 'string' && isId(device) && typeof sensor === 'string' && isId(sensor) && Number.isSafeInteger(seq) && (seq as number) >= 0;

/** A unit as `z.string().min(1).max(16)` takes it. */
export const isUnit = (unit: unknown): boolean => typeof unit === 'string' && unit.length >= 1 && unit.length <= 16;

/** True only when `record` is a FeaturesV2 window the schema would accept and return unchanged. */
export function isPlainFeaturesV2(record: Record<string, unknown>): record is FeaturesV2 {
  if (!isPlainObject(record)) return false;
  let required = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    const mustHave = FEATURES_V2_KEYS[key];
    // An unknown key, or an optional one present as `undefined`: the schema's call.
    if (mustHave === undefined || !Object.hasOwn(FEATURES_V2_KEYS, key) || record[key] === undefined) return false;
    if (mustHave) required++;
  }
  if (required !== REQUIRED) return false;
  const { v, device, sensor, seq, blocks, tsMs, windowMs, unit, features, gateway, model } = record;
  return (
    record.type === 'features' &&
    v === 2 &&
    isStreamSeq(device, sensor, seq) &&
    (blocks === undefined || (Number.isSafeInteger(blocks) && (blocks as number) > 0)) &&
    isFiniteNumber(tsMs) &&
    isFiniteNumber(windowMs) &&
    windowMs > 0 &&
    isUnit(unit) &&
    isPlainFeatures(features) &&
    (gateway === undefined || (typeof gateway === 'string' && isId(gateway))) &&
    (model === undefined || isPlainScore(model))
  );
}

function isPlainFeatures(features: unknown): boolean {
  if (!isPlainObject(features)) return false;
  for (const key in features) {
    // An own "__proto__" (JSON.parse makes one) is dropped by the schema's copy: its call, not ours.
    if (!Object.hasOwn(features, key) || key === '__proto__' || !isFiniteNumber(features[key])) return false;
  }
  return Object.hasOwn(features, 'rms') && Object.hasOwn(features, 'peak') && Object.hasOwn(features, 'crest');
}

function isPlainScore(model: unknown): boolean {
  if (!isPlainObject(model)) return false;
  let keys = 0;
  for (const key in model) {
    if (!Object.hasOwn(model, key) || (key !== 'version' && key !== 'score' && key !== 'threshold')) return false;
    keys++;
  }
  const { version, score, threshold } = model;
  return keys === 3 && typeof version === 'string' && version.length >= 1 && version.length <= 128 && isFiniteNumber(score) && isFiniteNumber(threshold) && threshold > 0;
}
