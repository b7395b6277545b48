// The Sparkplug B protobuf, through sparkplug-payload's generated root (Eclipse Tahu). Its high-level encodePayload
// predates the 3.0 array types, so metrics are built here as the protobuf's own objects. Platform-free.
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';

// sparkplug-payload is CommonJS: Node's ESM loader exposes only its default export.
const { Payload, DataType: DataTypes } = sparkplugProto.org.eclipse.tahu.protobuf;

export type SparkplugPayload = sparkplugProto.org.eclipse.tahu.protobuf.IPayload;
export type SparkplugMetric = sparkplugProto.org.eclipse.tahu.protobuf.Payload.IMetric;
export type SparkplugPropertyValue = sparkplugProto.org.eclipse.tahu.protobuf.Payload.IPropertyValue;
/** A decoded metric: `value` names the oneof field that is set (`booleanValue`, `stringValue`…), if any. */
export type DecodedMetric = sparkplugProto.org.eclipse.tahu.protobuf.Payload.Metric;

/** Sparkplug B data types (spec 3.0 §6.4.16), from the specification's enum. */
export const DataType = DataTypes;

export function encodePayload(payload: SparkplugPayload): Uint8Array {
  return Payload.encode(payload).finish();
}

/** Throws on bytes that are not a Sparkplug B payload. */
export function decodePayload(bytes: Uint8Array): sparkplugProto.org.eclipse.tahu.protobuf.Payload {
  return Payload.decode(bytes);
}

/**
 * The payload with its `seq` (field 3, a varint) appended. Fields 1–2 (timestamp, metrics) come first, so this is
 * byte for byte what protobuf itself writes with `seq` set; the session numbers each message as it goes out.
 */
export function withSeq(payload: Uint8Array, seq: number): Uint8Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > 255) throw new RangeError(`a Sparkplug seq is 0–255, not ${seq}`);
  const out = new Uint8Array(payload.byteLength + (seq < 0x80 ? 2 : 3));
  out.set(payload);
  let i = payload.byteLength;
  out[i++] = (3 << 3) | 0; // field 3, wire type 0 (varint)
  if (seq < 0x80) {
    out[i] = seq;
  } else {
    out[i++] = (seq & 0x7f) | 0x80;
    out[i] = seq >>> 7;
  }
  return out;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A FloatArray's bytes_value: the samples as packed little-endian float32 (spec 3.0 §6.4.16 "Array Types"; its
 * FloatArray example bytes are big-endian, an erratum: the text and Tahu's encoder and decoder are little-endian).
 */
export function floatArrayBytes(values: ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN_HOST && values instanceof Float32Array) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  }
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

/** A uint64 as decoded (a Long when the `long` package is present) as a number; exact up to 2^53. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : value.toNumber();
}
