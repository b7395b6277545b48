import { decode as cborXDecode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { decodeAs, decodeMessage, DecodeError, encodeMessage, type CodecName, type TelemetryV1 } from '../../../protocol/index';
import { readCbor } from './minimal-cbor';
import { command, sampleMessages, status, telemetryArray, telemetryPacked, utf8 } from './sample-messages';

const codecs: readonly CodecName[] = ['json', 'cbor'];

describe.each(codecs)('%s codec', (codec) => {
  it.each(sampleMessages)('round-trips %s unchanged', (_name, message) => {
    expect(decodeMessage(encodeMessage(message, codec))).toEqual(message);
  });

  it('keeps number[] telemetry values a plain array with full float64 precision', () => {
    const decoded = decodeAs(encodeMessage(telemetryArray, codec), 'telemetry');
    expect(Array.isArray(decoded.values)).toBe(true);
    expect(decoded.values).toEqual([0.1, -0.25, 3.141592653589793, 0, -1e-7, 12345.678]);
  });

  it('keeps packed telemetry values a Float32Array with the same samples, sign of zero included', () => {
    const decoded = decodeAs(encodeMessage(telemetryPacked, codec), 'telemetry');
    expect(decoded.values).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded.values)).toEqual([0.5, -2.25, Math.fround(1e-3), Math.fround(3.4e38), -0]);
    expect(Object.is(decoded.values[4], -0)).toBe(true);
  });

  it('packs only the viewed samples of a Float32Array that is a window on a larger buffer', () => {
    const backing = new Float32Array([99, 1, 2, 3, 99]);
    const message: TelemetryV1 = { ...telemetryPacked, values: backing.subarray(1, 4) };
    const decoded = decodeAs(encodeMessage(message, codec), 'telemetry');
    expect(decoded.values).toEqual(new Float32Array([1, 2, 3]));
  });

  it('round-trips an empty Float32Array as an empty Float32Array', () => {
    const decoded = decodeAs(encodeMessage({ ...telemetryPacked, values: new Float32Array(0) }, codec), 'telemetry');
    expect(decoded.values).toBeInstanceOf(Float32Array);
    expect(decoded.values).toHaveLength(0);
  });

  it('round-trips a 100k-sample packed block bit for bit', () => {
    const values = Float32Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 7) * (i % 13));
    const decoded = decodeAs(encodeMessage({ ...telemetryPacked, values }, codec), 'telemetry');
    expect(decoded.values).toBeInstanceOf(Float32Array);
    const got = decoded.values as Float32Array;
    expect(got.length).toBe(100_000);
    // Buffer.equals, not toEqual: a deep compare of 400k elements alone takes seconds.
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(values.buffer))).toBe(true);
  });
});

describe('JSON encoding', () => {
  it('writes a packed block as {"f32": base64 of the little-endian float32 bytes}', () => {
    const message: TelemetryV1 = { ...telemetryPacked, values: new Float32Array([1, -2]) };
    const parsed = JSON.parse(new TextDecoder().decode(encodeMessage(message, 'json'))) as Record<string, unknown>;
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian)
    expect(parsed.values).toEqual({ f32: Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64') });
    expect(parsed.values).toEqual({ f32: 'AACAPwAAAMA=' });
  });

  it('writes number[] values as a readable JSON array', () => {
    const parsed = JSON.parse(new TextDecoder().decode(encodeMessage(telemetryArray, 'json'))) as Record<string, unknown>;
    expect(parsed.values).toEqual([0.1, -0.25, 3.141592653589793, 0, -1e-7, 12345.678]);
  });

  it('reads a hand-written {"f32": ...} block as a Float32Array', () => {
    const { values: _values, ...rest } = telemetryArray;
    const decoded = decodeAs(utf8(JSON.stringify({ ...rest, values: { f32: 'AACAPwAAAMA=' } })), 'telemetry');
    expect(decoded.values).toEqual(new Float32Array([1, -2]));
  });
});

describe('CBOR encoding', () => {
  it('is the default codec', () => {
    expect(encodeMessage(status)).toEqual(encodeMessage(status, 'cbor'));
    expect(encodeMessage(status)[0]! >> 5).toBe(5);
  });

  it.each(sampleMessages)('writes %s as a plain RFC 8949 map that an independent strict reader decodes', (_name, message) => {
    const bytes = encodeMessage(message, 'cbor');
    expect(bytes[0]! >> 5, 'major type 5 (map) at the top').toBe(5);
    const { value, tags } = readCbor(bytes);
    expect(plainBytes(value)).toEqual(message);
    expect(tags).toEqual(message.type === 'telemetry' && message.values instanceof Float32Array ? [85] : []);
  });

  it.each(sampleMessages)('writes %s so that cbor-x with default options decodes the same object', (_name, message) => {
    expect(plainBytes(cborXDecode(encodeMessage(message, 'cbor')))).toEqual(message);
  });

  it('carries a Float32Array as tag 85 around a byte string of little-endian float32s', () => {
    const bytes = encodeMessage({ ...telemetryPacked, values: new Float32Array([1, -2]) }, 'cbor');
    // d8 55 = tag(85), 48 = byte string of 8 bytes, then 1.0f and -2.0f little-endian
    const expected = [0xd8, 0x55, 0x48, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];
    expect(Array.from(bytes.subarray(bytes.length - expected.length))).toEqual(expected);
  });

  it('carries number[] values as a CBOR array of float64s, not a packed block', () => {
    const { value, tags } = readCbor(encodeMessage({ ...telemetryArray, values: [0.1, 2] }, 'cbor'));
    expect(tags).toEqual([]);
    expect((value as Record<string, unknown>).values).toEqual([0.1, 2]);
  });
});

describe('decodeMessage codec sniffing', () => {
  it('recognises JSON by its leading "{" and CBOR by everything else, for the same message', () => {
    const json = encodeMessage(command, 'json');
    const cbor = encodeMessage(command, 'cbor');
    expect(json[0]).toBe(0x7b);
    expect(cbor[0]).not.toBe(0x7b);
    expect(decodeMessage(json)).toEqual(decodeMessage(cbor));
  });

  it('reports a "{"-led payload as JSON, never as CBOR', () => {
    expect(() => decodeMessage(utf8('{"type": '))).toThrow(/^not valid JSON/);
  });

  it('reports a payload that is neither as not valid CBOR', () => {
    expect(() => decodeMessage(new Uint8Array([0xff, 0x00, 0x13]))).toThrow(/^neither JSON nor valid CBOR/);
  });
});

describe('decodeAs', () => {
  it('returns the message when it has the expected type', () => {
    const decoded = decodeAs(encodeMessage(status), 'status');
    expect(decoded.state).toBe('online');
    expect(decoded.counters).toEqual(status.counters);
  });

  it('rejects a valid message of another type, naming both types', () => {
    const error = catchDecodeError(() => decodeAs(encodeMessage(status), 'telemetry'));
    expect(error.field).toBe('type');
    expect(error.message).toBe('type: expected "telemetry", got "status"');
  });
});

function catchDecodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError, but nothing was thrown');
}

/** Other decoders give byte strings back as their own byte types (a Node Buffer); compare them as plain bytes. */
function plainBytes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Float32Array) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plainBytes);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
}
