import { expect } from 'vitest';
import { decodeMessage, DecodeError, encodeMessage, MESSAGE_SCHEMAS, type Message } from '../../protocol/index';
import { isPlainObject, withoutNegativeZero } from './message-arbitraries';

/**
 * Decodes `payload` and checks the only two outcomes allowed: a DecodeError that names its field, or a message that
 * its schema accepts and that both codecs encode and decode back to itself. Anything else thrown fails the property.
 */
export function decodeOutcome(payload: Uint8Array): DecodeError | Message {
  let message: Message;
  try {
    message = decodeMessage(payload);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    expect(error.code).toBe('E_DECODE');
    expect(error.message.length).toBeGreaterThan(0);
    if (error.field) expect(error.message.startsWith(`${error.field}: `)).toBe(true);
    return error;
  }
  expectSound(message);
  return message;
}

/** A decoded message validates as it is, and survives a second trip through each codec. */
export function expectSound(message: Message): void {
  const versions = MESSAGE_SCHEMAS[message.type] as Record<number, { safeParse(value: unknown): { success: boolean } }>;
  expect(versions[message.v]?.safeParse(message).success).toBe(true);
  const expected = withoutNegativeZero(message);
  expect(decodeMessage(encodeMessage(message, 'json'))).toEqual(expected);
  if (!hasLoneSurrogate(message)) expect(decodeMessage(encodeMessage(message, 'cbor'))).toEqual(protoKeysRenamed(expected));
  else expectCborReplacesLoneSurrogates(message);
}

/**
 * Only JSON's \u escapes make a string with a lone surrogate. cbor-x writes it as ill-formed UTF-8 (WTF-8), which reads
 * back with U+FFFD in its place (one or three, by the string's length): never a throw, but the text changes, so a
 * length-bounded field (unit ≤ 16) can come back too long and be refused.
 */
export function expectCborReplacesLoneSurrogates(message: Message): void {
  let back: Message;
  try {
    back = decodeMessage(encodeMessage(message, 'cbor'));
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    expect(error.message).toMatch(/Too big/);
    return;
  }
  expect(hasLoneSurrogate(back)).toBe(false);
  expect(replacedAlike(back, withoutNegativeZero(message))).toBe(true);
}

/** cbor-x reads a map key `__proto__` as `__proto_`, so that no payload can set an object's prototype. */
function protoKeysRenamed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(protoKeysRenamed) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key === '__proto__' ? '__proto_' : key, { value: protoKeysRenamed(item), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** True when some string in `value` (a key too) holds a lone surrogate. */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (isPlainObject(value)) {
    return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item));
  }
  return false;
}

/** `actual` is `expected` with each lone surrogate in its strings replaced by one or more U+FFFD. */
function replacedAlike(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'string') {
    const pattern = expected.split(LONE_SURROGATES).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\uFFFD+');
    return typeof actual === 'string' && new RegExp(`^${pattern}$`, 'u').test(actual);
  }
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => replacedAlike(actual[i], item));
  if (isPlainObject(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    const a = Object.entries(actual);
    const e = Object.entries(expected);
    return a.length === e.length && e.every(([key, item], i) => replacedAlike(a[i]![0], key) && replacedAlike(a[i]![1], item));
  }
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}
