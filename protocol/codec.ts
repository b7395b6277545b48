import { Decoder, Encoder } from 'cbor-x';
import type { z } from 'zod';
import { base64ToBytes, bytesToBase64 } from './base64';
import { DecodeError } from './errors';
import { isPlainFeaturesV2 } from './features-fast-path';
import { isPackedTelemetryV1 } from './telemetry-fast-path';
import { formatFieldPath } from './field-path';
import { MESSAGE_SCHEMAS, type Message, type MessageOf, type MessageType } from './messages';

export type CodecName = 'json' | 'cbor';

// Plain CBOR maps (no cbor-x records extension) so any RFC 8949 reader can decode our payloads;
// Float32Array travels as RFC 8746 tag 85 (little-endian float32 typed array). A Uint8Array (a signed envelope's
// body) is a plain byte string (RFC 8949 §3.1 major type 2): cbor-x would add tag 64 in Node but not in a browser.
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const cborDecoder = new Decoder({ useRecords: false, mapsAsObjects: true });
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** JSON has no typed arrays; a packed block travels as `{ "f32": "<base64 of little-endian float32>" }`. */
interface PackedF32Json {
  f32: string;
}

export function encodeMessage(message: Message, codec: CodecName = 'cbor'): Uint8Array {
  if (codec === 'cbor') return cborEncoder.encode(message);
  return textEncoder.encode(JSON.stringify(message, jsonReplacer));
}

/**
 * Decodes a payload in either codec (JSON starts with `{`; a CBOR map never does) and validates it against
 * the schema for its `type` and `v`. Throws DecodeError naming the first wrong field.
 */
export function decodeMessage(payload: Uint8Array): Message {
  const raw = parseRaw(payload);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DecodeError('', `expected an object with "type" and "v", got ${describe(raw)}`);
  }
  const record = raw as Record<string, unknown>;
  const type = record.type;
  // hasOwn, not `in`: "constructor" or "toString" must not reach the schema table's prototype.
  if (typeof type !== 'string' || !Object.hasOwn(MESSAGE_SCHEMAS, type)) {
    throw new DecodeError('type', `expected one of ${Object.keys(MESSAGE_SCHEMAS).join(', ')}, got ${describe(type)}`);
  }
  const versions = MESSAGE_SCHEMAS[type as MessageType] as Record<number, z.ZodType<Message>>;
  const schema = typeof record.v === 'number' && Object.hasOwn(versions, record.v) ? versions[record.v] : undefined;
  if (!schema) {
    throw new DecodeError('v', `unsupported version ${describe(record.v)} of "${type}" (this build reads ${Object.keys(versions).join(', ')})`);
  }
  // cbor-x hands byte strings back as Node Buffers; messages carry plain Uint8Arrays on every platform.
  for (const key of BYTE_FIELDS[type] ?? []) {
    const bytes = record[key];
    if (bytes instanceof Uint8Array && bytes.constructor !== Uint8Array) record[key] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (type === 'features' && isPlainFeaturesV2(record)) return record;
  if (type === 'telemetry' && isPackedTelemetryV1(record)) return record;
  const result = schema.safeParse(record);
  if (!result.success) {
    const { path, message } = mostSpecific(result.error.issues[0]!);
    throw new DecodeError(formatFieldPath(path), message);
  }
  return result.data;
}

/** Fields that hold bytes, by message type. */
const BYTE_FIELDS: Readonly<Record<string, readonly string[]>> = { signed: ['body'], raw: ['data'] };

/**
 * The issue to report: for a union (e.g. values as number[] or Float32Array), the branch that got furthest into
 * the data, so `values[2]` is named rather than just `values`; for an unknown key, the key itself.
 */
function mostSpecific(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors
      .map((branch) => branch[0])
      .filter((i): i is z.core.$ZodIssue => i !== undefined)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest && deepest.path.length > 0) {
      const inner = mostSpecific(deepest);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
  }
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return { path: [...issue.path, issue.keys[0]!], message: `unknown field${issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : ''}` };
  }
  return { path: [...issue.path], message: issue.message };
}

/** Decodes and checks that the message is of the expected type. */
export function decodeAs<T extends MessageType>(payload: Uint8Array, type: T): MessageOf<T> {
  const message = decodeMessage(payload);
  if (message.type !== type) throw new DecodeError('type', `expected "${type}", got "${message.type}"`);
  return message as MessageOf<T>;
}

/** Any JSON or CBOR payload as plain data, unvalidated: for reading what a system that is not twinbed publishes. */
export function decodeAny(payload: Uint8Array): unknown {
  return parseRaw(payload);
}

function parseRaw(payload: Uint8Array): unknown {
  if (payload.length === 0) throw new DecodeError('', 'empty payload');
  if (looksLikeJson(payload)) {
    let text: string;
    try {
      text = textDecoder.decode(payload); // drops a leading BOM
    } catch (cause) {
      throw new DecodeError('', 'JSON payload is not valid UTF-8', { cause });
    }
    try {
      return JSON.parse(text, jsonReviver);
    } catch (cause) {
      if (cause instanceof DecodeError) throw cause;
      throw new DecodeError('', `not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  try {
    return cborDecoder.decode(payload);
  } catch (cause) {
    throw new DecodeError('', `neither JSON nor valid CBOR (${(cause as Error).message})`, { cause });
  }
}

/**
 * JSON objects start with `{`, after optional whitespace or a UTF-8 byte-order mark. A CBOR envelope is a map
 * (0xa0–0xbf); none of these bytes starts one, so the sniff is unambiguous.
 */
function looksLikeJson(payload: Uint8Array): boolean {
  let i = payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x09 || payload[i] === 0x0a || payload[i] === 0x0d)) i++;
  return payload[i] === 0x7b;
}

function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value; // the common case: each of thousands of samples
  // The holder's own value, before toJSON: a Node Buffer would otherwise arrive here as { type, data }.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) return bytesToBase64(original);
  if (value instanceof Float32Array) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { f32: bytesToBase64(littleEndian(bytes)) } satisfies PackedF32Json;
  }
  return value;
}

function jsonReviver(this: unknown, key: string, value: unknown): unknown {
  // Only a telemetry envelope's own `values` is a sample block; a command's args.values stays as sent.
  const holder = this as { type?: unknown };
  if (((key === 'body' && holder.type === 'signed') || (key === 'data' && holder.type === 'raw')) && typeof value === 'string') {
    try {
      return base64ToBytes(value);
    } catch (cause) {
      throw new DecodeError(key, 'not valid base64', { cause });
    }
  }
  if (key === 'values' && holder.type === 'telemetry' && typeof value === 'object' && value !== null && 'f32' in value) {
    const packed = (value as PackedF32Json).f32;
    if (typeof packed !== 'string') throw new DecodeError('values.f32', 'expected a base64 string');
    let raw: Uint8Array;
    try {
      raw = base64ToBytes(packed);
    } catch (cause) {
      throw new DecodeError('values.f32', 'not valid base64', { cause });
    }
    const bytes = littleEndian(raw);
    if (bytes.length % 4 !== 0) throw new DecodeError('values.f32', `expected a multiple of 4 bytes, got ${bytes.length}`);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }
  return value;
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Wire order is little-endian; on a big-endian host swap each 4-byte word (returns a copy there). */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (hostIsLittleEndian) return bytes.slice();
  const out = bytes.slice();
  for (let i = 0; i + 3 < out.length; i += 4) out.set([out[i + 3]!, out[i + 2]!, out[i + 1]!, out[i]!], i);
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : String(value);
}
