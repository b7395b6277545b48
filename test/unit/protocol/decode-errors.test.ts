import { encode as cborXEncode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { decodeMessage, DecodeError, encodeMessage, TwinbedError } from '../../../protocol/index';
import { alertEvent, decodeErrorOf, features, jsonBytes, telemetryArray, utf8 } from './sample-messages';

const telemetryWith = (changes: Record<string, unknown>) => jsonBytes({ ...telemetryArray, ...changes });

describe('DecodeError', () => {
  it('is a TwinbedError with the stable code E_DECODE and its own name', () => {
    const error = decodeErrorOf(telemetryWith({ seq: -1 }));
    expect(error).toBeInstanceOf(TwinbedError);
    expect(error.code).toBe('E_DECODE');
    expect(error.name).toBe('DecodeError');
  });
});

describe('decodeMessage names the first wrong field', () => {
  it('a negative seq', () => {
    const error = decodeErrorOf(telemetryWith({ seq: -1 }));
    expect(error.field).toBe('seq');
    expect(error.message).toBe('seq: Too small: expected number to be >=0');
  });

  it('a fractional seq', () => {
    const error = decodeErrorOf(telemetryWith({ seq: 1.5 }));
    expect(error.field).toBe('seq');
    expect(error.message).toMatch(/^seq: .*int/);
  });

  it('a device id with a topic separator in it', () => {
    const error = decodeErrorOf(telemetryWith({ device: 'pump/1' }));
    expect(error.field).toBe('device');
    expect(error.message).toBe('device: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  });

  it('a device id with an MQTT wildcard in CBOR as well as JSON', () => {
    const error = decodeErrorOf(cborXEncode({ ...telemetryArray, device: 'pump+1' }));
    expect(error.field).toBe('device');
  });

  it('a wrong type in a nested field, with its dotted path', () => {
    const error = decodeErrorOf(jsonBytes({ ...features, features: { ...features.features, kurtosis: 'high' } }));
    expect(error.field).toBe('features.kurtosis');
    expect(error.message).toBe('features.kurtosis: Invalid input: expected number, received string');
  });

  it('a missing required field', () => {
    const { unit: _unit, ...withoutUnit } = telemetryArray;
    const error = decodeErrorOf(jsonBytes(withoutUnit));
    expect(error.field).toBe('unit');
    expect(error.message).toBe('unit: Invalid input: expected string, received undefined');
  });

  it('an enum value outside its set', () => {
    const error = decodeErrorOf(jsonBytes({ ...alertEvent, severity: 'fatal' }));
    expect(error.field).toBe('severity');
  });

  it('a non-number sample, at least as the values field', () => {
    const error = decodeErrorOf(telemetryWith({ values: [1, 2, 'x'] }));
    expect(error.field).toMatch(/^values/);
  });

  it('an unknown type, listing the types this build reads', () => {
    const error = decodeErrorOf(telemetryWith({ type: 'telemetri' }));
    expect(error.field).toBe('type');
    expect(error.message).toBe('type: expected one of telemetry, features, event, status, cmd, reply, deadletter, truth, raw, signed, rollout, got "telemetri"');
  });

  it('a missing type', () => {
    const { type: _type, ...withoutType } = telemetryArray;
    const error = decodeErrorOf(jsonBytes(withoutType));
    expect(error.field).toBe('type');
    expect(error.message).toMatch(/got nothing$/);
  });

  it('an unsupported version, naming the versions this build reads', () => {
    const error = decodeErrorOf(telemetryWith({ v: 2 }));
    expect(error.field).toBe('v');
    expect(error.message).toBe('v: unsupported version 2 of "telemetry" (this build reads 1)');
  });

  it('a missing version', () => {
    const { v: _v, ...withoutV } = telemetryArray;
    const error = decodeErrorOf(jsonBytes(withoutV));
    expect(error.field).toBe('v');
    expect(error.message).toBe('v: unsupported version nothing of "telemetry" (this build reads 1)');
  });

  it('a version given as a string', () => {
    expect(decodeErrorOf(telemetryWith({ v: '1' })).field).toBe('v');
  });

  it('an unknown extra field, which the strict schemas refuse, by its name', () => {
    const error = decodeErrorOf(telemetryWith({ extra: 1 }));
    expect(error.field).toBe('extra');
    expect(error.message).toBe('extra: unknown field');
  });

  it('a non-finite number in a number[] block (JSON writes it as null)', () => {
    const error = decodeErrorOf(encodeMessage({ ...telemetryArray, values: [1, Number.NaN] }, 'json'));
    expect(error.field).toMatch(/^values/);
  });
});

describe('decodeMessage rejects payloads that are not messages at all', () => {
  it('an empty payload', () => {
    const error = decodeErrorOf(new Uint8Array(0));
    expect(error.field).toBe('');
    expect(error.message).toBe('empty payload');
  });

  it('truncated JSON, quoting the parser', () => {
    const error = decodeErrorOf(utf8('{"type": "status", '));
    expect(error.field).toBe('');
    expect(error.message).toMatch(/^not valid JSON \(.+\)$/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('plain text that is neither JSON nor CBOR', () => {
    const error = decodeErrorOf(utf8('hello world'));
    expect(error.message).toMatch(/^neither JSON nor valid CBOR \(.+\)$/);
  });

  it('a JSON-looking payload that is not UTF-8', () => {
    expect(decodeErrorOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).message).toBe('JSON payload is not valid UTF-8');
  });

  it('a CBOR array where an object belongs', () => {
    expect(decodeErrorOf(cborXEncode([1, 2])).message).toBe('expected an object with "type" and "v", got an array');
  });

  it('a CBOR number where an object belongs', () => {
    expect(decodeErrorOf(cborXEncode(5)).message).toBe('expected an object with "type" and "v", got 5');
  });

  it('a packed block whose byte count is not a multiple of 4', () => {
    const error = decodeErrorOf(telemetryWith({ values: { f32: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64') } }));
    expect(error.field).toBe('values.f32');
    expect(error.message).toBe('values.f32: expected a multiple of 4 bytes, got 6');
  });

  it('a packed block whose f32 is not a string', () => {
    const error = decodeErrorOf(telemetryWith({ values: { f32: 5 } }));
    expect(error.field).toBe('values.f32');
    expect(error.message).toBe('values.f32: expected a base64 string');
  });
});

describe('decodeMessage names the field inside unions and hostile keys', () => {
  it('a non-number sample, by its index values[2]', () => {
    const error = decodeErrorOf(telemetryWith({ values: [1, 2, 'x'] }));
    expect(error.field).toBe('values[2]');
    expect(error.message).toMatch(/^values\[2\]: .*number/);
  });

  it('a packed block whose f32 is not base64, naming values.f32', () => {
    const error = decodeErrorOf(telemetryWith({ values: { f32: '!!not base64!!' } }));
    expect(error.field).toBe('values.f32');
    expect(error.message).toBe('values.f32: not valid base64');
  });

  it('a type that is an inherited object key is rejected as a wrong type', () => {
    expect(decodeErrorOf(telemetryWith({ type: 'toString' })).field).toBe('type');
  });

  it('a version that is an inherited object key is a DecodeError naming v, not a TypeError', () => {
    expect(() => decodeMessage(telemetryWith({ v: 'constructor' }))).toThrow(DecodeError);
    expect(decodeErrorOf(telemetryWith({ v: 'constructor' })).field).toBe('v');
  });

  it('a packed block holding NaN, which number arrays already refuse', () => {
    expect(decodeErrorOf(encodeMessage({ ...telemetryArray, values: new Float32Array([1, Number.NaN]) }, 'cbor')).field).toBe('values');
  });
});
